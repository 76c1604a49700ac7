// The shared parser-test driver: sessions that run the server's OnData loop
// and the whole / split / byte-by-byte invariant (see parser_harness.h).
#include "parser_harness.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace ringcache::protocol::testing {

size_t TextSession::Run(std::string_view data) {
  size_t pos = 0;
  while (pos < data.size() && !closed_) {
    if (in_block_) {
      const ValueBlock::Step step = block_.Next(data.substr(pos));
      if (storing_) value_.append(step.value);
      pos += step.consumed;
      if (!block_.done()) break;
      in_block_ = false;
      if (!storing_) {
        log_.push_back("  skipped");
      } else if (block_.terminated_ok()) {
        log_.push_back("  value '" + PrintableBytes(value_) + "'");
      } else {
        log_.push_back("  bad data chunk");
      }
      continue;
    }
    const ParseResult r = parser_.Parse(data.substr(pos), &req_);
    if (r.status == ParseStatus::kNeedMore) break;
    // A request or error consumes its line, and only bytes that are there.
    const bool consumes = r.status == ParseStatus::kRequest || r.status == ParseStatus::kError;
    if ((consumes && r.consumed == 0) || r.consumed > data.size() - pos) {
      log_.push_back("BAD CONSUMED " + std::to_string(r.consumed));
      closed_ = true;
      break;
    }
    pos += r.consumed;
    switch (r.status) {
      case ParseStatus::kRequest: {
        log_.push_back(Describe(req_));
        uint32_t block = 0;
        bool has_block = false;
        switch (req_.command) {
          case TextCommand::kSet:
          case TextCommand::kAdd:
          case TextCommand::kReplace:
          case TextCommand::kAppend:
          case TextCommand::kPrepend:
          case TextCommand::kCas:
            block = req_.value_bytes;
            has_block = true;
            break;
          case TextCommand::kMetaSet:
            block = req_.meta.value_bytes;
            has_block = true;
            break;
          default:
            break;
        }
        if (has_block) {
          in_block_ = true;
          storing_ = true;
          block_ = ValueBlock(block);
          value_.clear();
        }
        break;
      }
      case ParseStatus::kError:
        log_.push_back(DescribeError(r));
        if (r.swallow != 0) {
          in_block_ = true;
          storing_ = false;
          block_ = ValueBlock::Raw(r.swallow);
        }
        break;
      case ParseStatus::kClose:
        log_.push_back("close");
        closed_ = true;
        break;
      case ParseStatus::kCloseWithError:
        log_.push_back("close " + std::string(ErrorText(r.error)));
        closed_ = true;
        break;
      case ParseStatus::kNeedMore:
        break;
    }
  }
  return pos;
}

void TextSession::Feed(std::string_view data) {
  if (closed_) return;
  // The engine keeps only the unconsumed rest and presents it again first.
  pending_.append(data);
  const size_t used = Run(pending_);
  pending_.erase(0, closed_ ? pending_.size() : used);
}

std::vector<std::string> RunWhole(std::string_view input, TextParser::Options options) {
  TextSession s(options);
  s.Feed(input);
  return s.log();
}

namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& line : v) s += "  | " + line + "\n";
  return s;
}

}  // namespace

namespace {

// Feeds `input` whole, in two pieces at every boundary, and byte by byte;
// every run must log `expected`.
template <typename MakeSession>
void ExpectSplitInvariant(std::string_view input, const std::vector<std::string>& expected,
                          MakeSession make) {
  auto whole = make();
  whole.Feed(input);
  EXPECT_EQ(whole.log(), expected) << "input fed whole: " << PrintableBytes(input) << "\ngot:\n"
                                   << Join(whole.log()) << "expected:\n"
                                   << Join(expected);
  for (size_t k = 1; k < input.size(); ++k) {
    auto s = make();
    s.Feed(input.substr(0, k));
    s.Feed(input.substr(k));
    if (s.log() != expected) {
      ADD_FAILURE() << "input split at byte " << k << ": " << PrintableBytes(input.substr(0, k))
                    << " | " << PrintableBytes(input.substr(k)) << "\ngot:\n"
                    << Join(s.log()) << "expected:\n"
                    << Join(expected);
      return;
    }
  }
  auto bytewise = make();
  for (const char c : input) bytewise.Feed(std::string_view(&c, 1));
  EXPECT_EQ(bytewise.log(), expected) << "input fed byte by byte: " << PrintableBytes(input);
}

}  // namespace

void ExpectSameAtEverySplit(std::string_view input, const std::vector<std::string>& expected,
                            TextParser::Options options) {
  ExpectSplitInvariant(input, expected, [&] { return TextSession(options); });
}

void ExpectSameAtEverySplitBinary(std::string_view input,
                                  const std::vector<std::string>& expected) {
  ExpectSplitInvariant(input, expected, [] { return BinarySession(); });
}

std::vector<std::string> RunWholeBinary(std::string_view input) {
  BinarySession s;
  s.Feed(input);
  return s.log();
}

size_t BinarySession::Run(std::string_view data) {
  size_t pos = 0;
  while (pos < data.size() && !closed_) {
    if (in_value_) {
      const size_t take = std::min<uint64_t>(value_left_, data.size() - pos);
      if (storing_) value_.append(data.substr(pos, take));
      pos += take;
      value_left_ -= take;
      if (value_left_ != 0) break;
      in_value_ = false;
      log_.push_back(storing_ ? "  value '" + PrintableBytes(value_) + "'" : "  skipped");
      continue;
    }
    const binary::ParseResult r = binary::ParseRequest(data.substr(pos), &req_);
    if (r.status == binary::ParseStatus::kNeedMore) break;
    if (r.status == binary::ParseStatus::kClose) {
      log_.push_back("close");
      closed_ = true;
      break;
    }
    if (r.consumed < binary::kHeaderSize || r.consumed > data.size() - pos) {
      log_.push_back("BAD CONSUMED " + std::to_string(r.consumed));
      closed_ = true;
      break;
    }
    pos += r.consumed;
    if (r.status == binary::ParseStatus::kError) {
      log_.push_back("error " + std::string(binary::StatusText(r.error)) +
                     (r.close ? " close" : "") +
                     (r.swallow ? " swallow=" + std::to_string(r.swallow) : ""));
      if (r.close) {
        closed_ = true;
        break;
      }
      if (r.swallow != 0) {
        in_value_ = true;
        storing_ = false;
        value_left_ = r.swallow;
      }
      continue;
    }
    log_.push_back(Describe(req_));
    if (req_.value_bytes != 0) {
      in_value_ = true;
      storing_ = true;
      value_left_ = req_.value_bytes;
      value_.clear();
    }
  }
  return pos;
}

void BinarySession::Feed(std::string_view data) {
  if (closed_) return;
  pending_.append(data);
  const size_t used = Run(pending_);
  pending_.erase(0, closed_ ? pending_.size() : used);
}

}  // namespace ringcache::protocol::testing
