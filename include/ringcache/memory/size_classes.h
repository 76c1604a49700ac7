// jemalloc's size classes, as a table the store can number and search.
//
// jemalloc rounds every request up to one of its classes: 8, 16, 32, 48, 64,
// 80, ... spaced four per doubling (so at most 25 % apart), up to 14 KB for
// "small" classes served from slabs, then page-multiple "large" classes with
// the same spacing. `nallocx` gives the class of one request; this table
// gives all of them, which the store needs to (a) report per-class statistics
// where memcached reports slab classes and (b) choose split points for items
// that would waste a large part of a class.
//
// The table is read from jemalloc's mallctl namespace once, so it always
// matches the linked library. Classes larger than `max_size` are left out.
//
// Threading: immutable after construction; share freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ringcache::memory {

struct SizeClass {
  size_t size = 0;                // bytes of one allocation in this class
  uint32_t regions_per_slab = 1;  // small classes: allocations per slab; large: 1
  size_t slab_bytes = 0;          // small classes: bytes of one slab; large: size
  bool small = false;
};

class SizeClassTable {
 public:
  // Reads jemalloc's classes up to and including the first one >= max_size.
  static SizeClassTable FromJemalloc(size_t max_size);
  // A synthetic table (tests): the given ascending sizes, all "large".
  static SizeClassTable FromSizes(std::vector<size_t> sizes);

  int count() const { return static_cast<int>(classes_.size()); }
  const SizeClass& at(int index) const { return classes_[index]; }
  size_t size(int index) const { return classes_[index].size; }
  size_t max_size() const { return classes_.empty() ? 0 : classes_.back().size; }

  // Index of the smallest class holding `n` bytes, or -1 when n > max_size().
  int IndexOf(size_t n) const {
    if (n <= kFastLimit && !fast_.empty()) return fast_[(n + kFastStep - 1) / kFastStep];
    return IndexOfSlow(n);
  }
  // Index of the largest class not above `n`, or -1 when n < size(0).
  int IndexAtMost(size_t n) const;

 private:
  // jemalloc's classes are multiples of 8, so every n in ((k-1)*8, k*8] has
  // the same smallest class: a table indexed by (n + 7) / 8 is exact.
  static constexpr size_t kFastStep = 8;
  static constexpr size_t kFastLimit = 16384;

  void BuildFastTable();
  int IndexOfSlow(size_t n) const;

  std::vector<SizeClass> classes_;
  std::vector<int16_t> fast_;  // (n + 7) / 8 -> class index; empty for synthetic tables
};

}  // namespace ringcache::memory
