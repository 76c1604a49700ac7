#include "ringcache/base/numeric.h"

#include <string>

#include "gtest/gtest.h"

namespace ringcache::base {
namespace {

TEST(ParseU64Test, AcceptsWhatSafeStrtoullAccepts) {
  uint64_t v;
  EXPECT_TRUE(ParseU64("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseU64("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_TRUE(ParseU64("+5", &v));
  EXPECT_EQ(v, 5u);
  EXPECT_TRUE(ParseU64("-0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseU64("007", &v));
  EXPECT_EQ(v, 7u);
}

TEST(ParseU64Test, RefusesWhatSafeStrtoullRefuses) {
  uint64_t v = 99;
  for (const char* bad :
       {"", "-", "+", "-1", "18446744073709551616", "1a", "a1", " 1", "1 ", "0x10"}) {
    EXPECT_FALSE(ParseU64(bad, &v)) << bad;
    EXPECT_EQ(v, 0u) << "output is zeroed like memcached's";
  }
}

TEST(ParseU64HexTest, ParsesHex) {
  uint64_t v;
  EXPECT_TRUE(ParseU64Hex("ff", &v));
  EXPECT_EQ(v, 255u);
  EXPECT_TRUE(ParseU64Hex("0xFF", &v));
  EXPECT_EQ(v, 255u);
  EXPECT_FALSE(ParseU64Hex("fg", &v));
  EXPECT_FALSE(ParseU64Hex("10000000000000000", &v));
}

TEST(ParseI64Test, SignedRange) {
  int64_t v;
  EXPECT_TRUE(ParseI64("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(ParseI64("9223372036854775807", &v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_FALSE(ParseI64("9223372036854775808", &v));
  EXPECT_FALSE(ParseI64("-9223372036854775809", &v));
  EXPECT_TRUE(ParseI64("-1", &v));
  EXPECT_EQ(v, -1);
  EXPECT_FALSE(ParseI64("1.5", &v));
}

TEST(ParseI32Test, Int32Range) {
  int32_t v;
  EXPECT_TRUE(ParseI32("-2147483648", &v));
  EXPECT_EQ(v, INT32_MIN);
  EXPECT_FALSE(ParseI32("2147483648", &v));
}

TEST(ParseU32Test, NarrowsLikeMemcached) {
  uint32_t v;
  EXPECT_TRUE(ParseU32("4294967295", &v));
  EXPECT_EQ(v, UINT32_MAX);
  // memcached 1.6.18 stores flags 4294967296 as 0 (checked against the real server).
  EXPECT_TRUE(ParseU32("4294967296", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_FALSE(ParseU32("-1", &v));
}

TEST(FormatTest, RoundTrips) {
  char buf[32];
  for (uint64_t x : {uint64_t{0}, uint64_t{9}, uint64_t{10}, uint64_t{1234567890}, UINT64_MAX}) {
    const size_t n = FormatU64(x, buf);
    EXPECT_EQ(std::string(buf, n), std::to_string(x));
  }
  // Every digit count, at both edges, and the numbers around them.
  for (uint64_t p = 1; p <= UINT64_MAX / 10; p *= 10) {
    for (uint64_t x : {p - 1, p, p + 1, 10 * p - 1, 10 * p, 10 * p + 1, 5 * p + 3}) {
      const size_t n = FormatU64(x, buf);
      EXPECT_EQ(std::string(buf, n), std::to_string(x));
    }
  }
  for (uint64_t x = 0; x < 1000; ++x) {
    const size_t n = FormatU64(x, buf);
    ASSERT_EQ(std::string(buf, n), std::to_string(x));
  }
  for (int64_t x : {int64_t{0}, int64_t{-1}, INT64_MIN, INT64_MAX}) {
    const size_t n = FormatI64(x, buf);
    EXPECT_EQ(std::string(buf, n), std::to_string(x));
  }
}

}  // namespace
}  // namespace ringcache::base
