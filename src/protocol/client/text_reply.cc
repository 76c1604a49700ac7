// Text protocol replies: one line, or a VALUE line with its data block.

#include <string_view>

#include "ringcache/protocol/client/reply_parser.h"
#include "scan_internal.h"

namespace ringcache::protocol::client {
namespace internal {

bool ParseErrorLine(std::string_view line, Reply* out) {
  // memcached sends a bare "ERROR" for unknown commands and "ERROR <reason>"
  // for a few refusals (too many connections, admin commands).
  static constexpr std::string_view kError = "ERROR";
  static constexpr std::string_view kClientError = "CLIENT_ERROR";
  static constexpr std::string_view kServerError = "SERVER_ERROR";
  auto matches = [&](std::string_view word) {
    return line.starts_with(word) && (line.size() == word.size() || line[word.size()] == ' ');
  };
  auto message_after = [&](std::string_view word) {
    return line.size() > word.size() ? line.substr(word.size() + 1) : std::string_view();
  };
  if (matches(kError)) {
    out->kind = ReplyKind::kError;
    out->message = message_after(kError);
  } else if (matches(kClientError)) {
    out->kind = ReplyKind::kClientError;
    out->message = message_after(kClientError);
  } else if (matches(kServerError)) {
    out->kind = ReplyKind::kServerError;
    out->message = message_after(kServerError);
  } else {
    return false;
  }
  return true;
}

}  // namespace internal

namespace {

using internal::Invalid;
using internal::NextToken;
using internal::Parsed;

// "VALUE <key> <flags> <bytes>[ <cas>]" followed by the data block.
ParseResult ParseValue(std::string_view in, std::string_view line, size_t line_size, Reply* out) {
  if (line.back() == ' ') return Invalid();  // an empty last token
  std::string_view rest = line.substr(6);    // after "VALUE "
  const std::string_view key = NextToken(&rest);
  const std::string_view flags = NextToken(&rest);
  const std::string_view bytes = NextToken(&rest);
  uint64_t len;
  if (key.empty() || !internal::ParseDigits32(flags, &out->flags) ||
      !internal::ParseDigits(bytes, &len)) {
    return Invalid();
  }
  if (!rest.empty() && !internal::ParseDigits(rest, &out->cas)) return Invalid();
  out->kind = ReplyKind::kValue;
  out->key = key;
  return internal::DataBlock(in, line_size, len, &out->value);
}

}  // namespace

ParseResult ParseTextReply(std::string_view in, Reply* out) {
  const ParseResult found = internal::FindLine(in, kMaxReplyLine);
  if (found.status != ParseStatus::kOk) return found;
  const size_t line_size = found.size;
  const std::string_view line = in.substr(0, line_size - 2);
  *out = Reply{};
  if (line.empty()) return Invalid();
  auto is = [&](std::string_view word, ReplyKind kind) {
    if (line != word) return false;
    out->kind = kind;
    return true;
  };
  switch (line[0]) {
    case 'V':
      if (line.starts_with("VALUE ")) return ParseValue(in, line, line_size, out);
      if (line.starts_with("VERSION ")) {
        out->kind = ReplyKind::kVersion;
        out->message = line.substr(8);
        return Parsed(line_size);
      }
      return Invalid();
    case 'E':
      if (is("END", ReplyKind::kEnd) || is("EXISTS", ReplyKind::kExists)) return Parsed(line_size);
      break;
    case 'S':
      if (is("STORED", ReplyKind::kStored)) return Parsed(line_size);
      break;
    case 'N':
      if (is("NOT_FOUND", ReplyKind::kNotFound) || is("NOT_STORED", ReplyKind::kNotStored)) {
        return Parsed(line_size);
      }
      return Invalid();
    case 'D':
      return is("DELETED", ReplyKind::kDeleted) ? Parsed(line_size) : Invalid();
    case 'T':
      return is("TOUCHED", ReplyKind::kTouched) ? Parsed(line_size) : Invalid();
    case 'O':
      return is("OK", ReplyKind::kOk) ? Parsed(line_size) : Invalid();
    default:
      if (line[0] >= '0' && line[0] <= '9') {
        // incr/decr: the counter's new value.
        if (!internal::ParseDigits(line, &out->number)) return Invalid();
        out->kind = ReplyKind::kNumber;
        return Parsed(line_size);
      }
      break;
  }
  return internal::ParseErrorLine(line, out) ? Parsed(line_size) : Invalid();
}

}  // namespace ringcache::protocol::client
