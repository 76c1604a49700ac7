// The -Y authentication exchange, whole and split at every byte.
#include "ringcache/protocol/ascii_auth.h"

#include <string>

#include "gtest/gtest.h"

namespace ringcache::protocol {
namespace {

std::string Outcome(std::string_view input) {
  AsciiAuth auth;
  const ParseResult r = ParseAsciiAuth(input, &auth);
  switch (r.status) {
    case ParseStatus::kNeedMore:
      return "need more";
    case ParseStatus::kClose:
      return "close";
    case ParseStatus::kError:
      return std::string(ErrorText(r.error)) + " @" + std::to_string(r.consumed);
    case ParseStatus::kRequest:
      return "user=" + std::string(auth.user) + " pass=" + std::string(auth.password) + " @" +
             std::to_string(r.consumed);
    default:
      return "?";
  }
}

void ExpectAtEveryPrefix(const std::string& input, const std::string& expected) {
  EXPECT_EQ(Outcome(input), expected) << input;
  // Shorter prefixes wait, unless the verdict needs only the line.
  const size_t line = input.find('\n') + 1;
  for (size_t k = 0; k < input.size(); ++k) {
    const std::string got = Outcome(std::string_view(input).substr(0, k));
    if (k < line || expected.rfind("CLIENT_ERROR unauthenticated", 0) != 0) {
      EXPECT_EQ(got, "need more") << "prefix " << k << " of " << input;
    } else {
      EXPECT_EQ(got, expected) << "prefix " << k << " of " << input;
    }
  }
}

TEST(AsciiAuthTest, AcceptsTheSetExchange) {
  ExpectAtEveryPrefix("set x 0 0 9\r\nuser pass\r\n", "user=user pass=pass @24");
  // Key, flags and exptime are ignored; extra words in the value too.
  ExpectAtEveryPrefix("set anything junk junk 11\r\nuser pass x\r\n", "user=user pass=pass @40");
  ExpectAtEveryPrefix("set x 0 0 9\nuser pass\r\n", "user=user pass=pass @23");
}

TEST(AsciiAuthTest, RefusesLikeMemcached) {
  ExpectAtEveryPrefix("get foo\r\n", "CLIENT_ERROR unauthenticated @9");
  ExpectAtEveryPrefix("set x 0 0\r\n", "CLIENT_ERROR unauthenticated @11");
  ExpectAtEveryPrefix("set x 0 0 y\r\n", "CLIENT_ERROR unauthenticated @13");
  ExpectAtEveryPrefix("set x 0 0 9\r\nuser passXY",
                      "CLIENT_ERROR bad command line termination @24");
  ExpectAtEveryPrefix("set x 0 0 4\r\nuser\r\n",
                      "CLIENT_ERROR bad authentication token format @19");
  EXPECT_EQ(Outcome(std::string(2049, 'x')), "close");
  EXPECT_EQ(Outcome(std::string(2048, 'x')), "need more");
}

}  // namespace
}  // namespace ringcache::protocol
