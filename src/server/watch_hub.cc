#include "watch_hub.h"

#include <algorithm>

#include <sys/time.h>

namespace ringcache::server {

std::shared_ptr<WatchHub::Watcher> WatchHub::Add(io::Connection* conn, int worker, uint16_t mask,
                                                 size_t limit) {
  auto w = std::make_shared<Watcher>(conn, worker, mask, limit);
  absl::MutexLock lock(&mu_);
  watchers_.push_back(w);
  uint16_t all = 0;
  for (const auto& x : watchers_) all |= x->mask_;
  mask_.store(all, std::memory_order_relaxed);
  return w;
}

void WatchHub::Remove(const std::shared_ptr<Watcher>& watcher) {
  {
    absl::MutexLock lock(&watcher->mu_);
    watcher->conn_ = nullptr;
  }
  absl::MutexLock lock(&mu_);
  watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), watcher), watchers_.end());
  uint16_t all = 0;
  for (const auto& x : watchers_) all |= x->mask_;
  mask_.store(all, std::memory_order_relaxed);
}

size_t WatchHub::watchers() const {
  absl::MutexLock lock(&mu_);
  return watchers_.size();
}

protocol::WatchStamp WatchHub::NextStamp() {
  timeval tv;
  gettimeofday(&tv, nullptr);
  protocol::WatchStamp s;
  s.seconds = tv.tv_sec;
  s.microseconds = static_cast<int32_t>(tv.tv_usec);
  s.gid = gid_.fetch_add(1, std::memory_order_relaxed) + 1;
  return s;
}

void WatchHub::Deliver(uint16_t category, std::string_view line) {
  absl::MutexLock lock(&mu_);
  for (const std::shared_ptr<Watcher>& w : watchers_) {
    if ((w->mask_ & category) == 0) continue;
    bool post = false;
    {
      absl::MutexLock wl(&w->mu_);
      if (w->pending_.size() + line.size() > w->limit_) {
        ++w->skipped_;
        skipped_.fetch_add(1, std::memory_order_relaxed);
      } else {
        w->pending_.append(line);
        ++w->pending_lines_;
      }
      if (!w->drain_posted_) {
        w->drain_posted_ = true;
        post = true;
      }
    }
    if (post && engine_ != nullptr) {
      engine_->Post(w->worker_, [this, w] { Drain(w); });
    }
  }
}

void WatchHub::Drain(const std::shared_ptr<Watcher>& w) {
  absl::MutexLock lock(&w->mu_);
  w->drain_posted_ = false;
  io::Connection* conn = w->conn_;
  if (conn == nullptr) return;
  // A watcher that does not read keeps its lines queued (and, once the
  // queue is full, loses new ones) instead of growing its output.
  if (conn->OutputFull()) return;
  base::OutBuffer& out = conn->out();
  if (w->skipped_ != 0) {
    protocol::AppendWatchSkipped(out, w->skipped_);
    w->skipped_ = 0;
  }
  if (!w->pending_.empty()) {
    out.Append(w->pending_);
    sent_.fetch_add(w->pending_lines_, std::memory_order_relaxed);
    w->pending_.clear();
    w->pending_lines_ = 0;
  }
  conn->Flush();
}

void EvictionWatch::OnEviction(const storage::EvictionEvent& e) {
  absl::MutexLock lock(&mu_);
  const int64_t ttl = e.exptime == 0 ? -1 : static_cast<int64_t>(e.exptime) - e.now;
  const int32_t idle = static_cast<int32_t>(e.now - std::min(e.now, e.last_access));
  hub_.Publish(protocol::kWatchEvictions, scratch_,
               [&](base::OutBuffer& out, const protocol::WatchStamp& stamp) {
                 protocol::AppendWatchEviction(out, stamp, e.key, e.fetched, ttl, idle,
                                               static_cast<uint32_t>(e.class_id),
                                               static_cast<uint32_t>(e.value_bytes));
               });
}

}  // namespace ringcache::server
