#include "stale_set.h"

#include <map>
#include <random>

#include "gtest/gtest.h"

namespace ringcache::storage {
namespace {

TEST(StaleSetTest, CountsDuplicatesAndTakesThemOneAtATime) {
  StaleSet s;
  const size_t empty_bytes = s.bytes();
  EXPECT_GT(empty_bytes, 0u);
  EXPECT_FALSE(s.Take({18}));
  s.Add({18});
  s.Add({18});
  s.Add({19});
  s.Add({34});
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(s.Count({18}), 2u);
  EXPECT_EQ(s.Count({19}), 1u);
  EXPECT_FALSE(s.Contains({50}));
  EXPECT_TRUE(s.Take({18}));
  EXPECT_EQ(s.Count({18}), 1u);
  EXPECT_TRUE(s.Take({18}));
  EXPECT_FALSE(s.Take({18}));
  EXPECT_TRUE(s.Contains({19}));
  EXPECT_TRUE(s.Contains({34}));
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(s.bytes(), empty_bytes);  // a few records fit the table it starts with
}

TEST(StaleSetTest, GrowsAndShrinksWithItsContents) {
  StaleSet s;
  const size_t empty_bytes = s.bytes();
  for (uint32_t i = 1; i <= 10'000; ++i) s.Add({i});
  EXPECT_GE(s.bytes(), 2 * 10'000 * (sizeof(uint32_t) + 1));
  EXPECT_LE(s.bytes(), 4 * 10'000 * (sizeof(uint32_t) + 1));
  for (uint32_t i = 1; i <= 10'000; ++i) ASSERT_TRUE(s.Take({i})) << i;
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.bytes(), empty_bytes);
}

// Against a reference multiset, with keys drawn from a small range so that
// duplicates and long probe runs (wrapping the table's end) are common.
TEST(StaleSetTest, AgreesWithAReferenceMultiset) {
  std::mt19937 rng(7);
  StaleSet s;
  std::map<uint32_t, size_t> ref;
  size_t total = 0;
  for (int step = 0; step < 200'000; ++step) {
    const LruEntry e{1 + static_cast<uint32_t>(rng() % 1200)};
    // Drift between growing and draining phases so resizes happen both ways.
    const bool grow_phase = (step / 20'000) % 2 == 0;
    if (rng() % 100 < (grow_phase ? 65u : 35u)) {
      s.Add(e);
      ++ref[e.ref];
      ++total;
    } else {
      size_t& n = ref[e.ref];
      ASSERT_EQ(s.Take(e), n > 0) << step;
      if (n > 0) {
        --n;
        --total;
      }
    }
    ASSERT_EQ(s.size(), total);
    if (step % 997 == 0) {
      for (const auto& [k, n] : ref) ASSERT_EQ(s.Count({k}), n) << step;
    }
  }
}

}  // namespace
}  // namespace ringcache::storage
