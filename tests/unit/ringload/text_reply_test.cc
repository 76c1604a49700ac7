// Text protocol reply parser: memcached 1.6.18's own replies (captured from
// /usr/bin/memcached), whole and split at every byte boundary, and the
// malformed inputs it must reject.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "reply_test_util.h"
#include "ringcache/protocol/client/reply_parser.h"

namespace ringcache::protocol::client {
namespace {

using testing::Describe;
using ::testing::ElementsAre;
using testing::ExpectSameAtEverySplit;

// Replies of memcached 1.6.18 to: set foo; get foo nokey foo; gets foo;
// incr foo (non-numeric); set n 10; incr n 5; decr n 100; touch foo;
// touch nokey; delete foo (twice); add n; cas n (stale); bogus; version.
constexpr std::string_view kMemcachedSession =
    "STORED\r\nVALUE foo 5 3\r\nbar\r\nVALUE foo 5 3\r\nbar\r\nEND\r\nVALUE foo 5 3 1\r\nbar\r\n"
    "END\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\nSTORED\r\n15\r\n0\r\n"
    "TOUCHED\r\nNOT_FOUND\r\nDELETED\r\nNOT_FOUND\r\nNOT_STORED\r\nEXISTS\r\nERROR\r\n"
    "VERSION 1.6.18\r\n";

TEST(TextReplyTest, MemcachedSessionWholeAndAtEverySplit) {
  const auto result = ExpectSameAtEverySplit(Protocol::kText, kMemcachedSession);
  EXPECT_FALSE(result.invalid);
  EXPECT_EQ(result.leftover, 0u);
  EXPECT_THAT(
      result.replies,
      ElementsAre("stored", "value key=foo value=bar flags=5", "value key=foo value=bar flags=5",
                  "end", "value key=foo value=bar flags=5 cas=1", "end",
                  "client_error message=cannot increment or decrement non-numeric value", "stored",
                  "number number=15", "number number=0", "touched", "not_found", "deleted",
                  "not_found", "not_stored", "exists", "error", "version message=1.6.18"));
}

TEST(TextReplyTest, ValueWithBinaryDataContainingTerminators) {
  const std::string stream = std::string("VALUE k 0 7\r\n\r\nEND\r\n\r\nEND\r\n");
  const auto result = ExpectSameAtEverySplit(Protocol::kText, stream);
  EXPECT_THAT(result.replies, ElementsAre("value key=k value=\\r\\nEND\\r\\n", "end"));
}

TEST(TextReplyTest, EmptyValueAndLargeNumbers) {
  const auto result = ExpectSameAtEverySplit(
      Protocol::kText, "VALUE k 4294967295 0 18446744073709551615\r\n\r\n18446744073709551615\r\n");
  EXPECT_THAT(result.replies, ElementsAre("value key=k flags=4294967295 cas=18446744073709551615",
                                          "number number=18446744073709551615"));
}

TEST(TextReplyTest, IncompleteValueReportsTheSizeItNeeds) {
  Reply reply;
  const ParseResult r = ParseTextReply("VALUE key 0 100\r\nabc", &reply);
  EXPECT_EQ(r.status, ParseStatus::kIncomplete);
  EXPECT_EQ(r.size, 17u + 100 + 2);
  const ParseResult line = ParseTextReply("STORE", &reply);
  EXPECT_EQ(line.status, ParseStatus::kIncomplete);
  EXPECT_EQ(line.size, 0u);
  EXPECT_EQ(ParseTextReply("", &reply).status, ParseStatus::kIncomplete);
}

TEST(TextReplyTest, ErrorsCarryTheirMessage) {
  Reply reply;
  ASSERT_EQ(ParseTextReply("SERVER_ERROR out of memory storing object\r\n", &reply).status,
            ParseStatus::kOk);
  EXPECT_EQ(reply.kind, ReplyKind::kServerError);
  EXPECT_EQ(reply.message, "out of memory storing object");
  ASSERT_EQ(ParseTextReply("ERROR Too many open connections\r\n", &reply).status, ParseStatus::kOk);
  EXPECT_EQ(reply.kind, ReplyKind::kError);
  EXPECT_EQ(reply.message, "Too many open connections");
  ASSERT_EQ(ParseTextReply("CLIENT_ERROR\r\n", &reply).status, ParseStatus::kOk);
  EXPECT_EQ(reply.kind, ReplyKind::kClientError);
  EXPECT_TRUE(reply.message.empty());
}

TEST(TextReplyTest, RejectsWhatIsNotAReply) {
  const char* const bad[] = {
      "\r\n",                                // empty line
      "END\n",                               // bare newline
      "end\r\n",                             // case matters
      "ENDS\r\n",                            // not a word of the protocol
      "STORED \r\n",                         // trailing space
      "VALUE k 0\r\n",                       // missing length
      "VALUE  0 3\r\nabc\r\n",               // empty key
      "VALUE k x 3\r\nabc\r\n",              // flags not a number
      "VALUE k 4294967296 1\r\na\r\n",       // flags beyond 32 bits
      "VALUE k 0 -1\r\n",                    // negative length
      "VALUE k 0 3 \r\nabc\r\n",             // empty cas token
      "VALUE k 0 3\r\nabcd\r\n",             // data longer than announced
      "VALUE k 0 18446744073709551616\r\n",  // length beyond 64 bits
      "12a\r\n",                             // number with garbage
      "ERRORS\r\n",
      "XYZZY\r\n",
  };
  for (const char* input : bad) {
    Reply reply;
    EXPECT_EQ(ParseTextReply(input, &reply).status, ParseStatus::kInvalid) << input;
  }
}

TEST(TextReplyTest, LineWithoutTerminatorIsInvalidPastTheLimit) {
  Reply reply;
  const std::string almost(kMaxReplyLine - 1, 'A');
  EXPECT_EQ(ParseTextReply(almost, &reply).status, ParseStatus::kIncomplete);
  const std::string too_long(kMaxReplyLine, 'A');
  EXPECT_EQ(ParseTextReply(too_long, &reply).status, ParseStatus::kInvalid);
}

TEST(TextReplyTest, DescribeRoundTripsThroughKindNames) {
  Reply reply;
  ASSERT_EQ(ParseTextReply("DELETED\r\n", &reply).status, ParseStatus::kOk);
  EXPECT_EQ(Describe(reply), "deleted");
}

}  // namespace
}  // namespace ringcache::protocol::client
