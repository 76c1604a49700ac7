#include "arith.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>
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

// memcached's safe_strtoull applied to an item's data, which memcached stores
// followed by "\r\n" (util.c): the reference the parser must agree with.
std::optional<uint64_t> Reference(const std::string& value) {
  const std::string data = value + "\r\n";
  const char* str = data.c_str();
  errno = 0;
  char* end;
  const unsigned long long ull = std::strtoull(str, &end, 10);
  if (errno == ERANGE || str == end) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(*end)) || (*end == '\0' && end != str)) {
    // memcached's strchr runs to the NUL; within the value is what is known.
    if (static_cast<long long>(ull) < 0 && std::memchr(str, '-', value.size()) != nullptr) {
      return std::nullopt;
    }
    return static_cast<uint64_t>(ull);
  }
  return std::nullopt;
}

TEST(ParseStoredNumberTest, AgreesWithMemcachedsStrtoullOnRandomValues) {
  std::mt19937 rng(3);
  const char alphabet[] = "0123456789 +-\t\nx\0";
  for (int i = 0; i < 200000; ++i) {
    std::string v(rng() % 24, ' ');
    for (char& c : v) c = alphabet[rng() % (sizeof(alphabet) - 1)];
    if (rng() % 4 == 0) v = std::to_string(rng()) + std::to_string(rng()) + std::to_string(rng());
    ASSERT_EQ(Parse(v), Reference(v)) << "'" << v << "'";
  }
}

// A split item's value arrives in two parts: every split point must read the
// same number as the whole value.
TEST(ParseStoredNumberTest, EverySplitPointReadsLikeTheWhole) {
  for (const std::string& v : std::initializer_list<std::string>{
           "12345", "  42 ", "-0", "+7x", "18446744073709551615", "18446744073709551616",
           "9 trailing", "", "abc", std::string("4\0 2", 4)}) {
    uint64_t whole = 0;
    const bool whole_ok = ParseStoredNumber(v, {}, &whole);
    for (size_t k = 0; k <= v.size(); ++k) {
      uint64_t part = 0;
      const std::string_view sv(v);
      ASSERT_EQ(ParseStoredNumber(sv.substr(0, k), sv.substr(k), &part), whole_ok)
          << v << " @" << k;
      if (whole_ok) {
        ASSERT_EQ(part, whole) << v << " @" << k;
      }
    }
  }
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
