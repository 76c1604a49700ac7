// ValueBlock: a storage command's value and its "\r\n", in any pieces.
#include "ringcache/protocol/value_block.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::protocol {
namespace {

struct Outcome {
  std::string value;
  size_t consumed = 0;
  bool done = false;
  bool ok = false;
};

// Feeds `input` split at `cut` (and at every byte when cut == 0).
Outcome Feed(ValueBlock block, std::string_view input, size_t cut) {
  Outcome o;
  std::vector<std::string_view> pieces;
  if (cut == 0) {
    for (size_t i = 0; i < input.size(); ++i) pieces.push_back(input.substr(i, 1));
  } else {
    pieces = {input.substr(0, cut), input.substr(cut)};
  }
  for (std::string_view piece : pieces) {
    while (!piece.empty() && !block.done()) {
      const ValueBlock::Step s = block.Next(piece);
      o.value.append(s.value);
      o.consumed += s.consumed;
      piece.remove_prefix(s.consumed);
      if (s.consumed == 0) break;
    }
  }
  o.done = block.done();
  o.ok = o.done && block.terminated_ok();
  return o;
}

TEST(ValueBlockTest, TakesValueAndTerminatorAtEverySplit) {
  const std::string input = "hello\r\nget next\r\n";
  for (size_t cut = 0; cut < input.size(); ++cut) {
    const Outcome o = Feed(ValueBlock(5), input, cut);
    EXPECT_EQ(o.value, "hello") << cut;
    EXPECT_EQ(o.consumed, 7u) << cut;
    EXPECT_TRUE(o.ok) << cut;
  }
}

TEST(ValueBlockTest, WrongTerminatorStillTakesExactlyTwoBytes) {
  // memcached reads n + 2 bytes whatever they are.
  const Outcome o = Feed(ValueBlock(1), "abc\r\n", 3);
  EXPECT_EQ(o.value, "a");
  EXPECT_EQ(o.consumed, 3u);
  EXPECT_TRUE(o.done);
  EXPECT_FALSE(o.ok);
  EXPECT_FALSE(Feed(ValueBlock(0), "\n\r", 1).ok);
  EXPECT_FALSE(Feed(ValueBlock(0), "\r\r", 1).ok);
}

TEST(ValueBlockTest, EmptyValueAndRemaining) {
  ValueBlock block(0);
  EXPECT_EQ(block.remaining(), 2u);
  ValueBlock::Step s = block.Next("\r");
  EXPECT_TRUE(s.value.empty());
  EXPECT_EQ(s.consumed, 1u);
  EXPECT_FALSE(block.done());
  EXPECT_EQ(block.remaining(), 1u);
  s = block.Next("\nxyz");
  EXPECT_EQ(s.consumed, 1u);
  EXPECT_TRUE(block.done());
  EXPECT_TRUE(block.terminated_ok());
  EXPECT_EQ(block.remaining(), 0u);
}

TEST(ValueBlockTest, ValueBytesMayLookLikeTerminators) {
  const Outcome o = Feed(ValueBlock(4), "\r\n\r\n\r\n", 2);
  EXPECT_EQ(o.value, "\r\n\r\n");
  EXPECT_TRUE(o.ok);
}

TEST(ValueBlockTest, RawBlocksHaveNoTerminator) {
  for (size_t cut = 0; cut < 6; ++cut) {
    const Outcome o = Feed(ValueBlock::Raw(4), "abcdEF", cut);
    EXPECT_EQ(o.value, "abcd") << cut;
    EXPECT_EQ(o.consumed, 4u) << cut;
    EXPECT_TRUE(o.ok) << cut;
  }
  ValueBlock empty = ValueBlock::Raw(0);
  EXPECT_TRUE(empty.done());
  EXPECT_EQ(empty.remaining(), 0u);
}

}  // namespace
}  // namespace ringcache::protocol
