// Classic text commands: framing, tokens, every command's argument checks,
// each case fed whole, split at every byte, and byte by byte. Expected
// outcomes were taken from memcached 1.6.18 (/usr/bin/memcached) by sending
// the same bytes; memcached_reference_test.cc re-checks the error lines
// against the live binary.
#include "ringcache/protocol/text_parser.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "parser_harness.h"

namespace ringcache::protocol {
namespace {

using testing::ExpectSameAtEverySplit;
using testing::ParseCase;
using testing::RunWhole;

const std::string k250(250, 'k');
const std::string k251(251, 'k');

std::vector<ParseCase> Cases() {
  return {
      // --- framing ---
      {"get a\r\n", {"get a"}},
      {"get a\n", {"get a"}},
      {" get a\r\n", {"get a"}},
      {"get  a   \r\n", {"get a"}},
      {"\r\n", {"error ERROR"}},
      {"\n", {"error ERROR"}},
      {"   \r\n", {"error ERROR"}},
      {"g\r\n", {"error ERROR"}},
      // memcached reads the line as a C string: a NUL ends it.
      {std::string("get a\0b\r\n", 9), {"get a"}},
      {std::string("\0get a\r\n", 8), {"error ERROR"}},
      // Only one '\r' is stripped; a second belongs to the last token.
      {"get a\r\r\n", {"get a\\x0d"}},
      // Tabs and other control bytes are key bytes; only ' ' separates.
      {"get a\tb c\x01\r\n", {"get a\\x09b c\\x01"}},
      // Pipelined requests.
      {"get a\r\nget b\r\nmn\r\n", {"get a", "get b", "mn"}},
      // --- retrieval ---
      {"get a b c\r\n", {"get a b c"}},
      {"gets a b\r\n", {"gets a b"}},
      {"gat 10 a b\r\n", {"gat 10 a b"}},
      {"gats -1 a\r\n", {"gats -1 a"}},
      {"gat 10\r\n", {"gat 10"}},
      {"gat x a\r\n", {"error CLIENT_ERROR invalid exptime argument"}},
      {"get\r\n", {"error ERROR"}},
      {"get    \r\n", {"error ERROR"}},
      {"gets\r\n", {"error ERROR"}},
      {"ge a\r\n", {"error ERROR"}},
      {"getx a\r\n", {"error ERROR"}},
      {"GET a\r\n", {"error ERROR"}},
      {"bget a b\r\n", {"get a b"}},
      {"get " + k250 + "\r\n", {"get " + k250}},
      {"get a " + k251 + " b\r\n", {"error CLIENT_ERROR bad command line format"}},
      // More keys than memcached's 24 tokens: the rest is still keys.
      {"get a b c d e f g h i j k l m n o p q r s t u v w x y z\r\n",
       {"get a b c d e f g h i j k l m n o p q r s t u v w x y z"}},
      // get / HTTP/1.1 is a get of two keys, not an HTTP request.
      {"get / HTTP/1.1\r\n", {"get / HTTP/1.1"}},
      // --- storage ---
      {"set k 1 2 3\r\nabc\r\n", {"set k f=1 e=2 n=3", "  value 'abc'"}},
      {"set k 0 0 0\r\n\r\n", {"set k f=0 e=0 n=0", "  value ''"}},
      {"add k 0 0 1 noreply\r\nx\r\n", {"add k f=0 e=0 n=1 noreply", "  value 'x'"}},
      {"replace k 0 0 1\r\nx\r\n", {"replace k f=0 e=0 n=1", "  value 'x'"}},
      {"append k 0 0 1\r\nx\r\n", {"append k f=0 e=0 n=1", "  value 'x'"}},
      {"prepend k 0 0 1\r\nx\r\n", {"prepend k f=0 e=0 n=1", "  value 'x'"}},
      {"cas k 0 0 1 77\r\nx\r\n", {"cas k f=0 e=0 n=1 cas=77", "  value 'x'"}},
      {"cas k 0 0 1 -0 noreply\r\nx\r\n", {"cas k f=0 e=0 n=1 cas=0 noreply", "  value 'x'"}},
      // The value holds arbitrary bytes, "\r\n" included.
      {"set k 0 0 4\r\n\r\n\r\n\r\n", {"set k f=0 e=0 n=4", "  value '\\x0d\\x0a\\x0d\\x0a'"}},
      // A wrong terminator: exactly n+2 bytes are taken, the rest is a command.
      {"set a 0 0 1\r\nabc\r\n", {"set a f=0 e=0 n=1", "  bad data chunk", "error ERROR"}},
      {"set a 0 0 1 noreply\r\nabc\r\nget a\r\n",
       {"set a f=0 e=0 n=1 noreply", "  bad data chunk", "error ERROR", "get a"}},
      // strtol's rules: leading '+', white space around the digits, 32-bit narrowing.
      {"set a +5 +0 +1\r\nb\r\n", {"set a f=5 e=0 n=1", "  value 'b'"}},
      {"set c 0 0 \t1\r\nz\r\n", {"set c f=0 e=0 n=1", "  value 'z'"}},
      {"set d 0 0 1\t\r\nz\r\n", {"set d f=0 e=0 n=1", "  value 'z'"}},
      {"set e 0 0 1\r\r\nz\r\n", {"set e f=0 e=0 n=1", "  value 'z'"}},
      {"set a 0 0 4294967297\r\nx\r\n", {"set a f=0 e=0 n=1", "  value 'x'"}},
      {"set b 0 4294967296 1\r\ny\r\n", {"set b f=0 e=0 n=1", "  value 'y'"}},
      {"set b 4294967296 0 1\r\ny\r\n", {"set b f=0 e=0 n=1", "  value 'y'"}},
      {"set a 0 -1 1\r\ny\r\n", {"set a f=0 e=-1 n=1", "  value 'y'"}},
      {"set a 0 0 -0\r\n\r\n", {"set a f=0 e=0 n=0", "  value ''"}},
      // A seventh token that is not "noreply" is ignored.
      {"set a 0 0 1 junk\r\nx\r\n", {"set a f=0 e=0 n=1", "  value 'x'"}},
      // Errors: the value block is NOT skipped (memcached parses it as a command).
      {"set a 0 0 -1\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"set a 0 0 4294967295\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"set a 0 0 2147483646\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"set a 0 0 2147483645\r\n", {"set a f=0 e=0 n=2147483645"}},
      {"set a -1 0 1\r\nb\r\n", {"error CLIENT_ERROR bad command line format", "error ERROR"}},
      {"set a 0 0 x\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"set a 0 0 noreply\r\nx\r\n",
       {"error CLIENT_ERROR bad command line format (noreply)", "error ERROR"}},
      {"set " + k251 + " 0 0 1\r\nx\r\n",
       {"error CLIENT_ERROR bad command line format", "error ERROR"}},
      {"set " + k251 + " 0 0 1 noreply\r\nx\r\n",
       {"error CLIENT_ERROR bad command line format (noreply)", "error ERROR"}},
      {"set a 0 0\r\n", {"error ERROR"}},
      {"set a 0 0 1 noreply x\r\n", {"error ERROR"}},
      {"cas a 0 0 1\r\nb\r\n", {"error ERROR", "error ERROR"}},
      {"cas a 0 0 1 x\r\nb\r\n", {"error CLIENT_ERROR bad command line format", "error ERROR"}},
      {"cas a 0 0 1 99 noreply\r\nb\r\n", {"cas a f=0 e=0 n=1 cas=99 noreply", "  value 'b'"}},
      {"set a 0 0 1 noreply " + std::string(40, 'x') + "\r\n", {"error ERROR"}},
      // --- the fast path's shapes (text_fast_path.h), pipelined, and near misses ---
      {"set k00000000001 0 0 3\r\nabc\r\nget k00000000001\r\ngets k\nset k 1 2 1 noreply\n"
       "x\r\ncas k 4294967295 1767225600 2 18446744073709551615\r\nyz\r\n",
       {"set k00000000001 f=0 e=0 n=3", "  value 'abc'", "get k00000000001", "gets k",
        "set k f=1 e=2 n=1 noreply", "  value 'x'",
        "cas k f=4294967295 e=1767225600 n=2 cas=18446744073709551615", "  value 'yz'"}},
      {"set " + k250 + " 0 0 1\r\nx\r\nget " + k250 + "\r\n",
       {"set " + k250 + " f=0 e=0 n=1", "  value 'x'", "get " + k250}},
      {"set a\rb 0 0 1\r\nx\r\nget a\rb\r\n",
       {"set a\\x0db f=0 e=0 n=1", "  value 'x'", "get a\\x0db"}},
      // Beyond the fast path's digits, the general path's narrowing.
      {"set a 0 12345678901 1\r\nx\r\n", {"set a f=0 e=-539222987 n=1", "  value 'x'"}},
      {"set a 00000000007 0 1\r\nx\r\n", {"set a f=7 e=0 n=1", "  value 'x'"}},
      {"cas a 0 0 1 18446744073709551616\r\nx\r\n",
       {"error CLIENT_ERROR bad command line format", "error ERROR"}},
      {"set a 0 0 1  noreply\r\nx\r\n", {"set a f=0 e=0 n=1 noreply", "  value 'x'"}},
      {"set a 0 0 1 noreply \r\nx\r\n", {"set a f=0 e=0 n=1 noreply", "  value 'x'"}},
      {"get a \r\nget  b\r\n", {"get a", "get b"}},
      {"gets a\r\r\n", {"gets a\\x0d"}},
      // --- incr / decr ---
      {"incr a 5\r\n", {"incr a 5"}},
      {"decr a 18446744073709551615 noreply\r\n", {"decr a 18446744073709551615 noreply"}},
      {"incr a 1 junk\r\n", {"incr a 1"}},
      {"incr a\r\n", {"error ERROR"}},
      {"incr a 1 2 3\r\n", {"error ERROR"}},
      {"incr a x\r\n", {"error CLIENT_ERROR invalid numeric delta argument"}},
      {"incr a -1\r\n", {"error CLIENT_ERROR invalid numeric delta argument"}},
      {"incr a 18446744073709551616\r\n", {"error CLIENT_ERROR invalid numeric delta argument"}},
      {"incr a x noreply\r\n", {"error CLIENT_ERROR invalid numeric delta argument (noreply)"}},
      {"decr " + k251 + " 1\r\n", {"error CLIENT_ERROR bad command line format"}},
      // --- touch ---
      {"touch a 10\r\n", {"touch a 10"}},
      {"touch a 10 noreply\r\n", {"touch a 10 noreply"}},
      {"touch a 10 x\r\n", {"touch a 10"}},
      {"touch a x\r\n", {"error CLIENT_ERROR invalid exptime argument"}},
      {"touch a\r\n", {"error ERROR"}},
      // --- delete, with the legacy hold time ---
      {"delete a\r\n", {"delete a"}},
      {"delete a 0\r\n", {"delete a"}},
      {"delete a noreply\r\n", {"delete a noreply"}},
      {"delete a 0 noreply\r\n", {"delete a noreply"}},
      {"delete a 1\r\n",
       {"error CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]"}},
      {"delete a 1 noreply\r\n",
       {"error CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply] (noreply)"}},
      {"delete a b c\r\n",
       {"error CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]"}},
      {"delete a 0 noreply x\r\n", {"error ERROR"}},
      {"delete\r\n", {"error ERROR"}},
      {"delete " + k251 + "\r\n", {"error CLIENT_ERROR bad command line format"}},
      {"delete " + k251 + " 1\r\n",
       {"error CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]"}},
      // --- unknown commands, HTTP ---
      {"boguscommand slkdsldkfjsd\r\n", {"error ERROR"}},
      {"GET / HTTP/1.1\r\n", {"close"}},
      {"GET / HTTP/1.1\r\nget a\r\n", {"close"}},
      {"POST /x HTTP/1.0\r\n", {"close"}},
      {"GET / HTTP/1.1 x\r\n", {"error ERROR"}},
      {"sxx / HTTP/1.1\r\n", {"error ERROR"}},
      {"misbehave\r\n", {"error ERROR"}},
      {"debugtime 5\r\n", {"error ERROR"}},
      // --- simple commands ---
      {"version\r\n", {"version"}},
      {"version x y z\r\n", {"version"}},
      {"quit\r\n", {"quit"}},
      {"quit x\r\nget a\r\n", {"quit", "get a"}},
  };
}

class TextParserTable : public ::testing::TestWithParam<ParseCase> {};

TEST_P(TextParserTable, SameOutcomeWholeAndAtEverySplit) {
  ExpectSameAtEverySplit(GetParam().input, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Classic, TextParserTable, ::testing::ValuesIn(Cases()));

TEST(TextParserTest, PartialLineNeedsMoreAndConsumesNothing) {
  TextParser parser;
  TextRequest req;
  const std::string line = "get foo\r\n";
  for (size_t k = 0; k < line.size(); ++k) {
    const ParseResult r = parser.Parse(std::string_view(line).substr(0, k), &req);
    EXPECT_EQ(r.status, ParseStatus::kNeedMore) << k;
    EXPECT_EQ(r.consumed, 0u) << k;
  }
  const ParseResult r = parser.Parse(line, &req);
  ASSERT_EQ(r.status, ParseStatus::kRequest);
  EXPECT_EQ(r.consumed, line.size());
}

TEST(TextParserTest, KeysAreViewsIntoTheInput) {
  TextParser parser;
  TextRequest req;
  const std::string input = "get alpha beta\r\nset gamma 0 0 1\r\n";
  ParseResult r = parser.Parse(input, &req);
  ASSERT_EQ(r.status, ParseStatus::kRequest);
  EXPECT_EQ(req.keys.first.data(), input.data() + 4);
  EXPECT_EQ(req.keys.count, 2u);
  r = parser.Parse(std::string_view(input).substr(r.consumed), &req);
  ASSERT_EQ(r.status, ParseStatus::kRequest);
  EXPECT_EQ(req.key.data(), input.data() + 20);
  EXPECT_EQ(req.key, "gamma");
}

// memcached closes a connection that sends more than 2048 bytes without a
// newline, unless they begin a get/gets key list.
TEST(TextParserTest, LongLineWithoutNewlineCloses) {
  const std::string junk(3000, 'x');
  EXPECT_EQ(RunWhole(junk), std::vector<std::string>{"close"});
  EXPECT_EQ(RunWhole(std::string(2048, 'x')), std::vector<std::string>{});
  EXPECT_EQ(RunWhole(std::string(2049, 'x')), std::vector<std::string>{"close"});
  // gat is not exempt; neither is "get" without a space after it.
  EXPECT_EQ(RunWhole("gat 1 " + junk), std::vector<std::string>{"close"});
  EXPECT_EQ(RunWhole("get\t" + junk), std::vector<std::string>{"close"});
  // More than 100 leading spaces before "get " is junk too.
  EXPECT_EQ(RunWhole(std::string(101, ' ') + "get " + junk), std::vector<std::string>{"close"});
  EXPECT_EQ(RunWhole(std::string(100, ' ') + "get " + junk), std::vector<std::string>{});
  // With its newline, a long line is parsed like any other.
  EXPECT_EQ(RunWhole("set " + junk + " 0 0 1\r\n"),
            std::vector<std::string>{"error CLIENT_ERROR bad command line format"});
}

TEST(TextParserTest, LongKeyListsGrowUpToTheCap) {
  std::string line = "gets";
  while (line.size() < 5000) line += " key" + std::to_string(line.size());
  std::vector<std::string> expected{"gets" + line.substr(4)};
  // Within the cap: waits for the newline through any number of pieces.
  ExpectSameAtEverySplit(line + "\r\n", expected);
  // Beyond it: memcached's reply for a request it cannot buffer, then close.
  TextParser::Options small;
  small.max_key_list_line = 4096;
  EXPECT_EQ(RunWhole(line, small),
            std::vector<std::string>{"close SERVER_ERROR out of memory reading request"});
  // A complete line is parsed whatever its length.
  EXPECT_EQ(RunWhole(line + "\r\n", small), expected);
}

TEST(TextParserTest, ScanPositionSurvivesManyPieces) {
  // A 1 MiB get line arriving in 1 KiB pieces: each piece is searched once.
  std::string line = "get";
  while (line.size() < (1u << 20) - 16) line += " k" + std::to_string(line.size() % 1000);
  line += "\r\n";
  testing::TextSession s;
  for (size_t pos = 0; pos < line.size(); pos += 1024) {
    s.Feed(std::string_view(line).substr(pos, 1024));
  }
  ASSERT_EQ(s.log().size(), 1u);
  EXPECT_EQ(s.log()[0].substr(0, 6), "get k3");
  EXPECT_EQ(s.pending(), 0u);
}

TEST(TextParserTest, ResetForgetsTheScanPosition) {
  TextParser parser;
  TextRequest req;
  EXPECT_EQ(parser.Parse("get aaaa", &req).status, ParseStatus::kNeedMore);
  parser.Reset();
  // Different bytes now (the caller dropped the old ones): found anyway.
  const ParseResult r = parser.Parse("mn\r\n", &req);
  ASSERT_EQ(r.status, ParseStatus::kRequest);
  EXPECT_EQ(req.command, TextCommand::kMetaNoop);
}

TEST(TextParserTest, ShorterInputThanRememberedIsRescanned) {
  TextParser parser;
  TextRequest req;
  EXPECT_EQ(parser.Parse("get aaaaaaaa", &req).status, ParseStatus::kNeedMore);
  const ParseResult r = parser.Parse("mn\r\n", &req);
  ASSERT_EQ(r.status, ParseStatus::kRequest);
  EXPECT_EQ(req.command, TextCommand::kMetaNoop);
}

}  // namespace
}  // namespace ringcache::protocol
