// Classic reply lines, compared with the bytes memcached 1.6.18 sends.
#include "ringcache/protocol/text_composer.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace ringcache::protocol {
namespace {

class TextComposerTest : public ::testing::Test {
 protected:
  std::string Take() {
    std::string s;
    out_.CopyTo(&s);
    out_.Clear();
    return s;
  }
  base::BlockPool pool_{256};
  base::OutBuffer out_{&pool_};
};

TEST_F(TextComposerTest, StatusLines) {
  AppendReply(out_, TextReply::kStored);
  AppendReply(out_, TextReply::kNotStored);
  AppendReply(out_, TextReply::kExists);
  AppendReply(out_, TextReply::kNotFound);
  AppendReply(out_, TextReply::kDeleted);
  AppendReply(out_, TextReply::kTouched);
  AppendReply(out_, TextReply::kOk);
  AppendReply(out_, TextReply::kEnd);
  AppendReply(out_, TextReply::kReset);
  EXPECT_EQ(Take(),
            "STORED\r\nNOT_STORED\r\nEXISTS\r\nNOT_FOUND\r\nDELETED\r\nTOUCHED\r\nOK\r\nEND\r\n"
            "RESET\r\n");
}

TEST_F(TextComposerTest, ValueHeaders) {
  AppendValueHeader(out_, "foo", 5, 3);
  EXPECT_EQ(Take(), "VALUE foo 5 3\r\n");
  AppendValueHeaderWithCas(out_, "a", 4294967295u, 0, 18446744073709551615ull);
  EXPECT_EQ(Take(), "VALUE a 4294967295 0 18446744073709551615\r\n");
}

TEST_F(TextComposerTest, WholeHitsSmallAndLarge) {
  AppendValueCopy(out_, "k", 0, "ab", "cd", false, 0);
  AppendEnd(out_);
  EXPECT_EQ(Take(), "VALUE k 0 4\r\nabcd\r\nEND\r\n");
  // Larger than one 256-byte block: header, value and terminator in pieces.
  const std::string big(1000, 'v');
  AppendValueCopy(out_, std::string(250, 'k'), 7, big, "", true, 42);
  EXPECT_EQ(Take(), "VALUE " + std::string(250, 'k') + " 7 1000 42\r\n" + big + "\r\n");
}

TEST_F(TextComposerTest, NumbersAndVersion) {
  AppendNumberLine(out_, 0);
  AppendNumberLine(out_, 18446744073709551615ull);
  AppendVersion(out_, "1.6.18");
  EXPECT_EQ(Take(), "0\r\n18446744073709551615\r\nVERSION 1.6.18\r\n");
}

TEST_F(TextComposerTest, EveryErrorLineEndsInCrlfAndIsDistinct) {
  std::set<std::string> seen;
  for (int e = 1; e <= static_cast<int>(ProtocolError::kAuthTermination); ++e) {
    const std::string_view line = ErrorLine(static_cast<ProtocolError>(e));
    ASSERT_GE(line.size(), 4u) << e;
    EXPECT_EQ(line.substr(line.size() - 2), "\r\n") << e;
    EXPECT_EQ(ErrorText(static_cast<ProtocolError>(e)), line.substr(0, line.size() - 2));
    EXPECT_TRUE(seen.insert(std::string(line)).second) << "duplicate line " << line;
  }
  EXPECT_EQ(ErrorLine(ProtocolError::kNone), "");
  AppendError(out_, ProtocolError::kBadDataChunk);
  EXPECT_EQ(Take(), "CLIENT_ERROR bad data chunk\r\n");
}

}  // namespace
}  // namespace ringcache::protocol
