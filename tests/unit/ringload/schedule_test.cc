// Open-loop schedule: the mean rate, exponential gaps (mean, coefficient of
// variation, and the distribution against the exponential CDF), and the
// absence of drift.

#include "schedule.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gtest/gtest.h"

#include "rng.h"

namespace ringcache::ringload {
namespace {

TEST(PoissonScheduleTest, MeanRateAndExponentialGaps) {
  Rng rng(99);
  constexpr double kRate = 250'000;  // per second
  constexpr int kArrivals = 500'000;
  PoissonSchedule schedule(kRate, 1'000'000, &rng);
  std::vector<double> gaps;
  int64_t prev = 1'000'000;
  const int64_t first = schedule.next();
  for (int i = 0; i < kArrivals; ++i) {
    const int64_t t = schedule.next();
    ASSERT_GE(t, prev) << "arrival times never go backwards";
    gaps.push_back(static_cast<double>(t - prev));
    prev = t;
    schedule.Advance();
  }
  // Mean rate over the whole run.
  const double seconds = (prev - first) / 1e9;
  EXPECT_NEAR((kArrivals - 1) / seconds, kRate, kRate * 0.01);

  // Exponential gaps: mean 1/rate, standard deviation equal to the mean.
  double sum = 0, sum_sq = 0;
  for (const double g : gaps) {
    sum += g;
    sum_sq += g * g;
  }
  const double mean = sum / gaps.size();
  const double sd = std::sqrt(sum_sq / gaps.size() - mean * mean);
  EXPECT_NEAR(mean, 1e9 / kRate, 1e9 / kRate * 0.01);
  EXPECT_NEAR(sd / mean, 1.0, 0.02);

  // The empirical CDF against 1 - exp(-x/mean) (Kolmogorov-Smirnov distance;
  // the 1 % critical value for n = 500k is 0.0023). Gaps are whole
  // nanoseconds, so compare at each gap's upper edge.
  std::sort(gaps.begin(), gaps.end());
  double d = 0;
  for (size_t i = 0; i < gaps.size(); ++i) {
    const double cdf = 1 - std::exp(-(gaps[i] + 0.5) / mean);
    d = std::max({d, std::abs(cdf - static_cast<double>(i + 1) / gaps.size()),
                  std::abs(cdf - static_cast<double>(i) / gaps.size())});
  }
  EXPECT_LT(d, 0.0023);
}

TEST(PoissonScheduleTest, NoDriftFromRounding) {
  // At 10M/s the mean gap is 100 ns: rounding each gap would drift by up to
  // half a nanosecond per arrival; the schedule accumulates exactly.
  Rng rng(1);
  PoissonSchedule schedule(10e6, 0, &rng);
  for (int i = 0; i < 10'000'000; ++i) schedule.Advance();
  EXPECT_NEAR(schedule.next() / 1e9, 1.0, 0.002);
}

TEST(PoissonScheduleTest, ThinningGivesEachConnectionItsShare) {
  // Arrivals handed to 8 connections uniformly: each sees rate / 8 with
  // exponential gaps of its own (mean = standard deviation).
  Rng rng(17), pick(18);
  constexpr int kConnections = 8;
  PoissonSchedule schedule(80'000, 0, &rng);
  std::vector<int64_t> last(kConnections, -1);
  std::vector<double> sum(kConnections), sum_sq(kConnections);
  std::vector<int> n(kConnections);
  for (int i = 0; i < 800'000; ++i) {
    const int c = static_cast<int>(pick.Below(kConnections));
    const int64_t t = schedule.next();
    schedule.Advance();
    if (last[c] >= 0) {
      const double g = static_cast<double>(t - last[c]);
      sum[c] += g;
      sum_sq[c] += g * g;
      ++n[c];
    }
    last[c] = t;
  }
  for (int c = 0; c < kConnections; ++c) {
    const double mean = sum[c] / n[c];
    const double sd = std::sqrt(sum_sq[c] / n[c] - mean * mean);
    EXPECT_NEAR(mean, 1e9 / 10'000, 1e9 / 10'000 * 0.02) << c;
    EXPECT_NEAR(sd / mean, 1.0, 0.03) << c;
  }
}

}  // namespace
}  // namespace ringcache::ringload
