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
  EXPECT_EQ(datagrams[0], Header(9, 0, 1));
}

}  // namespace
}  // namespace ringcache::protocol
