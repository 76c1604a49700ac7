// Meta commands (mg ms md ma mn me): flags, tokens, modes, base64 keys and
// memcached 1.6.18's error lines and their order, each case fed whole, split
// at every byte, and byte by byte.
#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "parser_harness.h"
#include "ringcache/protocol/base64.h"
#include "ringcache/protocol/text_parser.h"

namespace ringcache::protocol {
namespace {

using testing::ExpectSameAtEverySplit;
using testing::ParseCase;

const std::string k251(251, 'k');
const std::string opaque32 = "O" + std::string(31, 'x');  // the longest allowed token
const std::string opaque33 = "O" + std::string(32, 'x');

std::string Flags(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += " v";
  return s;
}

std::vector<ParseCase> Cases() {
  return {
      // --- mg ---
      {"mg foo\r\n", {"mg foo flags="}},
      {"mg foo s v f t c h l k Oabc q\r\n", {"mg foo flags=svftchlkOq opaque=Oabc"}},
      {"mg foo T30 N-1 R10 u\r\n", {"mg foo flags=TNRu T=30 N=-1 R=10"}},
      // Only a flag's first byte counts: "vv" is v.
      {"mg foo vv\r\n", {"mg foo flags=v"}},
      {"mg foo P L\r\n", {"mg foo flags=PL"}},
      {"mg " + opaque32.substr(1) + " " + opaque32 + "\r\n",
       {"mg " + opaque32.substr(1) + " flags=O opaque=" + opaque32}},
      {"mg\r\n", {"error ERROR"}},
      {"mg " + k251 + " v\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"mg foo z\r\n", {"error CLIENT_ERROR invalid flag"}},
      {"mg foo 1\r\n", {"error CLIENT_ERROR invalid flag"}},
      {"mg foo v v\r\n", {"error CLIENT_ERROR duplicate flag"}},
      {"mg foo \x80\r\n", {"error CLIENT_ERROR duplicate flag"}},
      {"mg foo \x7f\r\n", {"error CLIENT_ERROR duplicate flag"}},
      {"mg foo T\r\n", {"error CLIENT_ERROR bad token in command line format"}},
      {"mg foo Tx\r\n", {"error CLIENT_ERROR bad token in command line format"}},
      {"mg foo N\r\n", {"error CLIENT_ERROR bad token in command line format"}},
      // A bad token does not stop the scan; a later unknown flag wins.
      {"mg foo Tx z\r\n", {"error CLIENT_ERROR invalid flag"}},
      {"mg foo Tx MEE\r\n", {"error CLIENT_ERROR incorrect length for M token"}},
      {"mg foo " + opaque33 + "\r\n", {"error CLIENT_ERROR opaque token too long"}},
      // 20 tokens at most, counting memcached's terminal token.
      {"mg a" + Flags(17) + "\r\n", {"error CLIENT_ERROR duplicate flag"}},
      {"mg a" + Flags(18) + "\r\n", {"error CLIENT_ERROR options flags are too long"}},
      {"mg a" + Flags(40) + "\r\n", {"error CLIENT_ERROR options flags are too long"}},
      // --- base64 keys ---
      {"mg Zm9v b k v\r\n", {"mg foo (binary) flags=bkv"}},
      {"mg Zm9v! b\r\n", {"mg foo (binary) flags=b"}},
      {"mg Zg==Zm9v b\r\n", {"mg f (binary) flags=b"}},
      {"mg Zm9v= b\r\n", {"error CLIENT_ERROR error decoding key"}},
      {"mg foo b\r\n", {"error CLIENT_ERROR error decoding key"}},
      {"mg !!!! b\r\n", {"error CLIENT_ERROR error decoding key"}},
      {"mg ==== b\r\n", {"error CLIENT_ERROR error decoding key"}},
      {"mg AP8A b\r\n", {"mg \\x00\\xff\\x00 (binary) flags=b"}},
      // --- ms ---
      {"ms foo 2\r\nhi\r\n", {"ms foo bytes=2 flags= kind=set", "  value 'hi'"}},
      {"ms foo 2 T10 F7 c k O1 q\r\nhi\r\n",
       {"ms foo bytes=2 flags=TFckOq opaque=O1 T=10 F=7 kind=set", "  value 'hi'"}},
      {"ms foo 2 ME\r\nhi\r\n", {"ms foo bytes=2 flags=M kind=add", "  value 'hi'"}},
      {"ms foo 2 MA\r\nhi\r\n", {"ms foo bytes=2 flags=M kind=append", "  value 'hi'"}},
      {"ms foo 2 MP C5\r\nhi\r\n", {"ms foo bytes=2 flags=MC C=5 kind=prepend", "  value 'hi'"}},
      {"ms foo 2 MR\r\nhi\r\n", {"ms foo bytes=2 flags=M kind=replace", "  value 'hi'"}},
      {"ms foo 2 MS C9 I\r\nhi\r\n", {"ms foo bytes=2 flags=MCI C=9 kind=cas", "  value 'hi'"}},
      {"ms foo 2 MR C9\r\nhi\r\n", {"ms foo bytes=2 flags=MC C=9 kind=cas", "  value 'hi'"}},
      {"ms a2s= 1 b k c\r\ny\r\n", {"ms kk (binary) bytes=1 flags=bkc kind=set", "  value 'y'"}},
      {"ms foo 2 v\r\nhi\r\n", {"ms foo bytes=2 flags=v kind=set", "  value 'hi'"}},
      {"ms foo 2\r\nhix\r\n",
       {"ms foo bytes=2 flags= kind=set", "  bad data chunk", "error ERROR"}},
      // Errors before the length is known leave the value to be parsed...
      {"ms foo\r\nhi\r\n", {"error CLIENT_ERROR bad command line format", "error ERROR"}},
      {"ms foo x\r\nhi\r\n", {"error CLIENT_ERROR bad command line format", "error ERROR"}},
      {"ms foo -1\r\nhi\r\n", {"error CLIENT_ERROR bad command line format", "error ERROR"}},
      {"ms " + k251 + " 2\r\nhi\r\n",
       {"error CLIENT_ERROR bad command line format", "error ERROR"}},
      {"ms\r\n", {"error ERROR"}},
      {"ms a 1" + Flags(17) + "\r\nx\r\n",
       {"error CLIENT_ERROR options flags too long", "error ERROR"}},
      // ...errors after it skip the value block.
      {"ms foo 2 MX\r\nhi\r\n",
       {"error CLIENT_ERROR invalid mode for ms M token swallow=4", "  skipped"}},
      {"ms foo 2 MEE\r\nhi\r\n",
       {"error CLIENT_ERROR incorrect length for M token swallow=4", "  skipped"}},
      {"ms foo 2 Fx\r\nhi\r\n",
       {"error CLIENT_ERROR bad command line format swallow=4", "  skipped"}},
      {"ms foo 2 Tx Fx\r\nhi\r\n",
       {"error CLIENT_ERROR bad token in command line format swallow=4", "  skipped"}},
      {"ms foo 2 C\r\nhi\r\n",
       {"error CLIENT_ERROR bad token in command line format swallow=4", "  skipped"}},
      {"ms foo 2 S\r\nhi\r\n", {"error CLIENT_ERROR invalid flag swallow=4", "  skipped"}},
      {"ms foo 2 " + opaque33 + "\r\nhi\r\n",
       {"error CLIENT_ERROR opaque token too long swallow=4", "  skipped"}},
      {"ms foo 2 " + opaque33 + " MX\r\nhi\r\n",
       {"error CLIENT_ERROR invalid mode for ms M token swallow=4", "  skipped"}},
      {"ms foo 0 MX\r\n\r\nmn\r\n",
       {"error CLIENT_ERROR invalid mode for ms M token swallow=2", "  skipped", "mn"}},
      {"ms kk 1 b\r\nx\r\n", {"error CLIENT_ERROR error decoding key swallow=3", "  skipped"}},
      // --- md ---
      {"md foo\r\n", {"md foo flags="}},
      {"md foo q I T30 C5 k Oa\r\n", {"md foo flags=qITCkO opaque=Oa T=30 C=5"}},
      {"md foo E5\r\n", {"error CLIENT_ERROR invalid or duplicate flag"}},
      {"md foo x\r\n", {"error CLIENT_ERROR invalid or duplicate flag"}},
      {"md foo q q\r\n", {"error CLIENT_ERROR invalid or duplicate flag"}},
      {"md foo Cx\r\n", {"error CLIENT_ERROR invalid or duplicate flag"}},
      {"md foo " + opaque33 + "\r\n", {"error CLIENT_ERROR opaque token too long"}},
      {"md a" + Flags(18) + "\r\n", {"error CLIENT_ERROR options flags too long"}},
      {"md\r\n", {"error ERROR"}},
      // --- ma ---
      {"ma n\r\n", {"ma n flags= incr"}},
      {"ma n N0 J5 v c t\r\n", {"ma n flags=NJvct N=0 J=5 incr"}},
      {"ma n v MD D3\r\n", {"ma n flags=vMD D=3 decr"}},
      {"ma n M+\r\n", {"ma n flags=M incr"}},
      {"ma n M-\r\n", {"ma n flags=M decr"}},
      {"ma n MI\r\n", {"ma n flags=M incr"}},
      {"ma n MX\r\n", {"error CLIENT_ERROR invalid mode for ma M token"}},
      {"ma n Dx\r\n", {"error CLIENT_ERROR invalid or duplicate flag"}},
      {"ma n D-1\r\n", {"error CLIENT_ERROR invalid or duplicate flag"}},
      {"ma n " + opaque33 + "\r\n", {"error CLIENT_ERROR opaque token too long"}},
      {"ma n MX " + opaque33 + "\r\n", {"error CLIENT_ERROR invalid mode for ma M token"}},
      // --- mn, me, others ---
      {"mn\r\n", {"mn"}},
      {"mn foo bar\r\n", {"mn"}},
      {"me foo\r\n", {"me foo"}},
      {"me a2s= b\r\n", {"me kk (binary)"}},
      {"me kk b\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"me\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"me " + k251 + "\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"mz\r\n", {"error ERROR"}},
      {"mgg a\r\n", {"error ERROR"}},
      {"m\r\n", {"error ERROR"}},
      // Pipelined quiet gets closed by mn.
      {"mg a q v\r\nmg b q v\r\nmn\r\n", {"mg a flags=qv", "mg b flags=qv", "mn"}},
  };
}

class MetaParserTable : public ::testing::TestWithParam<ParseCase> {};

TEST_P(MetaParserTable, SameOutcomeWholeAndAtEverySplit) {
  ExpectSameAtEverySplit(GetParam().input, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Meta, MetaParserTable, ::testing::ValuesIn(Cases()));

TEST(MetaParserTest, FlagValuesAndAccessors) {
  TextParser parser;
  TextRequest req;
  const ParseResult r =
      parser.Parse("ms foo 5 T-1 F4294967295 C18446744073709551615 q I\r\n", &req);
  ASSERT_EQ(r.status, ParseStatus::kRequest);
  const MetaRequest& m = req.meta;
  EXPECT_EQ(m.key(), "foo");
  EXPECT_EQ(m.value_bytes, 5u);
  EXPECT_EQ(m.ttl, -1);
  EXPECT_EQ(m.client_flags, 4294967295u);
  EXPECT_EQ(m.compare_cas, 18446744073709551615ull);
  EXPECT_TRUE(m.quiet());
  EXPECT_TRUE(m.invalidate());
  EXPECT_FALSE(m.want_value());
  EXPECT_EQ(m.store_kind, StoreKind::kCas);
  EXPECT_FALSE(req.noreply) << "meta commands use q, never noreply";
}

TEST(MetaParserTest, DefaultsAreResetBetweenRequests) {
  TextParser parser;
  TextRequest req;
  ASSERT_EQ(parser.Parse("ma n D7 J3 MD T5\r\n", &req).status, ParseStatus::kRequest);
  EXPECT_EQ(req.meta.delta, 7u);
  EXPECT_FALSE(req.meta.incr);
  ASSERT_EQ(parser.Parse("ma n\r\n", &req).status, ParseStatus::kRequest);
  EXPECT_EQ(req.meta.delta, 1u) << "ma's default delta";
  EXPECT_EQ(req.meta.initial, 0u);
  EXPECT_TRUE(req.meta.incr);
  EXPECT_FALSE(req.meta.has('T'));
}

TEST(MetaParserTest, BinaryKeySurvivesCopies) {
  TextParser parser;
  TextRequest req;
  std::string key(180, '\0');
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<char>(i * 7);
  std::string encoded(Base64EncodedSize(key.size()), '\0');
  encoded.resize(Base64Encode(key, encoded.data()));
  ASSERT_LE(encoded.size(), kMaxKeyLength);
  const std::string line = "mg " + encoded + " b v\r\n";
  ASSERT_EQ(parser.Parse(line, &req).status, ParseStatus::kRequest);
  const MetaRequest copy = req.meta;
  EXPECT_EQ(copy.key(), key);
  EXPECT_TRUE(copy.key_binary());
}

}  // namespace
}  // namespace ringcache::protocol
