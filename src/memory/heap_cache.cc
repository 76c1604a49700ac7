#include "ringcache/memory/heap_cache.h"

#include <algorithm>

namespace ringcache::memory {

HeapCache::HeapCache(ItemHeap* heap, int node, const HeapCacheLimits& limits)
    : heap_(heap),
      node_(node),
      node_begin_(heap->base_ + static_cast<size_t>(node) * heap->partition_bytes_),
      node_bytes_(heap->partition_bytes_),
      limits_(limits),
      room_(limits.max_bytes) {
  limits_.max_block_size = std::min(limits_.max_block_size, kMaxCachedBlockSize);
  limits_.max_blocks = std::min<uint32_t>(limits_.max_blocks, UINT16_MAX);
  // Number jemalloc's classes up to max_block_size, as nallocx rounds.
  class_of_slot_.fill(kUncached);
  int bins = 0;
  size_t last = 0;
  for (size_t slot = 0; slot < kSlots; ++slot) {
    const size_t size = nallocx(std::max<size_t>(slot * 8, 1), 0);
    if (size > limits_.max_block_size) break;
    if (size != last) {
      if (bins == kMaxBins) break;
      Bin& b = bins_[bins++];
      b.size = static_cast<uint32_t>(size);
      last = size;
    }
    class_of_slot_[slot] = static_cast<uint8_t>(bins - 1);
  }

  size_t len = sizeof(tcache_);
  // Without a tcache of its own a thread would still work (the arena's bins
  // serve it under their lock); failure to create one only costs speed.
  if (mallctl("tcache.create", &tcache_, &len, nullptr, 0) == 0) {
    alloc_flags_ = MALLOCX_ARENA(heap->arena_index(node)) | MALLOCX_TCACHE(tcache_);
    free_flags_ = MALLOCX_TCACHE(tcache_);
  } else {
    tcache_ = ~0u;
    alloc_flags_ = MALLOCX_ARENA(heap->arena_index(node)) | MALLOCX_TCACHE_NONE;
    free_flags_ = MALLOCX_TCACHE_NONE;
  }
}

HeapCache::~HeapCache() {
  Flush();
  if (tcache_ != ~0u) mallctl("tcache.destroy", nullptr, nullptr, &tcache_, sizeof(tcache_));
}

void HeapCache::Flush() {
  for (Bin& b : bins_) {
    // Already annotated as freed when they entered the cache.
    for (uint32_t i = 0; i < b.count; ++i) sdallocx(b.blocks[i], b.size, free_flags_);
    room_ += static_cast<size_t>(b.count) * b.size;
    b.count = 0;
  }
}

size_t HeapCache::cached_blocks() const {
  size_t n = 0;
  for (const Bin& b : bins_) n += b.count;
  return n;
}

// Not const: it allocates from this object's tcache.
// NOLINTNEXTLINE(readability-make-member-function-const)
void* HeapCache::AllocateFromJemalloc(size_t n) {
  if (const unsigned cls = ClassOf(n); cls != kUncached && bins_[cls].blocks == nullptr) {
    // This thread allocates the class: from now on its frees are kept.
    Bin& b = bins_[cls];
    const size_t capacity = std::min<size_t>(limits_.max_blocks, limits_.max_bytes / b.size);
    if (capacity > 0) {
      b.blocks = std::make_unique_for_overwrite<void*[]>(capacity);
      b.capacity = static_cast<uint16_t>(capacity);
    }
  }
  void* p = mallocx(n, alloc_flags_);
  if (p != nullptr) AnnotateAllocated(p, ItemHeap::AllocationSize(n));
  return p;
}

void HeapCache::FreeToJemalloc(void* p, size_t n) {
  AnnotateFreed(p, ItemHeap::AllocationSize(n));
  // A block of another node's arena must not enter this thread's tcache
  // either: the next allocation here would hand remote memory to a local
  // worker.
  const bool local = static_cast<size_t>(static_cast<char*>(p) - node_begin_) < node_bytes_;
  sdallocx(p, n, local ? free_flags_ : MALLOCX_TCACHE_NONE);
}

void HeapCache::FreeUncached(void* p, size_t n) {
  AnnotateFreed(p, ItemHeap::AllocationSize(n));
  sdallocx(p, n, MALLOCX_TCACHE_NONE);
}

}  // namespace ringcache::memory
