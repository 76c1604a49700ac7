// Key names (fixed width, parseable back) and the key choosers.

#include "key_space.h"

#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::ringload {
namespace {

TEST(KeySpaceTest, NamesAreFixedWidthZeroPadded) {
  absl::StatusOr<KeySpace> space = KeySpace::Create("k", 12, 100'000);
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(space->Name(0), "k00000000000");
  EXPECT_EQ(space->Name(7), "k00000000007");
  EXPECT_EQ(space->Name(42), "k00000000042");
  EXPECT_EQ(space->Name(99'999), "k00000099999");
  absl::StatusOr<KeySpace> tight = KeySpace::Create("key:", 7, 1000);
  ASSERT_TRUE(tight.ok());
  EXPECT_EQ(tight->Name(999), "key:999");
  EXPECT_EQ(tight->Name(5), "key:005");
}

TEST(KeySpaceTest, EveryNameParsesBackAndNamesAreDistinct) {
  absl::StatusOr<KeySpace> space = KeySpace::Create("user-", 10, 12'345);
  ASSERT_TRUE(space.ok());
  std::set<std::string> seen;
  for (uint64_t i = 0; i < space->count(); ++i) {
    const std::string name = space->Name(i);
    ASSERT_EQ(name.size(), 10u);
    ASSERT_EQ(space->Parse(name), static_cast<int64_t>(i));
    seen.insert(name);
  }
  EXPECT_EQ(seen.size(), space->count());
  EXPECT_EQ(space->Parse("user-12345"), -1);  // beyond the space
  EXPECT_EQ(space->Parse("usex-00001"), -1);
  EXPECT_EQ(space->Parse("user-0001"), -1);  // wrong width
  EXPECT_EQ(space->Parse("user-0000a"), -1);
}

TEST(KeySpaceTest, RejectsSpacesThatCannotBeNamed) {
  EXPECT_FALSE(KeySpace::Create("k", 4, 10'000).ok());  // needs 5 bytes
  EXPECT_TRUE(KeySpace::Create("k", 5, 10'000).ok());
  EXPECT_FALSE(KeySpace::Create("k", 251, 10).ok());  // memcached's key limit
  EXPECT_FALSE(KeySpace::Create("a b", 12, 10).ok());
  EXPECT_FALSE(KeySpace::Create("k", 12, 0).ok());
  EXPECT_TRUE(KeySpace::Create("", 1, 10).ok());
}

TEST(KeyChooserTest, SequentialWalksAndWraps) {
  KeyChooser chooser(Distribution::kSequential, 5, 0.99, 3);
  Rng rng(1);
  std::vector<uint64_t> got(7);
  for (uint64_t& k : got) k = chooser.Next(rng);
  EXPECT_EQ(got, (std::vector<uint64_t>{3, 4, 0, 1, 2, 3, 4}));
}

TEST(KeyChooserTest, UniformCoversTheSpaceEvenly) {
  KeyChooser chooser(Distribution::kUniform, 10, 0.99, 0);
  Rng rng(2);
  std::vector<int> counts(10);
  for (int i = 0; i < 100'000; ++i) {
    const uint64_t k = chooser.Next(rng);
    ASSERT_LT(k, 10u);
    ++counts[k];
  }
  for (const int c : counts) EXPECT_NEAR(c, 10'000, 500);  // ~5 sigma
}

TEST(KeyChooserTest, ZipfFavoursTheFirstKeys) {
  KeyChooser chooser(Distribution::kZipf, 1000, 0.99, 0);
  Rng rng(3);
  int first = 0, last = 0;
  for (int i = 0; i < 100'000; ++i) {
    const uint64_t k = chooser.Next(rng);
    first += k == 0;
    last += k == 999;
  }
  EXPECT_GT(first, 50 * std::max(last, 1));
}

}  // namespace
}  // namespace ringcache::ringload
