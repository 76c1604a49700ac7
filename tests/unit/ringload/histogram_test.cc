// Histogram: percentiles against a sorted reference over random data, the
// 1 % error bound from 1 us to 60 s, merging, and the percentile curve.

#include "histogram.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::ringload {
namespace {

// The exact value at a percentile, by the same rank rule the histogram uses.
uint64_t Exact(const std::vector<uint64_t>& sorted, double percentile) {
  uint64_t rank = static_cast<uint64_t>(std::ceil(percentile / 100.0 * sorted.size()));
  rank = std::clamp<uint64_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void ExpectWithinOnePercent(const Histogram& h, const std::vector<uint64_t>& sorted) {
  for (const double p : {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    const double exact = static_cast<double>(Exact(sorted, p));
    const double got = static_cast<double>(h.ValueAtPercentile(p));
    EXPECT_GE(got, exact) << "p" << p << " must not understate";
    EXPECT_LE(got, exact * 1.01) << "p" << p;
  }
}

TEST(HistogramTest, PercentilesMatchSortedReferenceForLogNormalLatencies) {
  std::mt19937_64 gen(42);
  std::lognormal_distribution<double> latency(std::log(50'000.0), 1.2);  // ~50 us median
  Histogram h;
  std::vector<uint64_t> values;
  for (int i = 0; i < 200'000; ++i) {
    const uint64_t v = static_cast<uint64_t>(latency(gen)) + 1;
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  ASSERT_EQ(h.count(), values.size());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.max(), values.back());
  ExpectWithinOnePercent(h, values);
}

TEST(HistogramTest, PercentilesMatchSortedReferenceForUniformWideRange) {
  std::mt19937_64 gen(7);
  // Log-uniform from 1 us to 60 s: every octave of the range is exercised.
  std::uniform_real_distribution<double> exponent(std::log(1e3), std::log(60e9));
  Histogram h;
  std::vector<uint64_t> values;
  for (int i = 0; i < 100'000; ++i) {
    const uint64_t v = static_cast<uint64_t>(std::exp(exponent(gen)));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  ExpectWithinOnePercent(h, values);
}

TEST(HistogramTest, EveryValueFrom1UsTo60sIsResolvedWithin1Percent) {
  // Walk the range geometrically; each value alone must come back within 1 %.
  for (int step = 0;; ++step) {
    const uint64_t value = static_cast<uint64_t>(1000 * std::pow(1.0137, step));
    if (value > 60'000'000'000) break;
    const size_t index = Histogram::Index(value);
    const uint64_t low = Histogram::BucketLow(index);
    const uint64_t high = Histogram::BucketHigh(index);
    ASSERT_LE(low, value);
    ASSERT_GE(high, value);
    ASSERT_LE(static_cast<double>(high - low), 0.01 * static_cast<double>(low)) << value;
  }
}

TEST(HistogramTest, SmallValuesAreExactAndBucketsTile) {
  for (uint64_t v = 0; v < 256; ++v) {
    EXPECT_EQ(Histogram::BucketLow(Histogram::Index(v)), v);
    EXPECT_EQ(Histogram::BucketHigh(Histogram::Index(v)), v);
  }
  // Buckets are contiguous: each starts right after the previous ends.
  for (size_t i = 1; i < Histogram::kBuckets; ++i) {
    ASSERT_EQ(Histogram::BucketLow(i), Histogram::BucketHigh(i - 1) + 1) << i;
  }
  // Beyond the range everything lands in the last bucket; max stays exact.
  Histogram h;
  h.Record(uint64_t{1} << 50);
  EXPECT_EQ(Histogram::Index(uint64_t{1} << 50), Histogram::kBuckets - 1);
  EXPECT_EQ(h.max(), uint64_t{1} << 50);
  EXPECT_EQ(h.ValueAtPercentile(100), uint64_t{1} << 50);
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 gen(3);
  std::exponential_distribution<double> gap(1.0 / 20'000);
  Histogram a, b, all;
  std::vector<uint64_t> values;
  for (int i = 0; i < 50'000; ++i) {
    const uint64_t v = static_cast<uint64_t>(gap(gen));
    (i % 3 == 0 ? a : b).Record(v);
    all.Record(v);
    values.push_back(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (const double p : {50.0, 99.0, 99.9}) {
    EXPECT_EQ(a.ValueAtPercentile(p), all.ValueAtPercentile(p));
  }
  std::sort(values.begin(), values.end());
  ExpectWithinOnePercent(a, values);
}

TEST(HistogramTest, EmptyAndReset) {
  Histogram h;
  EXPECT_EQ(h.ValueAtPercentile(50), 0u);
  EXPECT_TRUE(h.PercentileCurve().empty());
  h.Record(1234);
  EXPECT_EQ(h.count(), 1u);
  h.Reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.max(), 0u);
}

TEST(HistogramTest, PercentileCurveIsMonotonicAndEndsAtMax) {
  std::mt19937_64 gen(11);
  std::lognormal_distribution<double> latency(std::log(100'000.0), 0.8);
  Histogram h;
  for (int i = 0; i < 100'000; ++i) h.Record(static_cast<uint64_t>(latency(gen)));
  const auto curve = h.PercentileCurve();
  ASSERT_GT(curve.size(), 10u);
  EXPECT_EQ(curve.front().percentile, 0.0);
  EXPECT_EQ(curve.back().percentile, 100.0);
  EXPECT_EQ(curve.back().value, h.max());
  for (size_t i = 1; i < curve.size(); ++i) {
    EXPECT_GT(curve[i].percentile, curve[i - 1].percentile);
    EXPECT_GE(curve[i].value, curve[i - 1].value);
  }
  // It reaches at least the 99.99th percentile with 100k values.
  EXPECT_GE(curve[curve.size() - 2].percentile, 99.99);
}

}  // namespace
}  // namespace ringcache::ringload
