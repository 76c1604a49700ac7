#include "ringcache/memory/size_classes.h"

#include <jemalloc/jemalloc.h>

#include "gtest/gtest.h"

namespace ringcache::memory {
namespace {

TEST(SizeClassTableTest, MatchesNallocxForEverySize) {
  const SizeClassTable t = SizeClassTable::FromJemalloc(size_t{4} << 20);
  ASSERT_GT(t.count(), 40);
  EXPECT_GE(t.max_size(), size_t{4} << 20);
  for (size_t n = 1; n <= 70000; ++n) {
    const int i = t.IndexOf(n);
    ASSERT_GE(i, 0) << n;
    ASSERT_EQ(t.size(i), nallocx(n, 0)) << n;
  }
  for (size_t n = 70000; n <= (size_t{4} << 20); n += 4093) {
    ASSERT_EQ(t.size(t.IndexOf(n)), nallocx(n, 0)) << n;
  }
  EXPECT_EQ(t.IndexOf(t.max_size() + 1), -1);
}

TEST(SizeClassTableTest, KnownClassesAndSlabShapes) {
  const SizeClassTable t = SizeClassTable::FromJemalloc(size_t{1} << 20);
  EXPECT_EQ(t.size(t.IndexOf(64)), 64u);
  EXPECT_EQ(t.size(t.IndexOf(65)), 80u);
  // The 1000-byte-value case of the issue: 1040 bytes land in 1280.
  EXPECT_EQ(t.size(t.IndexOf(1040)), 1280u);
  const SizeClass& c64 = t.at(t.IndexOf(64));
  EXPECT_TRUE(c64.small);
  EXPECT_EQ(c64.regions_per_slab * c64.size, c64.slab_bytes);
  const SizeClass& big = t.at(t.IndexOf(size_t{1} << 20));
  EXPECT_FALSE(big.small);
  EXPECT_EQ(big.regions_per_slab, 1u);
}

TEST(SizeClassTableTest, IndexAtMost) {
  const SizeClassTable t = SizeClassTable::FromJemalloc(size_t{1} << 20);
  EXPECT_EQ(t.size(t.IndexAtMost(1040)), 1024u);
  EXPECT_EQ(t.size(t.IndexAtMost(1024)), 1024u);
  EXPECT_EQ(t.IndexAtMost(t.size(0) - 1), -1);
}

TEST(SizeClassTableTest, SyntheticTableSearchesArbitrarySizes) {
  const SizeClassTable t = SizeClassTable::FromSizes({100, 10, 1000});
  EXPECT_EQ(t.size(t.IndexOf(1)), 10u);
  EXPECT_EQ(t.size(t.IndexOf(11)), 100u);
  EXPECT_EQ(t.size(t.IndexOf(1000)), 1000u);
  EXPECT_EQ(t.IndexOf(1001), -1);
}

}  // namespace
}  // namespace ringcache::memory
