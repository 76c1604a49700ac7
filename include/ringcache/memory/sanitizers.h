// Telling the sanitizers about memory they cannot see being recycled.
//
// Item memory comes from jemalloc, which is not built with sanitizers, so
// neither AddressSanitizer nor ThreadSanitizer knows when a block is freed and
// handed to another thread. Without help, ASan cannot flag a use after free of
// an item, and TSan reports every reuse of a freed block as a race between the
// old owner and the new one. Every item allocation and free goes through these
// two hooks:
//   - ASan: a freed block is poisoned, an allocated one unpoisoned, so a
//     reader that outlives its grace period trips immediately.
//   - TSan: a free releases, and an allocation acquires, a sync object per
//     4 KB page the block touches. That orders the previous owner's accesses
//     (and, through QSBR's epoch handshake, every reader's) before the next
//     owner's writes. A per-page object rather than a per-block one is needed
//     because jemalloc may carve a page into blocks of a different size class
//     later; the cost is that only accesses to the same page are ordered.
// In builds without sanitizers both hooks are empty inline functions.
//
// Threading: stateless; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>

#ifndef __has_feature
#define RC_HAS_FEATURE(x) 0
#else
#define RC_HAS_FEATURE(x) __has_feature(x)
#endif

#if defined(__SANITIZE_ADDRESS__) || RC_HAS_FEATURE(address_sanitizer)
#define RC_ASAN 1
#include <sanitizer/asan_interface.h>
#endif

#if defined(__SANITIZE_THREAD__) || RC_HAS_FEATURE(thread_sanitizer)
#define RC_TSAN 1
extern "C" {
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);
}
#endif

namespace ringcache::memory {

inline constexpr bool kUnderSanitizer =
#if defined(RC_ASAN) || defined(RC_TSAN)
    true;
#else
    false;
#endif

namespace sanitizer_internal {
inline constexpr uintptr_t kSyncPage = 4096;
template <typename Fn>
inline void ForEachPage(const void* p, size_t n, Fn fn) {
  uintptr_t page = reinterpret_cast<uintptr_t>(p) & ~(kSyncPage - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(p) + (n == 0 ? 1 : n);
  for (; page < end; page += kSyncPage) fn(reinterpret_cast<void*>(page));
}
}  // namespace sanitizer_internal

// Call right after a block of `n` bytes at `p` was obtained from jemalloc.
inline void AnnotateAllocated(void* p, size_t n) {
#ifdef RC_ASAN
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
#ifdef RC_TSAN
  sanitizer_internal::ForEachPage(p, n, [](void* page) { __tsan_acquire(page); });
#endif
  (void)p;
  (void)n;
}

// Call right before the block is given back to jemalloc.
inline void AnnotateFreed(void* p, size_t n) {
#ifdef RC_TSAN
  sanitizer_internal::ForEachPage(p, n, [](void* page) { __tsan_release(page); });
#endif
#ifdef RC_ASAN
  ASAN_POISON_MEMORY_REGION(p, n);
#endif
  (void)p;
  (void)n;
}

}  // namespace ringcache::memory
