// `watch`: memcached's live log streams (fetchers, mutations, evictions,
// connevents, ...), fed from every worker to the connections watching them.
//
// Producers (any worker) check Active(category) first: one relaxed load of a
// mask that changes only when watchers come and go, so with nobody watching a
// request pays nothing else. When a watcher wants the category, the event is
// formatted once and appended to each interested watcher's bounded queue; a
// watcher that falls behind loses lines and is told how many with a
// "skipped=N" line (memcached's watcher_logbuf_size). The queue is drained on
// the watcher's own worker, by a task Post()ed at most once per drain, into
// the watcher connection's output.
//
// Invariants: every event gets the next global id (gid); a watcher sees the
// events of its categories in gid order per producer; the hub never touches
// a watcher connection after its OnClose.
//
// Threading: Active/Publish from any worker; Add/Remove on the watcher's
// worker; Drain runs there too.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"

#include "ringcache/io/engine.h"
#include "ringcache/io/handler.h"
#include "ringcache/protocol/text_request.h"
#include "ringcache/protocol/watch_lines.h"
#include "ringcache/storage/store.h"

namespace ringcache::server {

class WatchHub {
 public:
  // One watching connection.
  class Watcher {
   public:
    Watcher(io::Connection* conn, int worker, uint16_t mask, size_t limit)
        : conn_(conn), worker_(worker), mask_(mask), limit_(limit) {}

   private:
    friend class WatchHub;
    io::Connection* conn_;  // only touched on worker_, nulled by Remove
    const int worker_;
    const uint16_t mask_;
    const size_t limit_;
    absl::Mutex mu_;
    std::string pending_;         // guarded by mu_
    uint64_t pending_lines_ = 0;  // guarded by mu_
    uint64_t skipped_ = 0;        // guarded by mu_
    bool drain_posted_ = false;   // guarded by mu_
  };

  WatchHub() = default;
  void set_engine(io::Engine* engine) { engine_ = engine; }

  bool Active(uint16_t category) const {
    return (mask_.load(std::memory_order_relaxed) & category) != 0;
  }

  std::shared_ptr<Watcher> Add(io::Connection* conn, int worker, uint16_t mask, size_t limit);
  void Remove(const std::shared_ptr<Watcher>& watcher);
  size_t watchers() const;

  // Formats the event with `format(OutBuffer&, const WatchStamp&)` into
  // every watcher of `category`. `scratch` is the calling worker's buffer.
  template <typename Format>
  void Publish(uint16_t category, base::OutBuffer& scratch, Format&& format) {
    protocol::WatchStamp stamp = NextStamp();
    format(scratch, stamp);
    std::string line;
    scratch.CopyTo(&line);
    scratch.Clear();
    Deliver(category, line);
  }

  // Counters for `stats` (log_watcher_sent, log_watcher_skipped).
  uint64_t sent() const { return sent_.load(std::memory_order_relaxed); }
  uint64_t skipped() const { return skipped_.load(std::memory_order_relaxed); }
  uint64_t produced() const { return gid_.load(std::memory_order_relaxed); }

 private:
  protocol::WatchStamp NextStamp();
  void Deliver(uint16_t category, std::string_view line);
  void Drain(const std::shared_ptr<Watcher>& watcher);

  io::Engine* engine_ = nullptr;
  std::atomic<uint16_t> mask_{0};
  std::atomic<uint64_t> gid_{0};
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> skipped_{0};
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<Watcher>> watchers_;  // guarded by mu_
};

// Publishes the store's evictions as memcached's type=eviction lines. The
// store calls it on the evicting thread (a worker or the maintainer), so it
// formats in its own scratch buffer under its own lock.
class EvictionWatch final : public storage::EvictionListener {
 public:
  explicit EvictionWatch(WatchHub& hub) : hub_(hub) {}
  bool wanted() const override { return hub_.Active(protocol::kWatchEvictions); }
  void OnEviction(const storage::EvictionEvent& e) override;

 private:
  WatchHub& hub_;
  absl::Mutex mu_;
  base::BlockPool pool_{4096};
  base::OutBuffer scratch_{&pool_};  // guarded by mu_
};

}  // namespace ringcache::server
