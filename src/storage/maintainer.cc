#include "maintainer.h"

#include <algorithm>
#include <chrono>

#include "absl/status/status.h"

#include "store_impl.h"
#include "stripe.h"
#include "thread_state.h"

namespace ringcache::storage {
namespace {

// Juggle pulls per lock hold, and holds per stripe per wake-up (memcached's
// maintainer does up to 500 per class per wake-up).
constexpr int kJuggleRounds = 50;
constexpr int kJuggleHolds = 10;
// Items a crawl looks at per lock hold, and per lru_crawler_sleep.
constexpr size_t kCrawlBatch = 256;
constexpr uint64_t kCrawlsPerSleep = 1000;
constexpr int64_t kMinWakeMicros = 1000;
constexpr int64_t kMaxWakeMicros = 1000 * 1000;
constexpr base::RelTime kMaxAutocrawlInterval = 3600;

// Scheduling only (how long to sleep); cache time always comes from clock_.
int64_t MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Maintainer::Maintainer(StoreImpl* store, std::function<base::RelTime()> clock)
    : store_(store), clock_(std::move(clock)) {}

Maintainer::~Maintainer() { Stop(); }

absl::Status Maintainer::Start() {
  absl::StatusOr<std::unique_ptr<memory::QsbrThread>> q = store_->qsbr().Register();
  if (!q.ok()) return q.status();
  auto t = std::make_unique<StoreThreadImpl>(store_, 0, std::move(*q));
  store_->AddThread(t.get());
  thread_ = std::thread([this, state = t.release()] {
    std::unique_ptr<StoreThreadImpl> owned(state);
    Run(owned.get());
    store_->RemoveThread(owned.get());
  });
  return absl::OkStatus();
}

void Maintainer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

CrawlStart Maintainer::RequestCrawl(std::vector<bool> classes) {
  if (!store_->crawler_enabled()) return CrawlStart::kDisabled;
  std::lock_guard<std::mutex> lock(mu_);
  if (crawling_.load() || crawl_requested_) return CrawlStart::kBusy;
  crawl_requested_ = true;
  crawl_classes_ = std::move(classes);
  // Visible at once, so a client polling lru_crawler_running never sees the
  // crawl as finished before it started.
  crawling_.store(true);
  cv_.notify_all();
  return CrawlStart::kOk;
}

bool Maintainer::Sleep(StoreThreadImpl* t, int64_t micros) {
  t->Quiesce();
  t->qsbr().Offline();
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::microseconds(micros),
               [this] { return stop_ || (crawl_requested_ && !crawling_busy_); });
  const bool go_on = !stop_;
  lock.unlock();
  t->qsbr().Online();
  return go_on;
}

void Maintainer::Run(StoreThreadImpl* t) {
  base::RelTime interval = std::max<base::RelTime>(store_->config().autocrawl_interval, 1);
  base::RelTime next_autocrawl = clock_() + interval;
  // Per-stripe backoff, as memcached's maintainer keeps one per slab class:
  // a stripe that had nothing to juggle is visited half as often, down to
  // once a second; one that had work, twice as often.
  std::vector<Backoff> backoff(store_->stripe_count());
  while (true) {
    const base::RelTime now = clock_();
    int64_t next_wake = kMaxWakeMicros;
    if (store_->config().lru_maintainer) {
      next_wake = JuggleDue(t, now, &backoff);
      t->counters().lru_maintainer_juggles.Add();
    }
    EnforceLimit(t, now);

    bool requested;
    std::vector<bool> classes;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requested = crawl_requested_;
      classes.swap(crawl_classes_);
      if (requested) crawling_busy_ = true;
    }
    if (requested || (store_->crawler_enabled() && now >= next_autocrawl)) {
      crawling_.store(true);
      t->counters().lru_crawler_starts.Add();
      const auto [checked, reclaimed] = Crawl(t, classes.empty() ? nullptr : &classes);
      if (!requested) {
        // Adapt the automatic schedule to how much a crawl finds.
        if (checked == 0 || reclaimed * 100 < checked) {
          interval = std::min<base::RelTime>(interval * 2, kMaxAutocrawlInterval);
        } else if (reclaimed * 20 > checked) {
          interval = std::max<base::RelTime>(interval / 2, store_->config().autocrawl_interval);
        }
      }
      next_autocrawl = clock_() + interval;
      {
        std::lock_guard<std::mutex> lock(mu_);
        crawl_requested_ = false;
        crawling_busy_ = false;
        crawling_.store(false);
      }
    }
    if (!Sleep(t, std::clamp(next_wake, kMinWakeMicros, kMaxWakeMicros))) return;
  }
}

int64_t Maintainer::JuggleDue(StoreThreadImpl* t, base::RelTime now,
                              std::vector<Backoff>* backoff) {
  const int64_t start = MonotonicMicros();
  int64_t next_wake = kMaxWakeMicros;
  for (int i = 0; i < store_->stripe_count(); ++i) {
    Backoff& b = (*backoff)[i];
    if (b.due > start) {
      next_wake = std::min(next_wake, b.due - start);
      continue;
    }
    Stripe& s = store_->stripe(i);
    int moved = 0;
    for (int hold = 0; hold < kJuggleHolds; ++hold) {
      int did;
      {
        std::lock_guard<std::mutex> lock(s.mu());
        did = s.Juggle(*t, now, kJuggleRounds, /*background=*/true);
      }
      moved += did;
      if (did < kJuggleRounds) break;
    }
    t->Quiesce();
    b.interval = moved > 0 ? std::max(b.interval / 2, kMinWakeMicros)
                           : std::min(b.interval * 2, kMaxWakeMicros);
    b.due = MonotonicMicros() + b.interval;
    next_wake = std::min(next_wake, b.interval);
  }
  return next_wake;
}

void Maintainer::EnforceLimit(StoreThreadImpl* t, base::RelTime now) {
  // After cache_memlimit lowered the limit, writers only evict what they
  // allocate; this brings the cache down to the new limit.
  memory::MemoryBudget& budget = store_->budget();
  for (int i = 0; i < store_->stripe_count() && budget.available() < 0; ++i) {
    Stripe& s = store_->stripe(i);
    size_t freed;
    {
      std::lock_guard<std::mutex> lock(s.mu());
      freed =
          s.Evict(*t, static_cast<size_t>(-budget.available()) / store_->stripe_count() + 1, now);
    }
    (void)freed;
    t->pool().Drain();  // what was evicted repays the overdraft
    t->Quiesce();
  }
}

std::pair<uint64_t, uint64_t> Maintainer::Crawl(StoreThreadImpl* t,
                                                const std::vector<bool>* classes) {
  uint64_t checked = 0;
  uint64_t reclaimed_before = 0;
  const uint32_t tocrawl = store_->crawler_tocrawl();
  uint64_t since_sleep = 0;
  auto reclaimed_now = [&] {
    uint64_t r = 0;
    for (int c = 0; c < t->counters().class_count(); ++c) {
      r += static_cast<uint64_t>(t->counters().cls(c).crawler_reclaimed.Get());
    }
    return r;
  };
  reclaimed_before = reclaimed_now();
  for (int i = 0; i < store_->stripe_count(); ++i) {
    Stripe& s = store_->stripe(i);
    uint64_t bucket = 0;
    bool more = true;
    while (more) {
      const uint64_t before = checked;
      {
        std::lock_guard<std::mutex> lock(s.mu());
        more = s.Crawl(*t, &bucket, kCrawlBatch, clock_(), classes, &checked);
      }
      since_sleep += checked - before;
      if (tocrawl != 0 && checked >= tocrawl) return {checked, reclaimed_now() - reclaimed_before};
      if (since_sleep >= kCrawlsPerSleep && store_->crawler_sleep_us() > 0) {
        since_sleep = 0;
        if (!Sleep(t, store_->crawler_sleep_us()))
          return {checked, reclaimed_now() - reclaimed_before};
      } else {
        t->Quiesce();
      }
    }
  }
  return {checked, reclaimed_now() - reclaimed_before};
}

}  // namespace ringcache::storage
