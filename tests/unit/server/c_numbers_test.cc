// The libc conversions memcached applies to flag values, including the
// corner cases whose results show in `stats settings` or decide refusals.
#include "c_numbers.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace ringcache::server::config_internal {
namespace {

TEST(CNumbersTest, AtoiIsLenient) {
  EXPECT_EQ(Atoi("11211"), 11211);
  EXPECT_EQ(Atoi("  42"), 42);
  EXPECT_EQ(Atoi("+7"), 7);
  EXPECT_EQ(Atoi("-1"), -1);
  EXPECT_EQ(Atoi("12abc"), 12);
  EXPECT_EQ(Atoi("abc"), 0);
  EXPECT_EQ(Atoi(""), 0);
  // strtol saturates at LONG_MAX, then the int conversion keeps the low bits.
  EXPECT_EQ(Atoi("99999999999"), static_cast<int>(99999999999L));
  EXPECT_EQ(Atoi("99999999999999999999999"), -1);
}

TEST(CNumbersTest, AtofAndOctal) {
  EXPECT_DOUBLE_EQ(Atof("1.25"), 1.25);
  EXPECT_DOUBLE_EQ(Atof("2x"), 2.0);
  EXPECT_DOUBLE_EQ(Atof("x"), 0.0);
  EXPECT_EQ(StrtolInt("700", 8), 0700);
  EXPECT_EQ(StrtolInt("789", 8), 07);
  EXPECT_EQ(StrtolInt("abc", 8), 0);
}

TEST(CNumbersTest, SafeStrtoulAcceptsWhatMemcachedAccepts) {
  uint32_t v = 99;
  EXPECT_TRUE(SafeStrtoul("123", &v));
  EXPECT_EQ(v, 123u);
  EXPECT_TRUE(SafeStrtoul(" 5 trailing", &v));  // white space ends the number
  EXPECT_EQ(v, 5u);
  EXPECT_FALSE(SafeStrtoul("5x", &v));
  EXPECT_EQ(v, 0u);  // cleared on failure, as memcached's helper does
  EXPECT_FALSE(SafeStrtoul("", &v));
  EXPECT_FALSE(SafeStrtoul("-1", &v));
  EXPECT_TRUE(SafeStrtoul("-0", &v));
  EXPECT_EQ(v, 0u);
  // Larger than 32 bits but not negative as a long: narrowed, not refused.
  EXPECT_TRUE(SafeStrtoul("4294967296", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_FALSE(SafeStrtoul("99999999999999999999999", &v));
}

TEST(CNumbersTest, SafeStrtolAndStrtod) {
  int32_t i = 7;
  EXPECT_TRUE(SafeStrtol("-12", &i));
  EXPECT_EQ(i, -12);
  EXPECT_FALSE(SafeStrtol("12a", &i));
  EXPECT_EQ(i, 0);
  EXPECT_TRUE(SafeStrtol("3000000000", &i));  // narrowed like the C assignment
  EXPECT_EQ(i, static_cast<int32_t>(3000000000L));
  double d = 1;
  EXPECT_TRUE(SafeStrtod("0.5", &d));
  EXPECT_DOUBLE_EQ(d, 0.5);
  EXPECT_FALSE(SafeStrtod("half", &d));
  EXPECT_FALSE(SafeStrtod("1e999", &d));  // ERANGE
}

}  // namespace
}  // namespace ringcache::server::config_internal
