// A thread's front to the item heap: an explicit jemalloc tcache, and the
// arena of the thread's NUMA node.
//
// Invariants:
//   - Allocations come from the arena of this cache's node.
//   - A block of another node freed here goes straight back to its own arena
//     (bypassing the tcache), so it is never reused on the wrong node.
//   - Every allocation and free goes through sanitizers.h's hooks.
//
// Threading: a HeapCache belongs to one thread: it owns a jemalloc tcache,
// which is not thread-safe. Any thread may free any item through its own
// HeapCache.
#pragma once

#include <cstddef>

#include "ringcache/memory/item_heap.h"

namespace ringcache::memory {

class HeapCache {
 public:
  HeapCache(ItemHeap* heap, int node);
  ~HeapCache();
  HeapCache(const HeapCache&) = delete;
  HeapCache& operator=(const HeapCache&) = delete;

  int node() const { return node_; }
  ItemHeap* heap() const { return heap_; }

  // `n` bytes from this thread's node arena, or nullptr when the region is
  // exhausted. The block is AllocationSize(n) bytes long.
  void* Allocate(size_t n);
  // Returns a block obtained from Allocate (on any thread) with the same `n`.
  void Free(void* p, size_t n);
  // Frees without any thread's cache: for threads that hold no HeapCache.
  static void FreeUncached(void* p, size_t n);

 private:
  ItemHeap* heap_;
  int node_;
  unsigned tcache_ = 0;
  int alloc_flags_ = 0;
  int free_flags_ = 0;
};

}  // namespace ringcache::memory
