// A log-linear latency histogram in the manner of HdrHistogram: exact below
// 256 ns, then every power of two split into 128 equal buckets, so a bucket
// is never wider than 1/128 of its lower edge. Percentiles are reported as
// the bucket's upper edge (capped at the largest value recorded), which
// overstates a latency by less than 0.8 % anywhere from 1 ns to 2^40 ns
// (18 minutes); the issue asks for <= 1 % from 1 us to 60 s.
//
// Recording is a count-leading-zeros, a shift and an increment: a few
// nanoseconds, no branches beyond the range clamp, no allocation. Histograms
// of equal layout merge by adding counts, so each thread records into its own
// and the report merges them.
//
// Values are nanoseconds; values above the range land in the last bucket
// (the maximum is still tracked exactly).
//
// Threading: not thread-safe; one histogram per thread, merged after.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "ringcache/base/compiler.h"

namespace ringcache::ringload {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;  // per half octave
  static constexpr int kMaxBits = 40;  // values up to 2^40 ns are resolved
  static constexpr size_t kBuckets =
      ((kMaxBits - kSubBucketBits - 1) << kSubBucketBits) + 2 * kSubBuckets;

  Histogram() { counts_.fill(0); }

  RC_ALWAYS_INLINE void Record(uint64_t value) {
    counts_[Index(value)]++;
    ++count_;
    sum_ += value;
    if (value > max_) max_ = value;
    if (value < min_) min_ = value;
  }

  void Merge(const Histogram& other);
  void Reset();

  uint64_t count() const { return count_; }
  uint64_t max() const { return count_ ? max_ : 0; }
  uint64_t min() const { return count_ ? min_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }

  // The smallest recorded value v such that at least `percentile` % of all
  // values are <= v (up to the bucket resolution). 0 when empty.
  uint64_t ValueAtPercentile(double percentile) const;

  struct Point {
    double percentile;
    uint64_t value;
  };
  // The classic percentile curve: points at 0, 50, 75, 87.5, ... (each step
  // halves the distance to 100 %, with `steps_per_half` points per halving),
  // up to the percentile of the last value, then 100 % at the maximum.
  std::vector<Point> PercentileCurve(int steps_per_half = 4) const;

  // The bucket a value lands in and the range of values it stands for.
  static RC_ALWAYS_INLINE size_t Index(uint64_t value) {
    const int bits = std::bit_width(value);  // 0 for value 0
    const int shift = bits > kSubBucketBits + 1 ? bits - kSubBucketBits - 1 : 0;
    const size_t index = (static_cast<size_t>(shift) << kSubBucketBits) + (value >> shift);
    return index < kBuckets ? index : kBuckets - 1;
  }
  static uint64_t BucketLow(size_t index);
  static uint64_t BucketHigh(size_t index);  // inclusive

 private:
  std::array<uint64_t, kBuckets> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
};

}  // namespace ringcache::ringload
