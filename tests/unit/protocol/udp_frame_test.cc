// UDP framing: request header checks and response splitting.
#include "ringcache/protocol/udp_frame.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::protocol {
namespace {

std::string Header(uint16_t id, uint16_t seq, uint16_t total) {
  char h[kUdpHeaderSize];
  WriteUdpHeader(id, seq, total, h);
  return std::string(h, kUdpHeaderSize);
}

TEST(UdpFrameTest, ParsesSingleDatagramRequests) {
  UdpRequest req;
  ASSERT_TRUE(ParseUdpRequest(Header(0x1234, 0, 1) + "get a\r\n", &req));
  EXPECT_EQ(req.request_id, 0x1234);
  EXPECT_EQ(req.payload, "get a\r\n");
  // The sequence number is not looked at.
  EXPECT_TRUE(ParseUdpRequest(Header(1, 7, 1) + "x", &req));
  EXPECT_FALSE(ParseUdpRequest(Header(1, 0, 2) + "get a\r\n", &req)) << "multi-datagram";
  EXPECT_FALSE(ParseUdpRequest(Header(1, 0, 0) + "get a\r\n", &req));
  EXPECT_FALSE(ParseUdpRequest(Header(1, 0, 1), &req)) << "nothing after the header";
  EXPECT_FALSE(ParseUdpRequest("short", &req));
}

TEST(UdpFrameTest, SplitsRepliesInto1400ByteDatagrams) {
  std::string reply;
  for (int i = 0; i < 3000; ++i) reply += static_cast<char>('a' + i % 26);
  char scratch[kUdpMaxDatagram];
  std::vector<std::string> datagrams;
  const size_t n = FrameUdpResponse(0xabcd, reply, scratch,
                                    [&](std::string_view d) { datagrams.emplace_back(d); });
  ASSERT_EQ(n, 3u);
  ASSERT_EQ(datagrams.size(), 3u);
  EXPECT_EQ(datagrams[0].size(), kUdpMaxDatagram);
  EXPECT_EQ(datagrams[1].size(), kUdpMaxDatagram);
  EXPECT_EQ(datagrams[2].size(), kUdpHeaderSize + 3000 - 2 * kUdpMaxPayload);
  std::string joined;
  for (size_t i = 0; i < datagrams.size(); ++i) {
    EXPECT_EQ(datagrams[i].substr(0, kUdpHeaderSize), Header(0xabcd, i, 3));
    joined += datagrams[i].substr(kUdpHeaderSize);
  }
  EXPECT_EQ(joined, reply);
}

TEST(UdpFrameTest, ExactMultiplesAndEmptyReplies) {
  char scratch[kUdpMaxDatagram];
  std::vector<std::string> datagrams;
  auto emit = [&](std::string_view d) { datagrams.emplace_back(d); };
  EXPECT_EQ(FrameUdpResponse(1, std::string(kUdpMaxPayload, 'x'), scratch, emit), 1u);
  EXPECT_EQ(FrameUdpResponse(1, std::string(kUdpMaxPayload + 1, 'x'), scratch, emit), 2u);
  datagrams.clear();
  EXPECT_EQ(FrameUdpResponse(9, "", scratch, emit), 1u);
  ASSERT_EQ(datagrams.size(), 1u);
  EXPECT_EQ(datagrams[0], Header(9, 0, 0)) << "memcached counts 0 datagrams for nothing";
}

// `get nope a big nope2` then `set x 0 0 1 noreply`, `mg b v q` (both
// skipped) and `get nope a` again, as memcached's transmit_udp sends them.
TEST(UdpFrameTest, ResponseObjectsFramedOneByOne) {
  char scratch[kUdpMaxDatagram];
  std::vector<std::string> datagrams;
  auto emit = [&](std::string_view d) { datagrams.emplace_back(d); };
  UdpReplyFramer framer(5, scratch);
  const std::string a = "VALUE a 0 1\r\nx\r\n";
  const std::string big = "VALUE big 0 2000\r\n" + std::string(2000, 'b') + "\r\n";
  framer.Add("", true, emit);  // nope: nothing sent before it in the batch
  framer.Add(a, true, emit);
  framer.Add(big, true, emit);
  framer.Add("END\r\n", true, emit);
  framer.EndBatch();
  framer.Add("", false, emit);  // noreply
  framer.Add("", false, emit);  // quiet miss
  framer.Add("", true, emit);   // nope: still first in this batch
  framer.Add(a + "END\r\n", true, emit);
  framer.Add("", true, emit);  // after a sent response: retired silently
  framer.EndBatch();
  ASSERT_EQ(framer.datagrams(), 7u);
  ASSERT_EQ(datagrams.size(), 7u);
  EXPECT_EQ(datagrams[0], Header(5, 0, 0));
  EXPECT_EQ(datagrams[1], Header(5, 0, 1) + a);
  EXPECT_EQ(datagrams[2], Header(5, 0, 2) + big.substr(0, kUdpMaxPayload));
  EXPECT_EQ(datagrams[3], Header(5, 1, 2) + big.substr(kUdpMaxPayload));
  EXPECT_EQ(datagrams[4], Header(5, 0, 1) + "END\r\n");
  EXPECT_EQ(datagrams[5], Header(5, 0, 0));
  EXPECT_EQ(datagrams[6], Header(5, 0, 1) + a + "END\r\n");
}

}  // namespace
}  // namespace ringcache::protocol
