// What the store reports for `stats`, `stats items`, `stats slabs` and
// `stats sizes`.
//
// memcached reports per slab class; ringcache has no slab allocator, so the
// same lines are reported per jemalloc size class (item head allocations).
// Class ids are numbered from 1 at the smallest class that can hold an item,
// so small items land in class 1 as they do in memcached; `chunk_size` is the
// jemalloc class size. The segmented LRU is per stripe, not per class, so the
// LRU ages (age, age_hot, age_warm) are the store's oldest tails, repeated
// for every class.
//
// Counters are kept per thread and summed on collection, so a snapshot is
// consistent per counter but not across counters (as in memcached).
//
// Threading: plain value types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ringcache/storage/item.h"

namespace ringcache::storage {

// One line group of `stats items` plus one of `stats slabs`.
struct ClassStats {
  int id = 0;                    // memcached's slab class id
  size_t chunk_size = 0;         // jemalloc size class
  uint32_t chunks_per_page = 0;  // allocations per jemalloc slab (1 for large classes)
  size_t page_size = 0;          // bytes of one jemalloc slab (or of the allocation)
  // Linked items whose head allocation is in this class, per LRU segment.
  uint64_t items[kSegments] = {};
  uint64_t number() const { return items[0] + items[1] + items[2] + items[3]; }
  uint64_t mem_requested = 0;  // bytes those items asked for (header, key, value)
  uint64_t used_chunks = 0;    // allocations alive, linked or not
  uint64_t age_hot = 0, age_warm = 0, age = 0;
  // Eviction and reclamation.
  uint64_t evicted = 0, evicted_nonzero = 0, evicted_unfetched = 0, evicted_active = 0;
  uint32_t evicted_time = 0;  // age of the last evicted item
  uint64_t outofmemory = 0, reclaimed = 0, expired_unfetched = 0;
  uint64_t crawler_reclaimed = 0, crawler_items_checked = 0;
  uint64_t moves_to_cold = 0, moves_to_warm = 0, moves_within_lru = 0, direct_reclaims = 0;
  uint64_t hits[kSegments] = {};  // hits_to_hot/warm/cold/temp
  // Per-class command counters of `stats slabs`.
  uint64_t get_hits = 0, cmd_set = 0, delete_hits = 0, incr_hits = 0, decr_hits = 0;
  uint64_t cas_hits = 0, cas_badval = 0, touch_hits = 0;
};

struct StoreStats {
  uint64_t curr_items = 0;
  uint64_t total_items = 0;
  uint64_t bytes = 0;           // allocation bytes of linked items (nallocx sizes)
  uint64_t limit_maxbytes = 0;  // -m / cache_memlimit
  uint64_t total_malloced = 0;  // bytes charged to -m: items (linked or not), index, LRU queues
  // Sums over classes of the per-class counters.
  uint64_t evictions = 0, evicted_nonzero = 0, evicted_unfetched = 0, evicted_active = 0;
  uint64_t expired_unfetched = 0, reclaimed = 0, outofmemory = 0;
  uint64_t moves_to_cold = 0, moves_to_warm = 0, moves_within_lru = 0, direct_reclaims = 0;
  uint64_t get_hits = 0, cmd_set = 0, delete_hits = 0, incr_hits = 0, decr_hits = 0;
  uint64_t cas_hits = 0, cas_badval = 0, touch_hits = 0;
  // Hits on items found expired or flushed (memcached's get_expired/get_flushed).
  uint64_t get_expired = 0, get_flushed = 0;
  // memcached drops COLD hits it cannot queue; ringcache rescues active items
  // at the COLD tail instead of queueing them, so nothing is ever dropped.
  uint64_t lru_bumps_dropped = 0;
  uint64_t crawler_reclaimed = 0, crawler_items_checked = 0;
  uint64_t lru_crawler_starts = 0;
  bool lru_crawler_running = false;
  uint64_t lru_maintainer_juggles = 0;
  uint64_t hash_power_level = 0;  // log2 of the index's buckets, all stripes together
  uint64_t hash_bytes = 0;        // bytes of bucket heads
  bool hash_is_expanding = false;
  uint64_t lru_queue_bytes = 0;   // bytes of LRU queue blocks
  base::RelTime oldest_live = 0;  // flush_all deadline in force (memcached's "oldest")
  int stripes = 0;
  int numa_nodes = 0;
};

// `stats sizes`: item sizes in 32-byte buckets (memcached's histogram).
struct SizesHistogram {
  enum class Status : uint8_t { kEnabled, kDisabled, kCasDisabled };
  Status status = Status::kDisabled;
  std::vector<std::pair<size_t, uint64_t>> buckets;  // (bucket bytes, items), non-zero only
};

}  // namespace ringcache::storage
