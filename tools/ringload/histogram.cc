#include "histogram.h"

#include <algorithm>
#include <cmath>

namespace ringcache::ringload {

// Index() is (shift << 7) + (v >> shift): indexes below 256 are the values
// themselves (shift 0); above, each 128 indexes are one octave whose bucket
// width is 2^shift.
uint64_t Histogram::BucketLow(size_t index) {
  if (index < 2 * kSubBuckets) return index;
  const size_t shift = (index >> kSubBucketBits) - 1;
  const uint64_t mantissa = index - (shift << kSubBucketBits);  // in [128, 256)
  return mantissa << shift;
}

uint64_t Histogram::BucketHigh(size_t index) {
  if (index < 2 * kSubBuckets) return index;
  const size_t shift = (index >> kSubBucketBits) - 1;
  return BucketLow(index) + (uint64_t{1} << shift) - 1;
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

void Histogram::Reset() { *this = Histogram(); }

uint64_t Histogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  if (percentile == 0.0) return min();
  // The rank of the wanted value (1-based); at least the first value.
  uint64_t rank = static_cast<uint64_t>(std::ceil(percentile / 100.0 * count_));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(BucketHigh(i), min(), max_);
  }
  return max_;
}

std::vector<Histogram::Point> Histogram::PercentileCurve(int steps_per_half) const {
  std::vector<Point> points;
  if (count_ == 0) return points;
  // Stop once the step between points is finer than one value of the data.
  const double resolution = 100.0 / count_;
  double remaining = 100.0;  // distance to 100 %
  while (true) {
    for (int step = 0; step < steps_per_half; ++step) {
      const double p = 100.0 - remaining + remaining / 2 * step / steps_per_half;
      points.push_back({p, ValueAtPercentile(p)});
    }
    remaining /= 2;
    if (remaining < resolution || points.size() > 400) break;
  }
  points.push_back({100.0, max_});
  return points;
}

}  // namespace ringcache::ringload
