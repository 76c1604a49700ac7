// Tokenizer and memcached-exact number reading (memcached 1.6.18's
// tokenize_command and safe_strto* applied to tokens).
#include "ringcache/protocol/tokens.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::protocol {
namespace {

std::vector<std::string> Split(std::string_view line, TokenList* t) {
  Tokenize(line, t);
  std::vector<std::string> out;
  for (size_t i = 0; i < t->count; ++i) out.emplace_back(t->token[i]);
  return out;
}

TEST(TokenizeTest, SplitsOnSpacesOnly) {
  TokenList t;
  EXPECT_EQ(Split("set  a\tb   0 ", &t), (std::vector<std::string>{"set", "a\tb", "0"}));
  EXPECT_EQ(t.ntokens(), 4u);
  EXPECT_FALSE(t.truncated);
  EXPECT_EQ(Split("", &t), std::vector<std::string>{});
  EXPECT_EQ(t.ntokens(), 1u);
  EXPECT_EQ(Split("    ", &t), std::vector<std::string>{});
  EXPECT_EQ(t.last(), "");
}

TEST(TokenizeTest, KeepsAtMost23TokensAndTheRest) {
  std::string line;
  for (int i = 0; i < 30; ++i) line += "t" + std::to_string(i) + " ";
  TokenList t;
  const auto tokens = Split(line, &t);
  ASSERT_EQ(tokens.size(), 23u);
  EXPECT_EQ(tokens[22], "t22");
  EXPECT_EQ(t.ntokens(), 24u);
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.rest.substr(0, 4), "t23 ");
  EXPECT_EQ(t.last(), "t22");
  // Exactly 23 tokens, with or without a trailing space: nothing is left over.
  std::string exact;
  for (int i = 0; i < 23; ++i) exact += (i ? " " : "") + std::string("x");
  Split(exact, &t);
  EXPECT_EQ(t.count, 23u);
  EXPECT_FALSE(t.truncated);
  Split(exact + " ", &t);
  EXPECT_FALSE(t.truncated);
  // Only spaces after the 23rd token still count as a remainder (a view
  // into the line, so the line must outlive it).
  const std::string spaced = exact + "   ";
  Split(spaced, &t);
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.rest, "  ");
}

TEST(TokenizeTest, OutOfRangeIndexIsEmpty) {
  TokenList t;
  Tokenize("a b", &t);
  EXPECT_EQ(t[1], "b");
  EXPECT_EQ(t[2], "");
  EXPECT_EQ(t[22], "");
}

TEST(NextTokenTest, WalksTokens) {
  size_t pos = 0;
  const std::string_view text = "  ab c  ";
  EXPECT_EQ(NextToken(text, &pos), "ab");
  EXPECT_EQ(NextToken(text, &pos), "c");
  EXPECT_EQ(NextToken(text, &pos), "");
  EXPECT_EQ(pos, text.size());
}

TEST(TokenNumbersTest, U32FollowsSafeStrtoul) {
  uint32_t v;
  EXPECT_TRUE(TokenToU32("0", &v));
  EXPECT_TRUE(TokenToU32("+7", &v));
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(TokenToU32("-0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_FALSE(TokenToU32("-1", &v));
  EXPECT_TRUE(TokenToU32("4294967295", &v));
  EXPECT_EQ(v, 4294967295u);
  // unsigned long is 64 bits: the value is narrowed, not refused.
  EXPECT_TRUE(TokenToU32("4294967296", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(TokenToU32("\t5", &v));
  EXPECT_EQ(v, 5u);
  EXPECT_TRUE(TokenToU32("5\r", &v));
  EXPECT_EQ(v, 5u);
  EXPECT_TRUE(TokenToU32("5\tjunk", &v)) << "strtoul stops at white space";
  EXPECT_FALSE(TokenToU32("5x", &v));
  EXPECT_FALSE(TokenToU32("", &v));
  EXPECT_FALSE(TokenToU32("+", &v));
  EXPECT_FALSE(TokenToU32("\t", &v));
  EXPECT_FALSE(TokenToU32("18446744073709551616", &v)) << "ERANGE";
}

TEST(TokenNumbersTest, I32FollowsSafeStrtol) {
  int32_t v;
  EXPECT_TRUE(TokenToI32("-1", &v));
  EXPECT_EQ(v, -1);
  EXPECT_TRUE(TokenToI32("2147483648", &v)) << "long is 64 bits, narrowed to int32";
  EXPECT_EQ(v, INT32_MIN);
  EXPECT_TRUE(TokenToI32("4294967297", &v));
  EXPECT_EQ(v, 1);
  EXPECT_FALSE(TokenToI32("9223372036854775808", &v)) << "ERANGE";
  EXPECT_TRUE(TokenToI32("-9223372036854775808", &v));
  EXPECT_EQ(v, 0);
  EXPECT_FALSE(TokenToI32("0x10", &v));
  EXPECT_FALSE(TokenToI32("1.5", &v));
}

TEST(TokenNumbersTest, U64FollowsSafeStrtoull) {
  uint64_t v;
  EXPECT_TRUE(TokenToU64("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_FALSE(TokenToU64("18446744073709551616", &v));
  EXPECT_FALSE(TokenToU64("-1", &v));
  EXPECT_TRUE(TokenToU64("-0", &v));
  // strtoull negates: "-18446744073709551615" is 1 and not negative-looking.
  EXPECT_TRUE(TokenToU64("-18446744073709551615", &v));
  EXPECT_EQ(v, 1u);
  // A '-' anywhere in the token refuses a value that looks negative.
  EXPECT_FALSE(TokenToU64("18446744073709551615\t-", &v));
  EXPECT_TRUE(TokenToU64("1\t-", &v));
}

TEST(TokenNumbersTest, I64AndDouble) {
  int64_t i;
  EXPECT_TRUE(TokenToI64("-9223372036854775808", &i));
  EXPECT_EQ(i, INT64_MIN);
  EXPECT_FALSE(TokenToI64("9223372036854775808", &i));
  double d;
  EXPECT_TRUE(TokenToDouble("0.5", &d));
  EXPECT_DOUBLE_EQ(d, 0.5);
  EXPECT_TRUE(TokenToDouble("1e3\t", &d));
  EXPECT_DOUBLE_EQ(d, 1000);
  EXPECT_FALSE(TokenToDouble("0.5x", &d));
  EXPECT_FALSE(TokenToDouble("", &d));
  EXPECT_FALSE(TokenToDouble("1e999", &d)) << "ERANGE";
}

}  // namespace
}  // namespace ringcache::protocol
