#include "arith.h"

#include <string>

#include "gtest/gtest.h"

namespace ringcache::storage {
namespace {

std::optional<uint64_t> Parse(std::string_view v) {
  uint64_t out;
  if (!ParseStoredNumber(v, {}, &out)) return std::nullopt;
  return out;
}

TEST(ParseStoredNumberTest, AcceptsWhatStrtoullAccepts) {
  EXPECT_EQ(Parse("0"), 0u);
  EXPECT_EQ(Parse("42"), 42u);
  EXPECT_EQ(Parse("  42"), 42u);    // leading whitespace
  EXPECT_EQ(Parse("+42"), 42u);     // sign
  EXPECT_EQ(Parse("-0"), 0u);       // "-0" is a valid zero
  EXPECT_EQ(Parse("99 "), 99u);     // what decr leaves behind
  EXPECT_EQ(Parse("12 abc"), 12u);  // stops at whitespace
  EXPECT_EQ(Parse("7\r\n"), 7u);
  EXPECT_EQ(Parse(std::string_view("5\0x", 3)), 5u);  // NUL ends the string
  EXPECT_EQ(Parse("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(Parse("000000000000000000000000000001"), 1u);
  EXPECT_EQ(Parse("-18446744073709551615"), 1u);  // strtoull negates modulo 2^64
}

TEST(ParseStoredNumberTest, RefusesWhatMemcachedRefuses) {
  EXPECT_FALSE(Parse(""));
  EXPECT_FALSE(Parse("  "));
  EXPECT_FALSE(Parse("hi"));
  EXPECT_FALSE(Parse("12abc"));
  EXPECT_FALSE(Parse("0x10"));
  EXPECT_FALSE(Parse("-5"));  // negative as int64
  EXPECT_FALSE(Parse("-"));
  EXPECT_FALSE(Parse("+"));
  EXPECT_FALSE(Parse("18446744073709551616"));   // overflow
  EXPECT_FALSE(Parse("9223372036854775808 -"));  // looks negative and has a '-'
}

TEST(ParseStoredNumberTest, ReadsAcrossTheTwoPartsOfASplitValue) {
  uint64_t v;
  ASSERT_TRUE(ParseStoredNumber("  12", "34 ", &v));
  EXPECT_EQ(v, 1234u);
  EXPECT_FALSE(ParseStoredNumber("12", "x", &v));
  ASSERT_TRUE(ParseStoredNumber("", "9", &v));
  EXPECT_EQ(v, 9u);
}

TEST(ApplyDeltaTest, IncrWrapsDecrStopsAtZero) {
  EXPECT_EQ(ApplyDelta(UINT64_MAX, true, 1), 0u);
  EXPECT_EQ(ApplyDelta(10, true, 5), 15u);
  EXPECT_EQ(ApplyDelta(10, false, 11), 0u);
  EXPECT_EQ(ApplyDelta(10, false, 10), 0u);
  EXPECT_EQ(ApplyDelta(10, false, 3), 7u);
}

TEST(FormatStoredNumberTest, PadsShorterResultsToTheOldLength) {
  char buf[32];
  size_t n = FormatStoredNumber(99, 3, buf);
  EXPECT_EQ(std::string(buf, n), "99 ");
  n = FormatStoredNumber(100, 2, buf);
  EXPECT_EQ(std::string(buf, n), "100");
  n = FormatStoredNumber(5, 1, buf);
  EXPECT_EQ(std::string(buf, n), "5");
  n = FormatStoredNumber(0, 5, buf);
  EXPECT_EQ(std::string(buf, n), "0    ");
}

}  // namespace
}  // namespace ringcache::storage
