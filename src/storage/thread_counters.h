// Statistics counters of one store thread, summed when `stats` asks.
//
// Each counter is written only by its owner thread (a relaxed load and store,
// no read-modify-write, so no cache line is shared on the request path) and
// read by the collector with relaxed loads. Item counts move between threads
// (one links, another evicts), so per-thread gauges are signed and only their
// sum is meaningful.
//
// Threading: Add/Sub from the owner thread only; Sum* from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "ringcache/storage/item.h"
#include "ringcache/storage/store_stats.h"

namespace ringcache::storage {

class Counter {
 public:
  void Add(int64_t v = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
  }
  void Set(int64_t v) { v_.store(v, std::memory_order_relaxed); }
  int64_t Get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// Per size class, indexed by the class table index.
struct ClassCounters {
  Counter items[kSegments];
  Counter mem_requested;
  Counter used_chunks;
  Counter evicted, evicted_nonzero, evicted_unfetched, evicted_active;
  Counter evicted_time_at;  // (now << 32) | age of the latest eviction on this thread
  Counter outofmemory, reclaimed, expired_unfetched;
  Counter crawler_reclaimed, crawler_items_checked;
  Counter moves_to_cold, moves_to_warm, moves_within_lru, direct_reclaims;
  Counter hits[kSegments];
  Counter cmd_set, delete_hits, incr_hits, decr_hits, cas_hits, cas_badval, touch_hits;
};

class ThreadCounters {
 public:
  explicit ThreadCounters(int classes) : classes_(new ClassCounters[classes]), count_(classes) {}

  ClassCounters& cls(int index) { return classes_[index]; }
  const ClassCounters& cls(int index) const { return classes_[index]; }
  int class_count() const { return count_; }

  Counter total_items;
  Counter get_expired, get_flushed;
  Counter lru_maintainer_juggles, lru_crawler_starts;

  // Adds this thread's counters into `out` (classes indexed like the table).
  // `latest_eviction[i]` tracks the newest eviction seen for class i so far,
  // so that evicted_time reports the most recent one over all threads.
  void SumInto(ClassStats* out_classes, uint64_t* latest_eviction, StoreStats* out) const;
  // Adds `other` into this (folding a departing thread into the store's totals).
  void Absorb(const ThreadCounters& other);

 private:
  std::unique_ptr<ClassCounters[]> classes_;
  int count_;
};

}  // namespace ringcache::storage
