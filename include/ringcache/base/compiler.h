// Small compiler helpers shared by every layer: branch hints, cache-line size,
// forced inlining. Header-only, no state.
#pragma once

#include <cstddef>

#define RC_LIKELY(x) (__builtin_expect(!!(x), 1))
#define RC_UNLIKELY(x) (__builtin_expect(!!(x), 0))
#define RC_ALWAYS_INLINE inline __attribute__((always_inline))
#define RC_NOINLINE __attribute__((noinline))

namespace ringcache::base {

// Size used to keep per-thread data on separate lines (no false sharing).
inline constexpr std::size_t kCacheLine = 64;

}  // namespace ringcache::base
