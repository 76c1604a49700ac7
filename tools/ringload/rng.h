// A small, fast pseudo-random generator for load generation: xoshiro256**
// (Blackman and Vigna), seeded through splitmix64. Not for anything secret:
// ringload needs cheap numbers that look uniform and a seed that makes a run
// repeatable.
//
// Threading: one Rng per thread; not thread-safe.
#pragma once

#include <cmath>
#include <cstdint>

#include "ringcache/base/compiler.h"

namespace ringcache::ringload {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }

  RC_ALWAYS_INLINE uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n) for n > 0, by Lemire's multiply-shift (the bias, at
  // most n / 2^64, is far below anything a load test can see).
  RC_ALWAYS_INLINE uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Uniform in [0, 1) with 53 random bits.
  RC_ALWAYS_INLINE double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform in (0, 1]: safe to take the logarithm of.
  RC_ALWAYS_INLINE double NextOpenDouble() {
    return static_cast<double>((Next() >> 11) + 1) * 0x1.0p-53;
  }

  // Exponentially distributed with the given mean.
  double Exponential(double mean) { return -std::log(NextOpenDouble()) * mean; }

 private:
  static RC_ALWAYS_INLINE uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
};

}  // namespace ringcache::ringload
