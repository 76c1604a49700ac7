// Per-worker command counters of the server layer: the `stats` fields that
// are not per size class (those the store counts itself) and not io's
// (connections, bytes, yields come from io::WorkerStats).
//
// Each worker writes only its own ThreadStats, with relaxed load+store (one
// writer, so no read-modify-write is needed and nothing bounces between
// cores); `stats` reads every worker's counters with relaxed loads. A
// snapshot is therefore consistent per counter, not across counters, which
// is also what memcached offers.
//
// `stats reset` does not write other workers' counters: the server keeps a
// baseline snapshot and reports the difference.
//
// Threading: one writer (the owning worker), any number of readers.
#pragma once

#include <atomic>
#include <cstdint>

#include "ringcache/base/compiler.h"

namespace ringcache::server {

class Counter {
 public:
  RC_ALWAYS_INLINE void Add(uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t Load() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// The fields, in one list so that snapshot, sum and difference stay in step.
#define RC_THREAD_STAT_FIELDS(X) \
  X(get_cmds)                    \
  X(get_misses)                  \
  X(touch_cmds)                  \
  X(touch_misses)                \
  X(delete_misses)               \
  X(incr_misses)                 \
  X(decr_misses)                 \
  X(cas_misses)                  \
  X(flush_cmds)                  \
  X(meta_cmds)                   \
  X(auth_cmds)                   \
  X(auth_errors)                 \
  X(store_too_large)             \
  X(store_no_memory)             \
  X(response_obj_oom)            \
  X(read_buf_oom)

struct alignas(base::kCacheLine) ThreadStats {
#define RC_DECLARE_COUNTER(name) Counter name;
  RC_THREAD_STAT_FIELDS(RC_DECLARE_COUNTER)
#undef RC_DECLARE_COUNTER
};

// A plain copy of ThreadStats values, for sums and baselines.
struct ThreadStatsSnapshot {
#define RC_DECLARE_VALUE(name) uint64_t name = 0;
  RC_THREAD_STAT_FIELDS(RC_DECLARE_VALUE)
#undef RC_DECLARE_VALUE

  void Accumulate(const ThreadStats& s) {
#define RC_ACCUMULATE(name) name += s.name.Load();
    RC_THREAD_STAT_FIELDS(RC_ACCUMULATE)
#undef RC_ACCUMULATE
  }
  // Saturating difference: counters never appear to go backwards.
  ThreadStatsSnapshot Since(const ThreadStatsSnapshot& base) const {
    ThreadStatsSnapshot d;
#define RC_SUBTRACT(name) d.name = name >= base.name ? name - base.name : 0;
    RC_THREAD_STAT_FIELDS(RC_SUBTRACT)
#undef RC_SUBTRACT
    return d;
  }
};

}  // namespace ringcache::server
