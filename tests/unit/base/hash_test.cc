#include "ringcache/base/hash.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace ringcache::base {
namespace {

TEST(KeyedHashTest, DeterministicForOneSeed) {
  KeyedHash h(1, 2);
  EXPECT_EQ(h("foo"), h(std::string("foo")));
  EXPECT_NE(h("foo"), h("fop"));
}

TEST(KeyedHashTest, SeedChangesEveryHash) {
  KeyedHash a(1, 2);
  KeyedHash b(1, 3);
  for (const char* k :
       {"", "a", "abcd", "abcdefgh", "0123456789abcdef", "a longer key of 40 bytes......!"}) {
    EXPECT_NE(a(k), b(k)) << k;
  }
}

TEST(KeyedHashTest, EveryLengthUpTo300IsDistinct) {
  KeyedHash h(7, 9);
  std::set<uint64_t> seen;
  std::string key;
  for (int len = 0; len <= 300; ++len) {
    EXPECT_TRUE(seen.insert(h(key)).second) << "collision at length " << len;
    key.push_back('x');
  }
}

TEST(KeyedHashTest, LowAndHighBitsAreBalanced) {
  // The store uses top bits for stripes and low bits for buckets; both must
  // spread sequential keys evenly.
  KeyedHash h(11, 13);
  constexpr int kKeys = 1 << 16;
  int low[16] = {};
  int high[16] = {};
  for (int i = 0; i < kKeys; ++i) {
    const uint64_t v = h("key:" + std::to_string(i));
    ++low[v & 15];
    ++high[v >> 60];
  }
  for (int b = 0; b < 16; ++b) {
    EXPECT_NEAR(low[b], kKeys / 16, kKeys / 16 / 10) << b;
    EXPECT_NEAR(high[b], kKeys / 16, kKeys / 16 / 10) << b;
  }
}

TEST(KeyedHashTest, SingleBitFlipsChangeAboutHalfTheOutput) {
  KeyedHash h(3, 5);
  std::string key = "0123456789ab";  // 12 bytes, the benchmark key size
  const uint64_t base = h(key);
  int total = 0;
  for (size_t byte = 0; byte < key.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string k = key;
      k[byte] = static_cast<char>(k[byte] ^ (1 << bit));
      total += __builtin_popcountll(base ^ h(k));
    }
  }
  const double avg = static_cast<double>(total) / (key.size() * 8);
  EXPECT_GT(avg, 26.0);
  EXPECT_LT(avg, 38.0);
}

TEST(KeyedHashTest, RandomSeedsDiffer) {
  EXPECT_NE(KeyedHash::Random()("k"), KeyedHash::Random()("k"));
}

}  // namespace
}  // namespace ringcache::base
