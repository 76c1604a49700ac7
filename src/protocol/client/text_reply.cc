// Text protocol replies: one line, or a VALUE line with its data block.

#include <cstring>
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

using internal::Incomplete;
using internal::Invalid;
using internal::Parsed;

// "VALUE <key> <flags> <bytes>[ <cas>]\r\n" and its data block, scanned in
// one pass: this is the reply a load test sees most, so it skips the
// generic find-the-line-then-split path. Running out of input inside the
// line is kIncomplete; a byte that cannot belong there is kInvalid at once.
ParseResult ParseValue(std::string_view in, Reply* out) {
  const char* const begin = in.data();
  const size_t scan = in.size() < kMaxReplyLine ? in.size() : kMaxReplyLine;
  const char* const end = begin + scan;
  const auto ran_out = [&] { return scan == kMaxReplyLine ? Invalid() : Incomplete(0); };
  const char* p = begin + 6;  // after "VALUE "
  const char* const key = p;
  // Keys hold no byte <= ' ' (memcached refuses them), so any such byte ends it.
  while (p<end&& static_cast<unsigned char>(*p)> ' ') ++p;
  if (p == end) return ran_out();
  if (*p != ' ' || p == key) return Invalid();
  out->key = std::string_view(key, static_cast<size_t>(p - key));
  // Two or three numbers: flags, bytes, and the cas of a gets.
  uint64_t numbers[3];
  int count = 0;
  while (true) {
    const char* const digits = ++p;
    uint64_t v = 0;
    while (p < end && static_cast<unsigned char>(*p - '0') <= 9) {
      const unsigned d = static_cast<unsigned char>(*p - '0');
      if (v > (UINT64_MAX - d) / 10) return Invalid();
      v = v * 10 + d;
      ++p;
    }
    if (p == end) return ran_out();
    if (p == digits) return Invalid();
    numbers[count++] = v;
    if (*p == '\r') break;
    if (*p != ' ' || count == 3) return Invalid();
  }
  if (count < 2 || numbers[0] > UINT32_MAX) return Invalid();
  if (p + 1 == end) return ran_out();  // the '\n' has not arrived (or is past the limit)
  if (p[1] != '\n') return Invalid();
  out->kind = ReplyKind::kValue;
  out->flags = static_cast<uint32_t>(numbers[0]);
  if (count == 3) out->cas = numbers[2];
  return internal::DataBlock(in, static_cast<size_t>(p + 2 - begin), numbers[1], &out->value);
}

}  // namespace

ParseResult ParseTextReply(std::string_view in, Reply* out) {
  // The replies of a get, first.
  if (in.size() >= 6 && std::memcmp(in.data(), "VALUE ", 6) == 0) {
    internal::Reset(out);
    return ParseValue(in, out);
  }
  if (in.size() >= 5 && std::memcmp(in.data(), "END\r\n", 5) == 0) {
    internal::Reset(out);
    out->kind = ReplyKind::kEnd;
    return Parsed(5);
  }
  const ParseResult found = internal::FindLine(in, kMaxReplyLine);
  if (found.status != ParseStatus::kOk) return found;
  const size_t line_size = found.size;
  const std::string_view line = in.substr(0, line_size - 2);
  internal::Reset(out);
  if (line.empty()) return Invalid();
  auto is = [&](std::string_view word, ReplyKind kind) {
    if (line != word) return false;
    out->kind = kind;
    return true;
  };
  switch (line[0]) {
    case 'V':
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
