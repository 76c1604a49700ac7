// Binary protocol reply parser: memcached 1.6.18's responses (captured from
// /usr/bin/memcached), whole and split at every byte boundary, and headers
// that cannot be a response.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "reply_test_util.h"
#include "ringcache/protocol/client/reply_parser.h"

namespace ringcache::protocol::client {
namespace {

using ::testing::ElementsAre;
using testing::ExpectSameAtEverySplit;

// memcached 1.6.18's responses to: SET bk "hello" flags 9; GET bk (opaque 7);
// GET nokey; GETKQ bk; GETKQ nokey; NOOP; INCREMENT bk (non-numeric);
// SET bn "41"; INCREMENT bn; INCREMENT nokey; TOUCH bk; TOUCH nokey;
// DELETE bk (twice); VERSION; ADD bn (exists); opcode 0x55 (unknown).
const std::string kMemcachedSession = std::string(
    "\x81\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x1f"
    "\x81\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x09\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00"
    "\x1f\x00\x00\x00\x09\x68\x65\x6c\x6c\x6f"
    "\x81\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x4e\x6f\x74\x20\x66\x6f\x75\x6e\x64"
    "\x81\x0d\x00\x02\x04\x00\x00\x00\x00\x00\x00\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x1f\x00\x00\x00\x09\x62\x6b\x68\x65\x6c\x6c\x6f"
    "\x81\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00"
    "\x81\x05\x00\x00\x00\x00\x00\x06\x00\x00\x00\x2e\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x4e\x6f\x6e\x2d\x6e\x75\x6d\x65\x72\x69\x63\x20\x73\x65\x72\x76\x65\x72\x2d\x73\x69\x64"
    "\x65\x20\x76\x61\x6c\x75\x65\x20\x66\x6f\x72\x20\x69\x6e\x63\x72\x20\x6f\x72\x20\x64\x65\x63"
    "\x72"
    "\x81\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x20"
    "\x81\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x21\x00\x00\x00\x00\x00\x00\x00\x2a"
    "\x81\x05\x00\x00\x00\x00\x00\x01\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x4e\x6f\x74\x20\x66\x6f\x75\x6e\x64"
    "\x81\x1c\x00\x00\x04\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x1f\x00\x00\x00\x09"
    "\x81\x1c\x00\x00\x00\x00\x00\x01\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x4e\x6f\x74\x20\x66\x6f\x75\x6e\x64"
    "\x81\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00"
    "\x81\x04\x00\x00\x00\x00\x00\x01\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x4e\x6f\x74\x20\x66\x6f\x75\x6e\x64"
    "\x81\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x31\x2e\x36\x2e\x31\x38"
    "\x81\x02\x00\x00\x00\x00\x00\x02\x00\x00\x00\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x44\x61\x74\x61\x20\x65\x78\x69\x73\x74\x73\x20\x66\x6f\x72\x20\x6b\x65\x79\x2e"
    "\x81\x55\x00\x00\x00\x00\x00\x81\x00\x00\x00\x0f\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x55\x6e\x6b\x6e\x6f\x77\x6e\x20\x63\x6f\x6d\x6d\x61\x6e\x64",
    539);

TEST(BinaryReplyTest, MemcachedSessionWholeAndAtEverySplit) {
  const auto result = ExpectSameAtEverySplit(Protocol::kBinary, kMemcachedSession);
  EXPECT_FALSE(result.invalid);
  EXPECT_EQ(result.leftover, 0u);
  EXPECT_THAT(
      result.replies,
      ElementsAre("stored cas=31 opcode=1", "value value=hello flags=9 cas=31 bopaque=7",
                  "miss message=Not found status=1",
                  "value key=bk value=hello flags=9 cas=31 opcode=13", "noop opcode=10",
                  "client_error message=Non-numeric server-side value for incr or decr "
                  "opcode=5 status=6",
                  "stored cas=32 opcode=1", "number cas=33 number=42 opcode=5",
                  "not_found message=Not found opcode=5 status=1", "touched cas=31 opcode=28",
                  "not_found message=Not found opcode=28 status=1", "deleted opcode=4",
                  "not_found message=Not found opcode=4 status=1",
                  "version message=1.6.18 opcode=11",
                  "exists message=Data exists for key. opcode=2 status=2",
                  "error message=Unknown command opcode=85 status=129"));
}

// A response header: magic 0x81, then the fields in network byte order.
std::string Response(uint8_t opcode, uint16_t status, std::string_view extras, std::string_view key,
                     std::string_view value) {
  const uint32_t body = static_cast<uint32_t>(extras.size() + key.size() + value.size());
  std::string h(24, '\0');
  h[0] = static_cast<char>(0x81);
  h[1] = static_cast<char>(opcode);
  h[2] = static_cast<char>(key.size() >> 8);
  h[3] = static_cast<char>(key.size());
  h[4] = static_cast<char>(extras.size());
  h[6] = static_cast<char>(status >> 8);
  h[7] = static_cast<char>(status);
  for (int i = 0; i < 4; ++i) h[8 + i] = static_cast<char>(body >> (24 - 8 * i));
  return h + std::string(extras) + std::string(key) + std::string(value);
}

TEST(BinaryReplyTest, IncompleteReportsTheSizeItNeeds) {
  const std::string hit = Response(0x00, 0, std::string(4, '\0'), "", std::string(1000, 'x'));
  Reply reply;
  ParseResult r = ParseBinaryReply(std::string_view{hit}.substr(0, 10), &reply);
  EXPECT_EQ(r.status, ParseStatus::kIncomplete);
  EXPECT_EQ(r.size, 24u);
  r = ParseBinaryReply(std::string_view{hit}.substr(0, 30), &reply);
  EXPECT_EQ(r.status, ParseStatus::kIncomplete);
  EXPECT_EQ(r.size, hit.size());
  r = ParseBinaryReply(hit, &reply);
  EXPECT_EQ(r.status, ParseStatus::kOk);
  EXPECT_EQ(reply.value.size(), 1000u);
}

TEST(BinaryReplyTest, StatusesMapToKinds) {
  struct Case {
    uint8_t opcode;
    uint16_t status;
    ReplyKind kind;
  };
  const Case cases[] = {
      {0x00, 0x01, ReplyKind::kMiss},        {0x04, 0x01, ReplyKind::kNotFound},
      {0x01, 0x02, ReplyKind::kExists},      {0x01, 0x03, ReplyKind::kServerError},
      {0x01, 0x04, ReplyKind::kClientError}, {0x02, 0x05, ReplyKind::kNotStored},
      {0x05, 0x06, ReplyKind::kClientError}, {0x55, 0x81, ReplyKind::kError},
      {0x01, 0x82, ReplyKind::kServerError}, {0x08, 0x00, ReplyKind::kOk},
      {0x1c, 0x00, ReplyKind::kTouched},     {0x04, 0x00, ReplyKind::kDeleted},
  };
  for (const Case& c : cases) {
    Reply reply;
    const std::string bytes = Response(c.opcode, c.status, "", "", "");
    ASSERT_EQ(ParseBinaryReply(bytes, &reply).status, ParseStatus::kOk);
    EXPECT_EQ(reply.kind, c.kind) << int{c.opcode} << "/" << c.status;
  }
}

TEST(BinaryReplyTest, RejectsWhatIsNotAResponse) {
  Reply reply;
  std::string request_magic = Response(0x00, 0, "", "", "");
  request_magic[0] = static_cast<char>(0x80);
  EXPECT_EQ(ParseBinaryReply(request_magic, &reply).status, ParseStatus::kInvalid);
  std::string text = "VALUE foo 0 3\r\nbar\r\nEND\r\n";
  EXPECT_EQ(ParseBinaryReply(text, &reply).status, ParseStatus::kInvalid);
  // Key and extras longer than the body.
  std::string overlong = Response(0x0c, 0, "", "key", "");
  overlong[11] = 1;
  EXPECT_EQ(ParseBinaryReply(overlong, &reply).status, ParseStatus::kInvalid);
  // An increment result must be 8 bytes.
  EXPECT_EQ(ParseBinaryReply(Response(0x05, 0, "", "", "1234"), &reply).status,
            ParseStatus::kInvalid);
  // A get hit's extras are the 4 flag bytes or nothing.
  EXPECT_EQ(ParseBinaryReply(Response(0x00, 0, "12", "", "v"), &reply).status,
            ParseStatus::kInvalid);
}

TEST(BinaryReplyTest, ComposedPacketsAtEverySplit) {
  const std::string stream = Response(0x0d, 0, std::string("\0\0\0\x2a", 4), "k1", "v1") +
                             Response(0x0d, 0, std::string(4, '\0'), "k2", "") +
                             Response(0x0a, 0, "", "", "");
  const auto result = ExpectSameAtEverySplit(Protocol::kBinary, stream);
  EXPECT_THAT(result.replies, ElementsAre("value key=k1 value=v1 flags=42 opcode=13",
                                          "value key=k2 opcode=13", "noop opcode=10"));
}

}  // namespace
}  // namespace ringcache::protocol::client
