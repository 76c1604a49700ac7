#include "ringcache/memory/heap_cache.h"

#include "ringcache/memory/sanitizers.h"

namespace ringcache::memory {

HeapCache::HeapCache(ItemHeap* heap, int node) : heap_(heap), node_(node) {
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
  if (tcache_ != ~0u) mallctl("tcache.destroy", nullptr, nullptr, &tcache_, sizeof(tcache_));
}

// Not const: it allocates from this object's tcache.
// NOLINTNEXTLINE(readability-make-member-function-const)
void* HeapCache::Allocate(size_t n) {
  void* p = mallocx(n, alloc_flags_);
  if (p != nullptr) AnnotateAllocated(p, ItemHeap::AllocationSize(n));
  return p;
}

void HeapCache::Free(void* p, size_t n) {
  AnnotateFreed(p, ItemHeap::AllocationSize(n));
  // A block of another node's arena must not enter this thread's tcache:
  // the next allocation here would hand remote memory to a local worker.
  const int flags = heap_->NodeOf(p) == node_ ? free_flags_ : MALLOCX_TCACHE_NONE;
  sdallocx(p, n, flags);
}

void HeapCache::FreeUncached(void* p, size_t n) {
  AnnotateFreed(p, ItemHeap::AllocationSize(n));
  sdallocx(p, n, MALLOCX_TCACHE_NONE);
}

}  // namespace ringcache::memory
