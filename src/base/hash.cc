#include "ringcache/base/hash.h"

#include <cstdlib>

#include <sys/random.h>

namespace ringcache::base {
namespace {

// splitmix64 step: spreads two seed words into four well-mixed secrets, each
// forced odd and with both halves non-zero so no multiply operand degenerates.
uint64_t SplitMix(uint64_t* s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return z | 0x0000000100000001ULL;
}

}  // namespace

KeyedHash::KeyedHash(uint64_t seed0, uint64_t seed1) {
  uint64_t s = seed0 ^ (seed1 * 0xff51afd7ed558ccdULL);
  k0_ = SplitMix(&s);
  k1_ = SplitMix(&s);
  k2_ = SplitMix(&s);
  k3_ = SplitMix(&s);
}

KeyedHash KeyedHash::Random() {
  uint64_t seed[2] = {0, 0};
  size_t got = 0;
  while (got < sizeof(seed)) {
    const ssize_t r = getrandom(reinterpret_cast<char*>(seed) + got, sizeof(seed) - got, 0);
    if (r < 0) std::abort();  // the kernel always has getrandom on supported systems
    got += static_cast<size_t>(r);
  }
  return KeyedHash(seed[0], seed[1]);
}

}  // namespace ringcache::base
