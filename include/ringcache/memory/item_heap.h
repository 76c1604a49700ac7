// Where items live: one reserved virtual region, one jemalloc arena per NUMA
// node carved from it, and an explicit jemalloc tcache per thread.
//
// Why a region of our own: every item sits at `base + ref * 16` for a 32-bit
// `ref`, so the store's index and LRU queues hold 4-byte references
// instead of 8-byte pointers. jemalloc allocates from this region because its
// arenas are created with extent hooks that carve extents out of it (a bump
// pointer per node partition; jemalloc retains and reuses what it is given, so
// the bump pointer only moves when the cache grows). The region is reserved
// with MAP_NORESERVE: untouched pages cost neither RAM nor commit charge, and
// purged pages (jemalloc's decay calls our purge hooks) return to the kernel.
//
// Invariants:
//   - region_bytes <= kMaxRegionBytes (2^32 references of 16 bytes);
//     reference 0 is never an item (the first page of the region is skipped).
//   - Node n allocates only from partition n of the region; the partition is
//     bound to the node's memory with mbind(MPOL_PREFERRED) when the topology
//     is NUMA, so the kernel places its pages on that node when it can.
//   - Every allocation and free goes through sanitizers.h's hooks.
//
// Threading: ItemHeap is thread-safe (jemalloc locks internally; the carve
// hook takes a per-node mutex). Threads allocate and free through their own
// HeapCache (heap_cache.h).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <jemalloc/jemalloc.h>

#include "absl/status/statusor.h"

#include "ringcache/base/compiler.h"

namespace ringcache::memory {

struct ItemHeapOptions {
  // Virtual bytes reserved for items of all nodes; at most kMaxRegionBytes.
  size_t region_bytes = size_t{64} << 30;
  // One arena per entry; the value is the kernel node id used for mbind, or
  // -1 not to bind that partition (single-node machines, injected topologies).
  std::vector<int> node_ids = {-1};
  // Ask for transparent huge pages on the region (madvise mode): a GET on a
  // large cache then misses the TLB far less often. Costs under 1 byte of
  // RSS per small item; a no-op where THP is disabled.
  bool huge_pages = true;
};

class ItemHeap {
 public:
  static constexpr size_t kRefUnit = 16;
  static constexpr size_t kMaxRegionBytes = kRefUnit << 32;

  static absl::StatusOr<std::unique_ptr<ItemHeap>> Create(const ItemHeapOptions& options);
  // Destroys the arenas (every allocation in them at once) and unmaps the
  // region. Every HeapCache must be destroyed first.
  ~ItemHeap();
  ItemHeap(const ItemHeap&) = delete;
  ItemHeap& operator=(const ItemHeap&) = delete;

  int nodes() const { return static_cast<int>(nodes_.size()); }
  unsigned arena_index(int node) const;
  char* base() const { return base_; }
  size_t region_bytes() const { return region_bytes_; }
  // Virtual bytes handed to jemalloc so far, over all nodes.
  size_t carved_bytes() const;
  // Partitions whose mbind failed (the store still works, without locality).
  int bind_failures() const { return bind_failures_; }

  // Compressed references. `p` must point into the region, 16-byte aligned.
  RC_ALWAYS_INLINE uint32_t ToRef(const void* p) const {
    return static_cast<uint32_t>(static_cast<uint64_t>(static_cast<const char*>(p) - base_) >> 4);
  }
  RC_ALWAYS_INLINE char* FromRef(uint32_t ref) const { return FromRef(base_, ref); }
  // The same against a base() the caller holds in a register (loops whose
  // atomic loads would make the compiler reread base_ every time).
  RC_ALWAYS_INLINE static char* FromRef(char* base, uint32_t ref) {
    return base + (static_cast<uint64_t>(ref) << 4);
  }
  bool Contains(const void* p) const {
    const char* c = static_cast<const char*>(p);
    return c >= base_ && c < base_ + region_bytes_;
  }
  // Node partition holding `p`.
  int NodeOf(const void* p) const {
    return static_cast<int>(static_cast<size_t>(static_cast<const char*>(p) - base_) /
                            partition_bytes_);
  }

  // Bytes jemalloc really hands out for a request of `n` (its size class).
  static size_t AllocationSize(size_t n) { return nallocx(n, 0); }

 private:
  struct NodeArena;
  friend class HeapCache;

  ItemHeap() = default;

  char* base_ = nullptr;
  size_t region_bytes_ = 0;
  size_t partition_bytes_ = 0;
  int bind_failures_ = 0;
  std::vector<std::unique_ptr<NodeArena>> nodes_;
};

}  // namespace ringcache::memory
