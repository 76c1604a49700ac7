#include "input_carry.h"

#include <string>

#include "gtest/gtest.h"

namespace ringcache::io {
namespace {

TEST(InputCarryTest, AppendConsumeKeepsOneContiguousView) {
  InputCarry c;
  EXPECT_TRUE(c.empty());
  ASSERT_TRUE(c.Append("get a", 1 << 20));
  ASSERT_TRUE(c.Append("bc\r\nget", 1 << 20));
  EXPECT_EQ(c.view(), "get abc\r\nget");
  c.Consume(9);
  EXPECT_EQ(c.view(), "get");
  ASSERT_TRUE(c.Append(" d\r\n", 1 << 20));
  EXPECT_EQ(c.view(), "get d\r\n");
  c.Consume(7);
  EXPECT_TRUE(c.empty());
}

TEST(InputCarryTest, RefusesToGrowPastTheLimit) {
  InputCarry c;
  ASSERT_TRUE(c.Append(std::string(100, 'x'), 150));
  EXPECT_FALSE(c.Append(std::string(51, 'y'), 150));
  EXPECT_EQ(c.size(), 100u) << "nothing appended on refusal";
  EXPECT_TRUE(c.Append(std::string(50, 'y'), 150));
  EXPECT_FALSE(c.Append("z", 150));
}

TEST(InputCarryTest, LargeRequestGrowsGeometrically) {
  // Assembling 1 MB from 4 kB pieces reallocates O(log n) times, not per piece.
  InputCarry c;
  const std::string piece(4096, 'p');
  size_t grows = 0;
  size_t last_capacity = 0;
  for (int i = 0; i < 256; ++i) {
    ASSERT_TRUE(c.Append(piece, 2 << 20));
    if (c.capacity() != last_capacity) {
      ++grows;
      last_capacity = c.capacity();
    }
  }
  EXPECT_EQ(c.size(), 1u << 20);
  EXPECT_LE(grows, 10u);
  EXPECT_EQ(c.view(), std::string(1 << 20, 'p'));
}

TEST(InputCarryTest, SlidingWindowDoesNotGrow) {
  // A handler that consumes what it can while bytes keep coming: the live
  // part stays small, so the buffer must stay small too (moves, not growth).
  InputCarry c;
  for (int i = 0; i < 100000; ++i) {
    ASSERT_TRUE(c.Append("0123456789", 1 << 20));
    c.Consume(c.size() > 7 ? c.size() - 7 : 0);
  }
  EXPECT_EQ(c.view(), "3456789");
  EXPECT_LE(c.capacity(), InputCarry::kInitialBytes);
}

TEST(InputCarryTest, BufferIsReleasedWhenEmpty) {
  InputCarry c;
  ASSERT_TRUE(c.Append(std::string(1 << 20, 'b'), 2 << 20));
  EXPECT_GE(c.capacity(), 1u << 20);
  c.Consume(c.size() - 1);
  EXPECT_GE(c.capacity(), 1u << 20) << "not empty yet";
  c.Consume(1);
  EXPECT_EQ(c.capacity(), 0u) << "an idle connection keeps no input memory";
  ASSERT_TRUE(c.Append("small", 100));
  EXPECT_EQ(c.capacity(), InputCarry::kInitialBytes);
  c.Consume(5);
  EXPECT_EQ(c.capacity(), 0u);
}

}  // namespace
}  // namespace ringcache::io
