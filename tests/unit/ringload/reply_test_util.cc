#include "reply_test_util.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ringcache::protocol::client::testing {

std::string Describe(const Reply& r) {
  std::string s(ReplyKindName(r.kind));
  auto field = [&](std::string_view name, std::string_view v) {
    if (!v.empty())
      absl::StrAppend(&s, " ", std::string(name), "=", absl::CHexEscape(std::string(v)));
  };
  field("key", r.key);
  field("value", r.value);
  field("message", r.message);
  field("meta", r.meta_flags);
  field("opaque", r.opaque);
  if (r.flags != 0) absl::StrAppend(&s, " flags=", r.flags);
  if (r.cas != 0) absl::StrAppend(&s, " cas=", r.cas);
  if (r.kind == ReplyKind::kNumber) absl::StrAppend(&s, " number=", r.number);
  if (r.binary_opcode != 0) absl::StrAppend(&s, " opcode=", r.binary_opcode);
  if (r.binary_status != 0) absl::StrAppend(&s, " status=", r.binary_status);
  if (r.binary_opaque != 0) absl::StrAppend(&s, " bopaque=", r.binary_opaque);
  return s;
}

StreamResult ParseStream(Protocol protocol, std::string_view stream,
                         const std::vector<size_t>& cuts) {
  StreamResult result;
  std::string buffered;
  size_t delivered = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(stream.size());
  for (const size_t end : ends) {
    buffered.append(stream.substr(delivered, end - delivered));
    delivered = end;
    size_t start = 0;
    while (start < buffered.size()) {
      Reply reply;
      const std::string_view rest = std::string_view{buffered}.substr(start);
      const ParseResult r = ParseReply(protocol, rest, &reply);
      if (r.status == ParseStatus::kInvalid) {
        result.invalid = true;
        result.leftover = stream.size() - (delivered - rest.size());  // from the bad reply on
        return result;
      }
      if (r.status == ParseStatus::kIncomplete) {
        if (r.size != 0) {
          EXPECT_GT(r.size, rest.size()) << "hint must ask for more than is buffered";
          // The hint is a lower bound of the reply's size: once that many
          // bytes are there, the reply parses (or needs still more).
          if (r.size <= stream.size() - (delivered - rest.size())) {
            const std::string_view enough = stream.substr(delivered - rest.size(), r.size);
            Reply again;
            const ParseResult r2 = ParseReply(protocol, enough, &again);
            EXPECT_NE(r2.status, ParseStatus::kInvalid);
            if (r2.status == ParseStatus::kIncomplete) {
              EXPECT_GT(r2.size, r.size);
            }
          }
        }
        break;
      }
      EXPECT_GT(r.size, 0u);
      EXPECT_LE(r.size, rest.size());
      result.replies.push_back(Describe(reply));
      start += r.size;
    }
    buffered.erase(0, start);
  }
  result.leftover = buffered.size();
  return result;
}

StreamResult ExpectSameAtEverySplit(Protocol protocol, std::string_view stream) {
  StreamResult whole = ParseStream(protocol, stream);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    const StreamResult split = ParseStream(protocol, stream, {cut});
    EXPECT_EQ(split.replies, whole.replies) << "split at byte " << cut;
    EXPECT_EQ(split.invalid, whole.invalid) << "split at byte " << cut;
    EXPECT_EQ(split.leftover, whole.leftover) << "split at byte " << cut;
  }
  std::vector<size_t> every_byte;
  for (size_t i = 1; i < stream.size(); ++i) every_byte.push_back(i);
  const StreamResult bytewise = ParseStream(protocol, stream, every_byte);
  EXPECT_EQ(bytewise.replies, whole.replies) << "byte by byte";
  EXPECT_EQ(bytewise.invalid, whole.invalid) << "byte by byte";
  return whole;
}

}  // namespace ringcache::protocol::client::testing
