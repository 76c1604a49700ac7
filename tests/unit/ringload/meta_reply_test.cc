// Meta protocol reply parser: memcached 1.6.18's replies, whole and split at
// every byte boundary, flag tokens, and malformed inputs.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "reply_test_util.h"
#include "ringcache/protocol/client/reply_parser.h"

namespace ringcache::protocol::client {
namespace {

using ::testing::ElementsAre;
using testing::ExpectSameAtEverySplit;

// memcached 1.6.18's replies to: ms mk F7; mg mk v f; mg nokey v f;
// mg mk v f k q; mg nokey v f k q; mn; ma mk (non-numeric); ms mn 5;
// ma mn D3; ma nokey; mg mk T10; md mk (twice); mg mn v c k O123 t s;
// ms mk MA (append); ms mk2 q; mn.
constexpr std::string_view kMemcachedSession =
    "HD\r\nVA 3 f7\r\nabc\r\nEN\r\nVA 3 f7 kmk\r\nabc\r\nMN\r\nCLIENT_ERROR cannot increment or "
    "decrement non-numeric value\r\nHD\r\nHD\r\nNF\r\nHD\r\nHD\r\nNF\r\nVA 1 c7 kmn O123 t-1 "
    "s1\r\n8\r\nNS\r\nMN\r\n";

TEST(MetaReplyTest, MemcachedSessionWholeAndAtEverySplit) {
  const auto result = ExpectSameAtEverySplit(Protocol::kMeta, kMemcachedSession);
  EXPECT_FALSE(result.invalid);
  EXPECT_EQ(result.leftover, 0u);
  EXPECT_THAT(result.replies,
              ElementsAre("header", "value value=abc meta=f7 flags=7", "miss",
                          "value key=mk value=abc meta=f7 kmk flags=7", "noop",
                          "client_error message=cannot increment or decrement non-numeric value",
                          "header", "header", "not_found", "header", "header", "not_found",
                          "value key=mn value=8 meta=c7 kmn O123 t-1 s1 opaque=123 cas=7",
                          "not_stored", "noop"));
}

TEST(MetaReplyTest, CodesWithFlagsAndErrors) {
  const auto result = ExpectSameAtEverySplit(
      Protocol::kMeta, "HD c99 kfoo Oabc\r\nEX kfoo\r\nNS\r\nEN\r\nERROR\r\nSERVER_ERROR boom\r\n");
  EXPECT_THAT(result.replies, ElementsAre("header key=foo meta=c99 kfoo Oabc opaque=abc cas=99",
                                          "exists key=foo meta=kfoo", "not_stored", "miss", "error",
                                          "server_error message=boom"));
}

TEST(MetaReplyTest, LargeValueReportsTheSizeItNeeds) {
  Reply reply;
  const ParseResult r = ParseMetaReply("VA 1000 f0\r\n", &reply);
  EXPECT_EQ(r.status, ParseStatus::kIncomplete);
  EXPECT_EQ(r.size, 12u + 1000 + 2);
}

TEST(MetaReplyTest, RejectsWhatIsNotAReply) {
  const char* const bad[] = {
      "\r\n",
      "HD\n",
      "HD \r\n",           // a space but no flag
      "HD  c1\r\n",        // empty token
      "HDX\r\n",           // not a two-letter code
      "XX\r\n",            // unknown code
      "VA\r\nabc\r\n",     // no size
      "VA x\r\n",          // size not a number
      "VA 3\r\nabcd\r\n",  // data longer than announced
      "VA 1 fX\r\na\r\n",  // flags token not a number
      "MN kfoo\r\n",       // mn takes no flags
      "HD c-1\r\n",        // negative cas
      "HD c1 \r\n",        // trailing space
      "VA 1 \r\na\r\n",    // trailing space after the size
  };
  for (const char* input : bad) {
    Reply reply;
    EXPECT_EQ(ParseMetaReply(input, &reply).status, ParseStatus::kInvalid) << input;
  }
}

}  // namespace
}  // namespace ringcache::protocol::client
