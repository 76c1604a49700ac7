#include "run.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <thread>

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "client_thread.h"
#include "clock.h"
#include "endpoint.h"

namespace ringcache::ringload {
namespace {

double CpuSeconds(const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

// Waits up to `ns` for SIGINT/SIGTERM (blocked in every thread). Returns
// true if one arrived.
bool WaitForSignal(const sigset_t& signals, int64_t ns) {
  if (ns <= 0) ns = 0;
  const timespec ts{static_cast<time_t>(ns / kNsPerSecond), static_cast<long>(ns % kNsPerSecond)};
  return sigtimedwait(&signals, nullptr, &ts) > 0;
}

// Intervals posted by the threads, merged per second until every thread has
// posted that second.
class TimelineMerger {
 public:
  explicit TimelineMerger(int threads) : posted_upto_(threads, INT64_MIN) {}

  void Add(int thread, const std::vector<IntervalRecord>& records) {
    for (const IntervalRecord& r : records) {
      Partial& p = partial_[r.index];
      p.counters.Add(r.counters);
      p.latency.Merge(*r.latency);
      posted_upto_[thread] = std::max(posted_upto_[thread], r.index);
    }
  }
  void Finished(int thread) { posted_upto_[thread] = INT64_MAX; }

  // Emits, in order, every second all threads have posted (every second left
  // when `all`), with its length as `seconds_of` says.
  template <typename Emit, typename SecondsOf>
  void Drain(bool all, SecondsOf seconds_of, Emit emit) {
    const int64_t complete = *std::min_element(posted_upto_.begin(), posted_upto_.end());
    while (!partial_.empty() && (all || partial_.begin()->first <= complete)) {
      auto it = partial_.begin();
      TimelinePoint point;
      point.index = it->first;
      point.seconds = seconds_of(it->first);
      point.counters = it->second.counters;
      point.p50_ns = it->second.latency.ValueAtPercentile(50);
      point.p99_ns = it->second.latency.ValueAtPercentile(99);
      point.p999_ns = it->second.latency.ValueAtPercentile(99.9);
      point.max_ns = it->second.latency.max();
      partial_.erase(it);
      emit(point);
    }
  }

 private:
  struct Partial {
    Counters counters;
    Histogram latency;
  };
  std::vector<int64_t> posted_upto_;
  std::map<int64_t, Partial> partial_;
};

}  // namespace

absl::StatusOr<RunResult> Run(const Options& options,
                              const std::function<void(const TimelinePoint&)>& on_second) {
  RunResult result;
  result.options = options;
  result.started_unix = time(nullptr);
  result.seed = options.seed != 0 ? options.seed : static_cast<uint64_t>(NowNs()) | 1;

  absl::StatusOr<std::vector<Endpoint>> endpoints = Resolve(options.servers);
  if (!endpoints.ok()) return endpoints.status();
  absl::StatusOr<KeySpace> keys =
      KeySpace::Create(options.key_prefix, options.key_size, options.keys);
  if (!keys.ok()) return keys.status();
  absl::StatusOr<KeySpace> counters =
      KeySpace::Create(options.counter_prefix, options.key_size, options.keys);
  if (!counters.ok()) return counters.status();
  std::vector<std::string> labels;
  for (const ServerAddress& s : options.servers) labels.push_back(s.label);
  const KetamaRing ring(labels);

  // Signals are taken by this thread only (see run.h); the load threads
  // inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t old_mask;
  pthread_sigmask(SIG_BLOCK, &signals, &old_mask);

  const int n = options.threads;
  std::atomic<bool> stop{false};
  std::atomic<int> connected{0};
  std::atomic<int> preloaded{0};
  std::atomic<int> finished{0};
  std::vector<std::atomic<bool>> thread_finished(n);
  std::vector<std::unique_ptr<ClientThread>> clients(n);
  std::vector<absl::Status> statuses(n);
  auto mailboxes = std::make_unique<IntervalMailbox[]>(n);
  // Phase hand-over: the main thread writes `abort`/`phase` and then stores
  // `go`; threads spin-free wait on it with atomic wait/notify.
  std::atomic<int> go{0};  // 1: preload, 2: load
  bool abort = false;
  std::vector<LoadPhase> phases(n);

  auto wait_for = [&go](int value) {
    for (int seen = go.load(std::memory_order_acquire); seen < value;
         seen = go.load(std::memory_order_acquire)) {
      go.wait(seen, std::memory_order_acquire);
    }
  };
  auto release = [&go](int value) {
    go.store(value, std::memory_order_release);
    go.notify_all();
  };

  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      if (!options.cpus.empty()) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(options.cpus[t % options.cpus.size()], &set);
        pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
      }
      ThreadPlan plan;
      plan.index = t;
      plan.options = &options;
      plan.endpoints = &*endpoints;
      plan.keys = &*keys;
      plan.counters = &*counters;
      plan.ring = &ring;
      plan.seed = result.seed + 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(t + 1);
      plan.stop = &stop;
      clients[t] = std::make_unique<ClientThread>(plan);
      statuses[t] = clients[t]->Connect();
      connected.fetch_add(1);
      wait_for(1);
      if (!abort && options.preload) {
        const uint64_t lo = options.keys * t / n;
        const uint64_t hi = options.keys * (t + 1) / n;
        statuses[t] = clients[t]->Preload(lo, hi);
      }
      preloaded.fetch_add(1);
      wait_for(2);
      if (!abort) clients[t]->Load(phases[t], &mailboxes[t]);
      thread_finished[t].store(true);
      finished.fetch_add(1);
    });
  }

  auto wait_count = [&](std::atomic<int>& count) {
    while (count.load() < n) {
      if (WaitForSignal(signals, 20'000'000)) stop.store(true);
    }
  };
  auto first_error = [&]() -> absl::Status {
    for (const absl::Status& s : statuses) {
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  };
  auto finish = [&](absl::Status status) -> absl::StatusOr<RunResult> {
    if (go.load() < 2) {
      abort = true;
      release(2);
    }
    for (std::thread& th : threads) th.join();
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    if (!status.ok()) return status;
    return std::move(result);
  };

  wait_count(connected);
  if (absl::Status s = first_error(); !s.ok()) return finish(s);
  for (const auto& c : clients) result.connections += static_cast<int>(c->connections());
  result.ring_mode = clients[0]->result().ring_mode;

  const int64_t preload_start = NowNs();
  release(1);
  wait_count(preloaded);
  result.preload_seconds = (NowNs() - preload_start) / 1e9;
  for (const auto& c : clients) result.preload.Add(c->result().preload);
  if (absl::Status s = first_error(); !s.ok()) return finish(s);
  if (stop.load()) {
    result.interrupted = true;
    return finish(absl::OkStatus());
  }
  if (options.requests == 0 && options.duration_seconds == 0) {  // preload only
    for (const auto& c : clients) result.live_connections += c->result().live_connections;
    return finish(absl::OkStatus());
  }

  const int64_t load_start = NowNs();
  LoadPhase phase;
  phase.measure_start_ns = load_start + static_cast<int64_t>(options.warmup_seconds * 1e9);
  phase.end_ns = options.requests != 0 ? 0
                                       : phase.measure_start_ns +
                                             static_cast<int64_t>(options.duration_seconds * 1e9);
  phase.rate = options.rate / n;
  // The request quota is split exactly; the first threads take the remainder.
  for (int t = 0; t < n; ++t) {
    phases[t] = phase;
    phases[t].quota = options.requests / n + (static_cast<uint64_t>(t) < options.requests % n);
  }
  release(2);

  // Measure the tool's own CPU over the measured phase only.
  while (NowNs() < phase.measure_start_ns && !stop.load()) {
    if (WaitForSignal(signals, phase.measure_start_ns - NowNs())) stop.store(true);
  }
  rusage usage_start;
  getrusage(RUSAGE_SELF, &usage_start);

  TimelineMerger merger(n);
  // Where the measured phase ends: known up front for a duration; for a
  // request quota, once every thread has finished (read only then: each
  // thread writes its own end before it says it has finished).
  int64_t run_end = phase.end_ns != 0 ? phase.end_ns : INT64_MAX;
  auto all_finished = [&] {
    for (int t = 0; t < n; ++t) {
      if (!thread_finished[t].load()) return false;
    }
    return true;
  };
  auto settle_end = [&] {
    if (phase.end_ns != 0) return;
    run_end = 0;
    for (const auto& c : clients) run_end = std::max(run_end, c->result().measured_end_ns);
  };
  auto seconds_of = [&](int64_t index) {
    const int64_t from = std::max(phase.measure_start_ns + index * kNsPerSecond, load_start);
    const int64_t to = std::min(phase.measure_start_ns + (index + 1) * kNsPerSecond, run_end);
    return std::max<int64_t>(to - from, 0) / 1e9;
  };
  auto emit = [&](const TimelinePoint& point) {
    if (point.index >= 0) result.timeline.push_back(point);
    if (on_second) on_second(point);
  };
  int64_t next_wake = phase.measure_start_ns;
  while (finished.load() < n) {
    next_wake += kNsPerSecond;
    // A little after the boundary, so the threads have posted it.
    const int64_t wake = next_wake + 20'000'000;
    while (NowNs() < wake && finished.load() < n) {
      if (WaitForSignal(signals, std::min<int64_t>(wake - NowNs(), 50'000'000))) {
        stop.store(true);
      }
    }
    for (int t = 0; t < n; ++t) {
      const bool done = thread_finished[t].load();
      merger.Add(t, mailboxes[t].Take());
      if (done) merger.Finished(t);
    }
    if (all_finished()) settle_end();
    merger.Drain(false, seconds_of, emit);
  }
  for (std::thread& th : threads) th.join();
  threads.clear();
  rusage usage_end;
  getrusage(RUSAGE_SELF, &usage_end);
  settle_end();
  for (int t = 0; t < n; ++t) {
    merger.Add(t, mailboxes[t].Take());
    merger.Finished(t);
  }
  merger.Drain(true, seconds_of, emit);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);

  result.interrupted = stop.load();
  result.cpu_user_seconds = CpuSeconds(usage_end.ru_utime) - CpuSeconds(usage_start.ru_utime);
  result.cpu_system_seconds = CpuSeconds(usage_end.ru_stime) - CpuSeconds(usage_start.ru_stime);
  int64_t measured_end = 0;
  for (const auto& c : clients) {
    ThreadResult& r = c->result();
    result.counters.Add(r.counters);
    result.latency.Merge(r.latency);
    result.schedule.lag.Merge(r.schedule.lag);
    result.schedule.backlog_peak = std::max(result.schedule.backlog_peak, r.schedule.backlog_peak);
    result.schedule.dropped += r.schedule.dropped;
    result.ring_enters += r.ring_enters;
    result.completions += r.completions;
    result.sends += r.sends;
    result.receives += r.receives;
    result.live_connections += r.live_connections;
    measured_end = std::max(measured_end, r.measured_end_ns);
  }
  result.measured_seconds = std::max<int64_t>(measured_end - phase.measure_start_ns, 0) / 1e9;
  return result;
}

}  // namespace ringcache::ringload
