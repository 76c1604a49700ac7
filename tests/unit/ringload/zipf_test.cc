// Zipf sampler: frequencies of the top ranks against the exact
// probabilities, for several exponents and key-space sizes.

#include "zipf.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

#include "rng.h"

namespace ringcache::ringload {
namespace {

struct Case {
  uint64_t n;
  double s;
};

class ZipfTest : public ::testing::TestWithParam<Case> {};

TEST_P(ZipfTest, TopKeyFrequenciesMatchTheory) {
  const Case c = GetParam();
  const ZipfSampler zipf(c.n, c.s);
  Rng rng(1234);
  constexpr int kSamples = 2'000'000;
  constexpr int kTop = 20;
  std::vector<uint64_t> counts(kTop, 0);
  uint64_t out_of_range = 0;
  for (int i = 0; i < kSamples; ++i) {
    const uint64_t r = zipf.Sample(rng);
    if (r >= c.n) ++out_of_range;
    if (r < kTop) ++counts[r];
  }
  EXPECT_EQ(out_of_range, 0u);
  for (int r = 0; r < kTop && static_cast<uint64_t>(r) < c.n; ++r) {
    const double p = zipf.Probability(static_cast<uint64_t>(r));
    const double expected = p * kSamples;
    // Binomial standard deviation; 5 sigma keeps the test honest and stable.
    const double sigma = std::sqrt(kSamples * p * (1 - p));
    EXPECT_NEAR(static_cast<double>(counts[r]), expected, 5 * sigma + 1)
        << "rank " << r << " n=" << c.n << " s=" << c.s;
  }
}

INSTANTIATE_TEST_SUITE_P(Exponents, ZipfTest,
                         ::testing::Values(Case{1'000'000, 0.99}, Case{1'000'000, 1.0},
                                           Case{100'000, 0.5}, Case{1000, 1.5}, Case{10, 0.99},
                                           Case{50, 0.0}, Case{1, 0.99}, Case{100'000, 2.0}));

TEST(ZipfProbabilityTest, SumsToOneAndFallsWithRank) {
  const ZipfSampler zipf(1000, 0.99);
  double sum = 0;
  for (uint64_t r = 0; r < 1000; ++r) sum += zipf.Probability(r);
  EXPECT_NEAR(sum, 1.0, 1e-9);
  EXPECT_GT(zipf.Probability(0), zipf.Probability(1));
  // P(1) / P(2) = 2^s.
  EXPECT_NEAR(zipf.Probability(0) / zipf.Probability(1), std::pow(2.0, 0.99), 1e-9);
}

TEST(ZipfSamplerTest, TailIsReachedInAHugeSpace) {
  // A billion keys cost no memory; the tail is still sampled.
  const ZipfSampler zipf(1'000'000'000, 0.99);
  Rng rng(5);
  uint64_t largest = 0;
  for (int i = 0; i < 100'000; ++i) largest = std::max(largest, zipf.Sample(rng));
  EXPECT_GT(largest, 10'000'000u);
  EXPECT_LT(largest, 1'000'000'000u);
}

}  // namespace
}  // namespace ringcache::ringload
