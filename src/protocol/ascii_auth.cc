#include "ringcache/protocol/ascii_auth.h"

#include <cstring>

#include "ringcache/protocol/text_parser.h"
#include "ringcache/protocol/tokens.h"

namespace ringcache::protocol {
namespace {

ParseResult Verdict(ParseStatus status, ProtocolError error, size_t consumed) {
  ParseResult r;
  r.status = status;
  r.error = error;
  r.consumed = consumed;
  return r;
}

}  // namespace

ParseResult ParseAsciiAuth(std::string_view data, AsciiAuth* out) {
  // No such exchange can be shorter than two bytes.
  if (data.size() < 2) return ParseResult{};
  const auto* nl = static_cast<const char*>(std::memchr(data.data(), '\n', data.size()));
  if (nl == nullptr) {
    return data.size() > kMaxLineWithoutNewline ? Verdict(ParseStatus::kClose, {}, 0)
                                                : ParseResult{};
  }
  const size_t line_end = static_cast<size_t>(nl - data.data()) + 1;
  // memcached keeps the '\r' here: it ends up in the last token, where
  // strtoul stops at it.
  std::string_view line = data.substr(0, line_end - 1);
  if (const void* nul = std::memchr(line.data(), '\0', line.size())) {
    line = line.substr(0, static_cast<size_t>(static_cast<const char*>(nul) - line.data()));
  }
  TokenList t;
  Tokenize(line, &t);
  uint32_t size;
  if (t.ntokens() < 6 || t[0] != "set" || !TokenToU32(t[4], &size)) {
    return Verdict(ParseStatus::kError, ProtocolError::kUnauthenticated, line_end);
  }
  const size_t total = line_end + size_t{size} + 2;
  if (data.size() < total) return ParseResult{};
  const std::string_view value = data.substr(line_end, size_t{size} + 2);
  if (value.substr(value.size() - 2) != "\r\n") {
    return Verdict(ParseStatus::kError, ProtocolError::kAuthTermination, total);
  }
  std::string_view words = value.substr(0, size);
  if (const void* nul = std::memchr(words.data(), '\0', words.size())) {
    words = words.substr(0, static_cast<size_t>(static_cast<const char*>(nul) - words.data()));
  }
  Tokenize(words, &t);
  if (t.ntokens() < 3) return Verdict(ParseStatus::kError, ProtocolError::kAuthTokenFormat, total);
  out->user = t[0];
  out->password = t[1];
  return Verdict(ParseStatus::kRequest, ProtocolError::kNone, total);
}

}  // namespace ringcache::protocol
