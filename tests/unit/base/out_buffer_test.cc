#include "ringcache/base/out_buffer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::base {
namespace {

std::string Drain(OutBuffer& out, size_t step) {
  std::string got;
  while (!out.empty()) {
    iovec iov[4];
    const int n = out.Gather(iov, 4, step);
    size_t taken = 0;
    for (int i = 0; i < n; ++i) {
      got.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
      taken += iov[i].iov_len;
    }
    out.Consume(taken);
  }
  return got;
}

TEST(OutBufferTest, AppendsAcrossBlocks) {
  BlockPool pool(64);
  OutBuffer out(&pool);
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    const std::string piece = "reply-" + std::to_string(i) + "\r\n";
    out.Append(piece);
    expected += piece;
  }
  EXPECT_EQ(out.size(), expected.size());
  EXPECT_EQ(Drain(out, 50), expected);
  EXPECT_EQ(pool.in_use(), 0u) << "every block went back";
}

TEST(OutBufferTest, ReserveCommitIsContiguous) {
  BlockPool pool(32);
  OutBuffer out(&pool);
  out.Append(std::string(30, 'a'));
  char* p = out.Reserve(10);  // does not fit the 2 bytes left: new block
  std::memcpy(p, "0123456789", 10);
  out.Commit(10);
  EXPECT_EQ(Drain(out, 1000), std::string(30, 'a') + "0123456789");
}

TEST(OutBufferTest, ReferencesAreReleasedOnceAfterSending) {
  BlockPool pool(64);
  OutBuffer out(&pool);
  int released = 0;
  OutRef ref{[](void* ctx) { ++*static_cast<int*>(ctx); }, &released};
  const std::string big(1000, 'v');
  out.Append("VALUE k 0 1000\r\n");
  out.AppendRef(big, ref);
  out.Append("\r\nEND\r\n");
  EXPECT_EQ(out.size(), 16 + 1000 + 7u);
  // Send in small steps: the reference must survive partial sends.
  std::string got;
  while (!out.empty()) {
    iovec iov[1];
    ASSERT_EQ(out.Gather(iov, 1, 7), 1);
    got.append(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len);
    if (got.size() < 16 + 1000) {
      EXPECT_EQ(released, 0);
    }
    out.Consume(iov[0].iov_len);
  }
  EXPECT_EQ(released, 1);
  EXPECT_EQ(got, "VALUE k 0 1000\r\n" + big + "\r\nEND\r\n");
}

TEST(OutBufferTest, ClearReleasesEverything) {
  BlockPool pool(64);
  int released = 0;
  {
    OutBuffer out(&pool);
    out.Append("abc");
    out.AppendRef("zzz", OutRef{[](void* c) { ++*static_cast<int*>(c); }, &released});
    out.Append("def");
  }
  EXPECT_EQ(released, 1);
  EXPECT_EQ(pool.in_use(), 0u);
}

TEST(OutBufferTest, AppendWhileSendInFlightKeepsGatheredBytes) {
  BlockPool pool(64);
  OutBuffer out(&pool);
  out.Append("first");
  iovec iov[2];
  ASSERT_EQ(out.Gather(iov, 2, 100), 1);
  const char* in_flight = static_cast<const char*>(iov[0].iov_base);
  out.Append("second");  // produced while the send is in flight
  EXPECT_EQ(std::string(in_flight, 5), "first");
  out.Consume(5);
  EXPECT_EQ(out.Front(), "second");
}

TEST(OutBufferTest, IdleConnectionHoldsNoBlock) {
  BlockPool pool(64);
  OutBuffer out(&pool);
  out.Append("x");
  out.Consume(1);
  EXPECT_EQ(pool.in_use(), 0u);
  out.Append("y");
  EXPECT_EQ(out.Front(), "y");
}

TEST(OutBufferTest, TruncateDropsAnAbandonedReply) {
  BlockPool pool(32);
  OutBuffer out(&pool);
  int released = 0;
  out.Append("kept-reply\r\n");
  const size_t mark = out.size();
  for (int i = 0; i < 10; ++i) out.Append("VALUE k 0 1\r\nx\r\n");
  out.AppendRef("referenced", OutRef{[](void* c) { ++*static_cast<int*>(c); }, &released});
  out.Append("more");
  out.TruncateTo(mark);
  EXPECT_EQ(released, 1) << "the dropped reference is released";
  EXPECT_EQ(out.size(), mark);
  out.Append("SERVER_ERROR x\r\n");
  EXPECT_EQ(Drain(out, 7), "kept-reply\r\nSERVER_ERROR x\r\n");
  EXPECT_EQ(pool.in_use(), 0u);
}

TEST(OutBufferTest, TruncateToEverythingAndToZero) {
  BlockPool pool(64);
  OutBuffer out(&pool);
  out.Append("abc");
  out.TruncateTo(3);
  EXPECT_EQ(out.size(), 3u);
  out.TruncateTo(0);
  EXPECT_TRUE(out.empty());
  out.Append("z");
  EXPECT_EQ(Drain(out, 10), "z");
}

}  // namespace
}  // namespace ringcache::base
