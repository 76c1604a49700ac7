// Binary response packets: header fields, bodies, quiet rules.
#include "ringcache/protocol/binary_composer.h"

#include <string>

#include "gtest/gtest.h"

#include "binary_test_util.h"

namespace ringcache::protocol::binary {
namespace {

using testing::Be32;
using testing::Be64;

class BinaryComposerTest : public ::testing::Test {
 protected:
  // Parses `packet` into req_ (the request being answered).
  void Request(const std::string& packet) {
    packet_ = packet;
    ASSERT_EQ(ParseRequest(packet_, &req_).status, ParseStatus::kRequest);
  }
  std::string Take() {
    std::string s;
    out_.CopyTo(&s);
    out_.Clear();
    return s;
  }
  // The expected response: header then body.
  static std::string Response(uint8_t opcode, Status status, uint16_t key_length,
                              uint8_t extras_length, std::string_view body, uint32_t opaque,
                              uint64_t cas) {
    ResponseHeader h;
    h.opcode = opcode;
    h.status = status;
    h.key_length = key_length;
    h.extras_length = extras_length;
    h.body_length = static_cast<uint32_t>(body.size());
    h.opaque = opaque;
    h.cas = cas;
    std::string s(kHeaderSize, '\0');
    EncodeResponseHeader(h, s.data());
    return s + std::string(body);
  }
  std::string Op(uint8_t opcode, std::string key = {}, std::string extras = {},
                 std::string value = {}, uint32_t opaque = 7) {
    testing::PacketSpec s;
    s.opcode = opcode;
    s.key = std::move(key);
    s.extras = std::move(extras);
    s.value = std::move(value);
    s.opaque = opaque;
    return testing::Packet(s);
  }

  std::string packet_;
  binary::Request req_;
  base::BlockPool pool_;
  base::OutBuffer out_{&pool_};
};

TEST_F(BinaryComposerTest, HeaderLayout) {
  ResponseHeader h;
  h.opcode = 0x0c;
  h.key_length = 3;
  h.extras_length = 4;
  h.status = Status::kKeyExists;
  h.body_length = 10;
  h.opaque = 0x01020304;
  h.cas = 0x1122334455667788ull;
  char wire[kHeaderSize];
  EncodeResponseHeader(h, wire);
  const std::string expected = std::string("\x81\x0c\x00\x03\x04\x00\x00\x02", 8) + Be32(10) +
                               Be32(0x01020304) + Be64(0x1122334455667788ull);
  EXPECT_EQ(std::string(wire, kHeaderSize), expected);
  const ResponseHeader back = DecodeResponseHeader(wire);
  EXPECT_EQ(back.status, Status::kKeyExists);
  EXPECT_EQ(back.cas, h.cas);
}

TEST_F(BinaryComposerTest, GetHitAndMiss) {
  Request(Op(0x00, "foo"));
  AppendGetHit(out_, req_, 5, 3, 99);
  out_.Append("bar");
  EXPECT_EQ(Take(), Response(0x00, Status::kSuccess, 0, 4, Be32(5) + "bar", 7, 99));
  AppendGetMiss(out_, req_);
  EXPECT_EQ(Take(), Response(0x00, Status::kKeyNotFound, 0, 0, "Not found", 7, 0));
  // GETK returns the key with a hit and instead of the text with a miss.
  Request(Op(0x0c, "foo"));
  AppendGetHit(out_, req_, 5, 3, 99);
  out_.Append("bar");
  EXPECT_EQ(Take(), Response(0x0c, Status::kSuccess, 3, 4, Be32(5) + "foo" + "bar", 7, 99));
  AppendGetMiss(out_, req_);
  EXPECT_EQ(Take(), Response(0x0c, Status::kKeyNotFound, 3, 0, "foo", 7, 0));
}

TEST_F(BinaryComposerTest, QuietGetsReportHitsOnly) {
  Request(Op(0x0d, "foo"));  // GETKQ: the response carries the raw opcode
  AppendGetHit(out_, req_, 0, 1, 5);
  out_.Append("x");
  EXPECT_EQ(Take(), Response(0x0d, Status::kSuccess, 3, 4, Be32(0) + "foo" + "x", 7, 5));
  AppendGetMiss(out_, req_);
  EXPECT_EQ(Take(), "");
}

TEST_F(BinaryComposerTest, TouchHitCarriesNoValue) {
  Request(Op(0x1c, "foo", Be32(10)));
  AppendGetHit(out_, req_, 9, 3, 1);
  EXPECT_EQ(Take(), Response(0x1c, Status::kSuccess, 0, 4, Be32(9), 7, 1));
}

TEST_F(BinaryComposerTest, StorageSuccessErrorsAndQuiet) {
  Request(Op(0x01, "k", Be32(0) + Be32(0), "v"));
  AppendSuccess(out_, req_, 42);
  EXPECT_EQ(Take(), Response(0x01, Status::kSuccess, 0, 0, "", 7, 42));
  AppendError(out_, req_, Status::kKeyExists);
  EXPECT_EQ(Take(), Response(0x01, Status::kKeyExists, 0, 0, "Data exists for key.", 7, 0));
  Request(Op(0x11, "k", Be32(0) + Be32(0), "v"));  // SETQ
  AppendSuccess(out_, req_, 42);
  EXPECT_EQ(Take(), "");
  AppendError(out_, req_, Status::kNotStored);
  EXPECT_EQ(Take(), Response(0x11, Status::kNotStored, 0, 0, "Not stored.", 7, 0));
  AppendError(out_, req_, Status::kOutOfMemory, "Out of memory allocating item");
  EXPECT_EQ(Take(),
            Response(0x11, Status::kOutOfMemory, 0, 0, "Out of memory allocating item", 7, 0));
}

TEST_F(BinaryComposerTest, CounterVersionStats) {
  Request(Op(0x05, "n", Be64(1) + Be64(0) + Be32(0)));
  AppendCounter(out_, req_, 12, 3);
  EXPECT_EQ(Take(), Response(0x05, Status::kSuccess, 0, 0, Be64(12), 7, 3));
  Request(Op(0x15, "n", Be64(1) + Be64(0) + Be32(0)));
  AppendCounter(out_, req_, 12, 3);
  EXPECT_EQ(Take(), "");
  Request(Op(0x0b));
  AppendVersion(out_, req_, "1.6.18");
  EXPECT_EQ(Take(), Response(0x0b, Status::kSuccess, 0, 0, "1.6.18", 7, 0));
  Request(Op(0x10));
  AppendStat(out_, req_, "pid", "123");
  AppendStatsEnd(out_, req_);
  EXPECT_EQ(Take(), Response(0x10, Status::kSuccess, 3, 0, "pid123", 7, 0) +
                        Response(0x10, Status::kSuccess, 0, 0, "", 7, 0));
}

TEST_F(BinaryComposerTest, ParseErrorsUseTheHeader) {
  const std::string packet = Op(0x00, std::string(251, 'k'), "", "", 9);
  binary::Request req;
  const ParseResult r = ParseRequest(packet, &req);
  ASSERT_EQ(r.status, ParseStatus::kError);
  AppendError(out_, req.header, r.error);
  EXPECT_EQ(Take(), Response(0x00, Status::kInvalidArguments, 0, 0, "Invalid arguments", 9, 0));
}

}  // namespace
}  // namespace ringcache::protocol::binary
