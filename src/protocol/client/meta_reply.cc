// Meta protocol replies: a two-letter code with flag tokens, VA with a data
// block, and the error lines it shares with the text protocol.

#include <string_view>

#include "ringcache/protocol/client/reply_parser.h"
#include "scan_internal.h"

namespace ringcache::protocol::client {
namespace {

using internal::Invalid;
using internal::NextToken;
using internal::Parsed;

// Picks the return flags a client acts on out of the tokens; the rest stay
// available, unparsed, in meta_flags.
bool ParseReturnFlags(std::string_view flags, Reply* out) {
  out->meta_flags = flags;
  while (!flags.empty()) {
    const std::string_view token = NextToken(&flags);
    if (token.empty()) return false;  // two spaces in a row, or a trailing space
    const std::string_view arg = token.substr(1);
    switch (token[0]) {
      case 'k':
        out->key = arg;
        break;
      case 'f':
        if (!internal::ParseDigits32(arg, &out->flags)) return false;
        break;
      case 'c':
        if (!internal::ParseDigits(arg, &out->cas)) return false;
        break;
      case 'O':
        out->opaque = arg;
        break;
      default:
        break;
    }
  }
  return true;
}

ReplyKind CodeKind(char a, char b, bool* known) {
  *known = true;
  switch ((a << 8) | b) {
    case ('H' << 8) | 'D':
      return ReplyKind::kHeader;
    case ('E' << 8) | 'N':
      return ReplyKind::kMiss;
    case ('N' << 8) | 'F':
      return ReplyKind::kNotFound;
    case ('N' << 8) | 'S':
      return ReplyKind::kNotStored;
    case ('E' << 8) | 'X':
      return ReplyKind::kExists;
    case ('M' << 8) | 'N':
      return ReplyKind::kNoop;
    default:
      *known = false;
      return ReplyKind::kError;
  }
}

}  // namespace

ParseResult ParseMetaReply(std::string_view in, Reply* out) {
  const ParseResult found = internal::FindLine(in, kMaxReplyLine);
  if (found.status != ParseStatus::kOk) return found;
  const size_t line_size = found.size;
  const std::string_view line = in.substr(0, line_size - 2);
  internal::Reset(out);
  const bool two_letter_code = line.size() == 2 || (line.size() > 2 && line[2] == ' ');
  if (two_letter_code) {
    std::string_view rest = line.size() > 2 ? line.substr(3) : std::string_view();
    // "HD " with nothing after, or an empty last token.
    if (line.size() > 2 && (rest.empty() || rest.back() == ' ')) return Invalid();
    if (line[0] == 'V' && line[1] == 'A') {
      uint64_t len;
      if (!internal::ParseDigits(NextToken(&rest), &len)) return Invalid();
      if (!ParseReturnFlags(rest, out)) return Invalid();
      out->kind = ReplyKind::kValue;
      return internal::DataBlock(in, line_size, len, &out->value);
    }
    bool known;
    out->kind = CodeKind(line[0], line[1], &known);
    if (known) {
      if (out->kind == ReplyKind::kNoop && !rest.empty()) return Invalid();
      return ParseReturnFlags(rest, out) ? Parsed(line_size) : Invalid();
    }
  }
  return internal::ParseErrorLine(line, out) ? Parsed(line_size) : Invalid();
}

}  // namespace ringcache::protocol::client
