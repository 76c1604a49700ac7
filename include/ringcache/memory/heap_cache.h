// A thread's front to the item heap: its jemalloc tcache, and in front of
// that a small LIFO cache of item blocks it freed, per size class.
//
// Why a cache of our own: every overwrite frees one item and allocates one of
// the same class, a few event-loop turns apart. Through jemalloc that is a
// mallocx and an sdallocx with arena and tcache flags, which take its general
// path rather than the flags==0 fast path: ~500 instructions per pair under
// callgrind. Here a free pushes the block onto its class's stack and an
// allocation pops it: a table lookup and a few loads and stores (~40 per
// pair). Only when a stack is empty (allocate) or full (free) does jemalloc
// see the call.
//
// Invariants:
//   - Only blocks of this cache's node enter it (a block freed here that
//     belongs to another node goes straight back to its own arena), so an
//     allocation never hands remote memory to a local worker.
//   - Only small classes up to limits.max_block_size are cached; a stack
//     holds at most limits.max_blocks blocks and all stacks together at most
//     limits.max_bytes bytes (class sizes).
//   - Only classes this thread allocates are cached: a class's stack is made
//     when jemalloc serves its first allocation of that class. A thread that
//     only frees (the store's maintainer: expiry, eviction) caches nothing,
//     so its frees do not park memory nobody will take.
//   - A cached block is, to the sanitizers, a freed block: AnnotateFreed when
//     it enters the cache, AnnotateAllocated when it is handed out, exactly
//     as around a round trip through jemalloc (sanitizers.h).
//   - Blocks are still jemalloc allocations: the destructor (or Flush) gives
//     them back before the tcache goes. Memory accounting is unaffected: the
//     store charges and credits class sizes when items are linked and
//     unlinked, never at allocation or free.
//
// Threading: a HeapCache belongs to one thread (its tcache and stacks are not
// thread-safe). Any thread may free any item through its own HeapCache.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "ringcache/base/compiler.h"
#include "ringcache/memory/item_heap.h"
#include "ringcache/memory/sanitizers.h"

namespace ringcache::memory {

struct HeapCacheLimits {
  // Bytes (class sizes) of cached blocks over all classes.
  size_t max_bytes = size_t{256} << 10;
  // Blocks cached per class (also capped at max_bytes / class size).
  uint32_t max_blocks = 1024;
  // Classes above this size are not cached; at most kMaxCachedBlockSize.
  size_t max_block_size = 4096;
};

class HeapCache {
 public:
  static constexpr size_t kMaxCachedBlockSize = 4096;

  HeapCache(ItemHeap* heap, int node, const HeapCacheLimits& limits = {});
  // Gives every cached block back to jemalloc, then destroys the tcache.
  ~HeapCache();
  HeapCache(const HeapCache&) = delete;
  HeapCache& operator=(const HeapCache&) = delete;

  int node() const { return node_; }
  ItemHeap* heap() const { return heap_; }

  // `n` bytes from this thread's node, or nullptr when the region is
  // exhausted. The block is ItemHeap::AllocationSize(n) bytes long.
  RC_ALWAYS_INLINE void* Allocate(size_t n) {
    const unsigned cls = ClassOf(n);
    if (RC_LIKELY(cls != kUncached)) {
      Bin& b = bins_[cls];
      if (RC_LIKELY(b.count > 0)) {
        void* p = b.blocks[--b.count];
        // The next allocation of this class writes the block below: start
        // taking its line now (it has usually left the cache since its free).
        if (b.count > 0) __builtin_prefetch(b.blocks[b.count - 1], 1);
        room_ += b.size;
        AnnotateAllocated(p, b.size);
        return p;
      }
    }
    return AllocateFromJemalloc(n);
  }

  // Returns a block obtained from Allocate (of any thread's HeapCache) with
  // the same `n`.
  RC_ALWAYS_INLINE void Free(void* p, size_t n) {
    const unsigned cls = ClassOf(n);
    if (RC_LIKELY(cls != kUncached)) {
      Bin& b = bins_[cls];
      if (RC_LIKELY(b.count < b.capacity && room_ >= b.size &&
                    static_cast<size_t>(static_cast<char*>(p) - node_begin_) < node_bytes_)) {
        AnnotateFreed(p, b.size);
        b.blocks[b.count++] = p;
        room_ -= b.size;
        return;
      }
    }
    FreeToJemalloc(p, n);
  }

  // Frees without any thread's cache: for threads that hold no HeapCache.
  static void FreeUncached(void* p, size_t n);

  // Gives every cached block back to jemalloc.
  void Flush();
  // Blocks and bytes (class sizes) held by the cache (tests, stats).
  size_t cached_blocks() const;
  size_t cached_bytes() const { return limits_.max_bytes - room_; }

 private:
  // (n + 7) / 8 -> class: jemalloc's classes are multiples of 8, so every n
  // in ((k-1)*8, k*8] has the same class.
  static constexpr size_t kSlots = kMaxCachedBlockSize / 8 + 1;
  static constexpr unsigned kUncached = 0xff;
  // jemalloc's classes up to 4 KB: 8, 16, then 16-byte steps to 128, then
  // four per doubling (29 classes with a 16-byte quantum).
  static constexpr int kMaxBins = 40;

  struct Bin {
    std::unique_ptr<void*[]> blocks;  // `capacity` slots, allocated on the first jemalloc call
    uint16_t count = 0;
    uint16_t capacity = 0;  // 0 until `blocks` exists: frees take the slow path
    uint32_t size = 0;      // bytes of one block of this class
  };

  RC_ALWAYS_INLINE unsigned ClassOf(size_t n) const {
    return n <= kMaxCachedBlockSize ? class_of_slot_[(n + 7) >> 3] : kUncached;
  }
  void* AllocateFromJemalloc(size_t n);
  // Not cached: another node's block, a full stack or cache, a large class.
  void FreeToJemalloc(void* p, size_t n);

  ItemHeap* heap_;
  int node_;
  // This node's partition of the region: [node_begin_, node_begin_ + node_bytes_).
  const char* node_begin_;
  size_t node_bytes_;
  HeapCacheLimits limits_;
  size_t room_;  // max_bytes minus the bytes cached
  std::array<uint8_t, kSlots> class_of_slot_;
  std::array<Bin, kMaxBins> bins_{};
  unsigned tcache_ = 0;
  int alloc_flags_ = 0;
  int free_flags_ = 0;
};

}  // namespace ringcache::memory
