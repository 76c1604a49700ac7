#include "stale_set.h"

#include <map>
#include <random>
#include <utility>

#include "gtest/gtest.h"

namespace ringcache::storage {
namespace {

TEST(StaleSetTest, CountsDuplicatesAndTakesThemOneAtATime) {
  StaleSet s;
  const size_t empty_bytes = s.bytes();
  EXPECT_GT(empty_bytes, 0u);
  EXPECT_FALSE(s.Take({1, 2}));
  s.Add({1, 2});
  s.Add({1, 2});
  s.Add({1, 3});
  s.Add({2, 2});
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(s.Count({1, 2}), 2u);
  EXPECT_EQ(s.Count({1, 3}), 1u);
  EXPECT_FALSE(s.Contains({3, 2}));
  EXPECT_TRUE(s.Take({1, 2}));
  EXPECT_EQ(s.Count({1, 2}), 1u);
  EXPECT_TRUE(s.Take({1, 2}));
  EXPECT_FALSE(s.Take({1, 2}));
  EXPECT_TRUE(s.Contains({1, 3}));
  EXPECT_TRUE(s.Contains({2, 2}));
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(s.bytes(), empty_bytes);  // a few records fit the table it starts with
}

TEST(StaleSetTest, GrowsAndShrinksWithItsContents) {
  StaleSet s;
  const size_t empty_bytes = s.bytes();
  for (uint32_t i = 1; i <= 10'000; ++i) s.Add({i, i * 2654435761u});
  EXPECT_GE(s.bytes(), 2 * 10'000 * (sizeof(uint64_t) + 1));
  EXPECT_LE(s.bytes(), 4 * 10'000 * (sizeof(uint64_t) + 1));
  for (uint32_t i = 1; i <= 10'000; ++i) ASSERT_TRUE(s.Take({i, i * 2654435761u})) << i;
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.bytes(), empty_bytes);
}

// Against a reference multiset, with keys drawn from a small range so that
// duplicates and long probe runs (wrapping the table's end) are common.
TEST(StaleSetTest, AgreesWithAReferenceMultiset) {
  std::mt19937 rng(7);
  StaleSet s;
  std::map<std::pair<uint32_t, uint32_t>, size_t> ref;
  size_t total = 0;
  for (int step = 0; step < 200'000; ++step) {
    const LruEntry e{1 + static_cast<uint32_t>(rng() % 300), static_cast<uint32_t>(rng() % 4)};
    // Drift between growing and draining phases so resizes happen both ways.
    const bool grow_phase = (step / 20'000) % 2 == 0;
    if (rng() % 100 < (grow_phase ? 65u : 35u)) {
      s.Add(e);
      ++ref[{e.ref, e.hash}];
      ++total;
    } else {
      size_t& n = ref[{e.ref, e.hash}];
      ASSERT_EQ(s.Take(e), n > 0) << step;
      if (n > 0) {
        --n;
        --total;
      }
    }
    ASSERT_EQ(s.size(), total);
    if (step % 997 == 0) {
      for (const auto& [k, n] : ref) ASSERT_EQ(s.Count({k.first, k.second}), n) << step;
    }
  }
}

}  // namespace
}  // namespace ringcache::storage
