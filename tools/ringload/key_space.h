// Key names and key choice.
//
// A key space is `count` keys of exactly `key_size` bytes: a prefix, then the
// key's index in decimal, zero-padded to fill the rest ("k00000000042" for
// index 42 with the default prefix "k" and size 12). Names are a pure
// function of (prefix, size, index), so another ringload run, or a verifying
// reader, names the same keys. The counter keys used by incr live in a
// second space with another prefix so they never collide with values.
//
// KeyChooser draws indexes by a distribution: uniform, zipf (rank 0 the most
// popular) or sequential (each chooser walks the space from its own start,
// wrapping around).
//
// Threading: KeySpace is immutable; each thread owns its KeyChooser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

#include "rng.h"
#include "zipf.h"

namespace ringcache::ringload {

class KeySpace {
 public:
  static constexpr size_t kMaxKeySize = 250;  // memcached's KEY_MAX_LENGTH

  // Fails when `count` indexes do not fit in key_size - prefix digits.
  static absl::StatusOr<KeySpace> Create(std::string prefix, size_t key_size, uint64_t count);

  uint64_t count() const { return count_; }
  size_t key_size() const { return key_size_; }
  std::string_view prefix() const { return prefix_; }

  // Writes the key_size() bytes of key `index` at `out`.
  void Format(uint64_t index, char* out) const;
  std::string Name(uint64_t index) const;
  // The index of a key name of this space, or -1 if it is not one.
  int64_t Parse(std::string_view name) const;

 private:
  KeySpace(std::string prefix, size_t key_size, uint64_t count)
      : prefix_(std::move(prefix)), key_size_(key_size), count_(count) {}

  std::string prefix_;
  size_t key_size_;
  uint64_t count_;
};

enum class Distribution : uint8_t { kUniform, kZipf, kSequential };

class KeyChooser {
 public:
  // `start` is where a sequential walk begins (ignored otherwise).
  KeyChooser(Distribution distribution, uint64_t count, double zipf_exponent, uint64_t start)
      : distribution_(distribution),
        count_(count),
        zipf_(count, zipf_exponent),
        next_(start % count) {}

  RC_ALWAYS_INLINE uint64_t Next(Rng& rng) {
    switch (distribution_) {
      case Distribution::kUniform:
        return rng.Below(count_);
      case Distribution::kZipf:
        return zipf_.Sample(rng);
      case Distribution::kSequential:
        break;
    }
    const uint64_t index = next_;
    next_ = next_ + 1 == count_ ? 0 : next_ + 1;
    return index;
  }

 private:
  Distribution distribution_;
  uint64_t count_;
  ZipfSampler zipf_;
  uint64_t next_;
};

}  // namespace ringcache::ringload
