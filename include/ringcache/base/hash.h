// A keyed 64-bit hash for cache keys.
//
// The store picks a stripe from the top bits and a bucket from the low bits
// of this hash, so a client that could predict it could pile every key into
// one bucket. The hash is therefore keyed with 128 random bits drawn at start
// (KeyedHash::Random); tests construct it with a fixed seed.
//
// Construction: 64x64->128 multiply-and-fold rounds over 16-byte stripes of
// the input, every operand xored with a secret word, and a final fold with
// the length. Short keys (the common case, <= 16 bytes) take one round and
// no loop. It is not a MAC; it is a fast hash whose collisions an attacker
// cannot pick without the seed.
//
// Threading: immutable after construction; share freely.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "ringcache/base/compiler.h"

namespace ringcache::base {

class KeyedHash {
 public:
  KeyedHash(uint64_t seed0, uint64_t seed1);
  // Seeds from getrandom(2).
  static KeyedHash Random();

  RC_ALWAYS_INLINE uint64_t operator()(std::string_view key) const {
    const auto* p = reinterpret_cast<const unsigned char*>(key.data());
    const size_t n = key.size();
    uint64_t a;
    uint64_t b;
    uint64_t state = k0_;
    if (RC_LIKELY(n <= 16)) {
      if (n >= 8) {
        a = Load64(p);
        b = Load64(p + n - 8);
      } else if (n >= 4) {
        a = Load32(p);
        b = Load32(p + n - 4);
      } else if (n > 0) {
        a = (uint64_t{p[0]} << 16) | (uint64_t{p[n >> 1]} << 8) | p[n - 1];
        b = 0;
      } else {
        a = b = 0;
      }
    } else {
      size_t left = n;
      uint64_t other = k1_;
      while (left > 32) {
        state = Fold(Load64(p) ^ k2_, Load64(p + 8) ^ state);
        other = Fold(Load64(p + 16) ^ k3_, Load64(p + 24) ^ other);
        p += 32;
        left -= 32;
      }
      state ^= other;
      if (left > 16) {
        state = Fold(Load64(p) ^ k2_, Load64(p + 8) ^ state);
      }
      a = Load64(p + left - 16);
      b = Load64(p + left - 8);
    }
    return Fold(k2_ ^ n, Fold(a ^ k2_, b ^ state));
  }

 private:
  static RC_ALWAYS_INLINE uint64_t Fold(uint64_t x, uint64_t y) {
    const unsigned __int128 r = static_cast<unsigned __int128>(x) * y;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
  }
  static RC_ALWAYS_INLINE uint64_t Load64(const unsigned char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }
  static RC_ALWAYS_INLINE uint64_t Load32(const unsigned char* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }

  uint64_t k0_, k1_, k2_, k3_;
};

}  // namespace ringcache::base
