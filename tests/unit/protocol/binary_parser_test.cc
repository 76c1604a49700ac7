// Binary requests: every opcode's accepted shape, memcached 1.6.18's
// verdicts on malformed ones, each fed whole, split at every byte, and byte
// by byte. memcached_reference_test.cc replays them against the binary.
#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "binary_test_util.h"
#include "parser_harness.h"
#include "ringcache/protocol/binary.h"

namespace ringcache::protocol {
namespace {

using testing::Be32;
using testing::Be64;
using testing::ExpectSameAtEverySplitBinary;
using testing::Packet;
using testing::PacketSpec;

struct BinaryCase {
  std::string name;
  std::string input;
  std::vector<std::string> expected;
};

std::string Op(uint8_t opcode, std::string key = {}, std::string extras = {},
               std::string value = {}) {
  PacketSpec s;
  s.opcode = opcode;
  s.key = std::move(key);
  s.extras = std::move(extras);
  s.value = std::move(value);
  return Packet(s);
}

std::vector<BinaryCase> Cases() {
  const std::string set_extras = Be32(5) + Be32(10);
  const std::string incr_extras = Be64(3) + Be64(100) + Be32(0xffffffff);
  PacketSpec cas_set;
  cas_set.opcode = 0x01;
  cas_set.key = "k";
  cas_set.extras = set_extras;
  cas_set.value = "v";
  cas_set.cas = 77;
  cas_set.opaque = 0xdeadbeef;
  PacketSpec long_key;
  long_key.opcode = 0x00;
  long_key.key = std::string(251, 'k');
  PacketSpec key_over_body;
  key_over_body.opcode = 0x00;
  key_over_body.key = "abc";
  key_over_body.body_length = 2;
  PacketSpec bad_magic;
  bad_magic.magic = 0x81;
  PacketSpec unknown;
  unknown.opcode = 0x50;
  unknown.key = "abc";
  return {
      {"get", Op(0x00, "foo"), {"get foo"}},
      {"getq", Op(0x09, "foo"), {"getq foo"}},
      {"getk", Op(0x0c, "foo"), {"getk foo"}},
      {"getkq", Op(0x0d, "foo"), {"getkq foo"}},
      {"set", Op(0x01, "k", set_extras, "abc"), {"set k f=5 e=10 n=3", "  value 'abc'"}},
      {"setq", Op(0x11, "k", set_extras, "abc"), {"setq k f=5 e=10 n=3", "  value 'abc'"}},
      {"set empty value", Op(0x01, "k", set_extras), {"set k f=5 e=10"}},
      {"cas set", Packet(cas_set), {"set k f=5 e=10 n=1 cas=77 opaque=3735928559", "  value 'v'"}},
      {"add", Op(0x02, "k", set_extras, "x"), {"add k f=5 e=10 n=1", "  value 'x'"}},
      {"replaceq", Op(0x13, "k", set_extras, "x"), {"replaceq k f=5 e=10 n=1", "  value 'x'"}},
      {"append", Op(0x0e, "k", "", "xy"), {"append k n=2", "  value 'xy'"}},
      {"prependq", Op(0x1a, "k", "", "xy"), {"prependq k n=2", "  value 'xy'"}},
      {"delete", Op(0x04, "k"), {"delete k"}},
      {"deleteq", Op(0x14, "k"), {"deleteq k"}},
      {"incr", Op(0x05, "n", incr_extras), {"incr n d=3 i=100 e=4294967295"}},
      {"decrq", Op(0x16, "n", incr_extras), {"decrq n d=3 i=100 e=4294967295"}},
      {"quit", Op(0x07), {"quit"}},
      {"quitq", Op(0x17), {"quitq"}},
      {"flush", Op(0x08), {"flush"}},
      {"flush delay", Op(0x08, "", Be32(30)), {"flush e=30"}},
      {"flushq", Op(0x18), {"flushq"}},
      {"noop", Op(0x0a), {"noop"}},
      {"version", Op(0x0b), {"version"}},
      {"stat", Op(0x10), {"stat"}},
      {"stat items", Op(0x10, "items"), {"stat items"}},
      {"touch", Op(0x1c, "k", Be32(60)), {"touch k e=60"}},
      {"gat", Op(0x1d, "k", Be32(60)), {"gat k e=60"}},
      {"gatq", Op(0x1e, "k", Be32(60)), {"gatq k e=60"}},
      {"gatk", Op(0x23, "k", Be32(60)), {"gatk k e=60"}},
      {"gatkq", Op(0x24, "k", Be32(60)), {"gatkq k e=60"}},
      {"sasl list", Op(0x20), {"sasl_list"}},
      {"sasl auth",
       Op(0x21, "PLAIN", "", std::string("\0u\0p", 4)),
       {"sasl_auth PLAIN n=4", "  value '\\x00u\\x00p'"}},
      {"pipeline", Op(0x0d, "a") + Op(0x0d, "b") + Op(0x0a), {"getkq a", "getkq b", "noop"}},
      // --- malformed ---
      {"bad magic", Packet(bad_magic), {"close"}},
      {"text after binary", Op(0x0a) + "get a\r\n" + std::string(20, ' '), {"noop", "close"}},
      {"key longer than body", Packet(key_over_body), {"error Unknown command close"}},
      {"key over 250", Packet(long_key), {"error Invalid arguments close"}},
      {"get with extras", Op(0x00, "k", Be32(1)), {"error Invalid arguments close"}},
      {"get without key", Op(0x00), {"error Invalid arguments close"}},
      {"get with value", Op(0x00, "k", "", "v"), {"error Invalid arguments close"}},
      {"set without extras", Op(0x01, "k", "", "abc"), {"error Invalid arguments close"}},
      {"set without key", Op(0x01, "", set_extras, "abc"), {"error Invalid arguments close"}},
      {"incr short extras", Op(0x05, "n", Be64(1)), {"error Invalid arguments close"}},
      {"noop with body", Op(0x0a, "", "", "x"), {"error Invalid arguments close"}},
      {"flush with key", Op(0x08, "k"), {"error Invalid arguments close"}},
      {"flush 8 byte extras", Op(0x08, "", Be64(1)), {"error Invalid arguments close"}},
      {"touch without extras", Op(0x1c, "k"), {"error Invalid arguments close"}},
      {"append with extras", Op(0x0e, "k", Be32(1), "x"), {"error Invalid arguments close"}},
      {"stat with extras", Op(0x10, "", Be32(1)), {"error Invalid arguments close"}},
      // memcached skips body_length bytes after header, extras and key.
      {"unknown opcode",
       Packet(unknown) + "xyz" + Op(0x0a),
       {"error Unknown command swallow=3", "  skipped", "noop"}},
  };
}

class BinaryParserTable : public ::testing::TestWithParam<BinaryCase> {};

TEST_P(BinaryParserTable, SameOutcomeWholeAndAtEverySplit) {
  ExpectSameAtEverySplitBinary(GetParam().input, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Binary, BinaryParserTable, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<BinaryCase>& info) {
                           std::string name;
                           for (const char c : info.param.name) {
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name;
                         });

TEST(BinaryParserTest, HeaderRoundTrips) {
  binary::RequestHeader h;
  h.magic = binary::kRequestMagic;
  h.opcode = 0x12;
  h.key_length = 0x1234;
  h.extras_length = 8;
  h.data_type = 0;
  h.vbucket = 0xabcd;
  h.body_length = 0x01020304;
  h.opaque = 0xfeedface;
  h.cas = 0x0102030405060708ull;
  char wire[binary::kHeaderSize];
  binary::EncodeRequestHeader(h, wire);
  EXPECT_EQ(static_cast<uint8_t>(wire[2]), 0x12) << "big-endian key length";
  EXPECT_EQ(static_cast<uint8_t>(wire[8]), 0x01) << "big-endian body length";
  const binary::RequestHeader back = binary::DecodeRequestHeader(wire);
  EXPECT_EQ(back.opcode, h.opcode);
  EXPECT_EQ(back.key_length, h.key_length);
  EXPECT_EQ(back.extras_length, h.extras_length);
  EXPECT_EQ(back.vbucket, h.vbucket);
  EXPECT_EQ(back.body_length, h.body_length);
  EXPECT_EQ(back.opaque, h.opaque);
  EXPECT_EQ(back.cas, h.cas);
}

TEST(BinaryParserTest, ViewsPointIntoTheInput) {
  const std::string input = Op(0x01, "key", Be32(1) + Be32(2), "value");
  binary::Request req;
  const binary::ParseResult r = binary::ParseRequest(input, &req);
  ASSERT_EQ(r.status, binary::ParseStatus::kRequest);
  EXPECT_EQ(r.consumed, binary::kHeaderSize + 8 + 3);
  EXPECT_EQ(req.key.data(), input.data() + binary::kHeaderSize + 8);
  EXPECT_EQ(req.extras.data(), input.data() + binary::kHeaderSize);
  EXPECT_EQ(req.value_bytes, 5u);
  EXPECT_FALSE(req.create_on_miss() && req.command != binary::Opcode::kSet);
}

TEST(BinaryParserTest, NeedsHeaderExtrasAndKeyButNotTheValue) {
  const std::string input = Op(0x01, "key", Be32(1) + Be32(2), "value");
  binary::Request req;
  for (size_t k = 0; k < binary::kHeaderSize + 11; ++k) {
    EXPECT_EQ(binary::ParseRequest(std::string_view(input).substr(0, k), &req).status,
              binary::ParseStatus::kNeedMore)
        << k;
  }
  EXPECT_EQ(binary::ParseRequest(std::string_view(input).substr(0, binary::kHeaderSize + 11), &req)
                .status,
            binary::ParseStatus::kRequest);
}

}  // namespace
}  // namespace ringcache::protocol
