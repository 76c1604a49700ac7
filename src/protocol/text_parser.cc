// Framing and the classic commands. The dispatch mirrors memcached 1.6.18's
// process_command_ascii branch for branch, because which reply a malformed
// line gets ("ERROR", a CLIENT_ERROR, silence under noreply, a closed
// connection) depends on the order of its checks.
#include "ringcache/protocol/text_parser.h"

#include <cstring>

#include "parse_internal.h"

namespace ringcache::protocol {

using internal::Done;
using internal::EndsWithNoreply;
using internal::Fail;

namespace {

RC_ALWAYS_INLINE bool Is(std::string_view token, std::string_view word) { return token == word; }

// get/gets/gat/gats (and bget). `pos` is just past the command token.
RC_ALWAYS_INLINE ParseResult ParseRetrieval(TextCommand command, bool touch, std::string_view line,
                                            size_t pos, size_t consumed, TextRequest* req) {
  size_t next = pos;
  std::string_view token = NextToken(line, &next);
  if (token.empty()) return Fail(ProtocolError::kError, consumed);  // memcached: ntokens < 3
  if (touch) {
    if (!TokenToI32(token, &req->exptime)) return Fail(ProtocolError::kInvalidExptime, consumed);
    pos = next;
    token = NextToken(line, &next);
  }
  KeyList& keys = req->keys;
  keys.text = line.substr(pos);
  keys.first = token;
  uint32_t count = 0;
  // memcached stops at the first over-long key and drops the replies it
  // queued for the earlier ones, so the whole request is one error line.
  while (!token.empty()) {
    if (RC_UNLIKELY(token.size() > kMaxKeyLength)) {
      return Fail(ProtocolError::kBadCommandLineFormat, consumed);
    }
    ++count;
    token = NextToken(line, &next);
  }
  keys.count = count;
  req->command = command;
  return Done(consumed);
}

// set/add/replace/append/prepend (6 or 7 tokens) and cas (7 or 8).
ParseResult ParseStorage(TextCommand command, const TokenList& t, size_t consumed,
                         TextRequest* req) {
  const bool cas = command == TextCommand::kCas;
  const size_t n = t.ntokens();
  if (cas ? (n != 7 && n != 8) : (n != 6 && n != 7)) return Fail(ProtocolError::kError, consumed);
  const bool noreply = EndsWithNoreply(t);
  if (t[1].size() > kMaxKeyLength) {
    return Fail(ProtocolError::kBadCommandLineFormat, consumed, noreply);
  }
  int32_t length;
  if (!TokenToU32(t[2], &req->client_flags) || !TokenToI32(t[3], &req->exptime) ||
      !TokenToI32(t[4], &length)) {
    return Fail(ProtocolError::kBadCommandLineFormat, consumed, noreply);
  }
  if (cas && !TokenToU64(t[5], &req->cas)) {
    return Fail(ProtocolError::kBadCommandLineFormat, consumed, noreply);
  }
  if (length < 0 || static_cast<uint32_t>(length) > kMaxValueLength) {
    return Fail(ProtocolError::kBadCommandLineFormat, consumed, noreply);
  }
  req->command = command;
  req->noreply = noreply;
  req->key = t[1];
  req->value_bytes = static_cast<uint32_t>(length);
  return Done(consumed);
}

ParseResult ParseArithmetic(TextCommand command, const TokenList& t, size_t consumed,
                            TextRequest* req) {
  if (t.ntokens() != 4 && t.ntokens() != 5) return Fail(ProtocolError::kError, consumed);
  const bool noreply = EndsWithNoreply(t);
  if (t[1].size() > kMaxKeyLength) {
    return Fail(ProtocolError::kBadCommandLineFormat, consumed, noreply);
  }
  if (!TokenToU64(t[2], &req->delta)) return Fail(ProtocolError::kInvalidDelta, consumed, noreply);
  req->command = command;
  req->noreply = noreply;
  req->key = t[1];
  return Done(consumed);
}

ParseResult ParseTouch(const TokenList& t, size_t consumed, TextRequest* req) {
  if (t.ntokens() != 4 && t.ntokens() != 5) return Fail(ProtocolError::kError, consumed);
  const bool noreply = EndsWithNoreply(t);
  if (t[1].size() > kMaxKeyLength) {
    return Fail(ProtocolError::kBadCommandLineFormat, consumed, noreply);
  }
  if (!TokenToI32(t[2], &req->exptime)) {
    return Fail(ProtocolError::kInvalidExptime, consumed, noreply);
  }
  req->command = TextCommand::kTouch;
  req->noreply = noreply;
  req->key = t[1];
  return Done(consumed);
}

// delete <key> [0] [noreply]: the legacy hold time is accepted only as "0".
ParseResult ParseDelete(const TokenList& t, size_t consumed, TextRequest* req) {
  const size_t n = t.ntokens();
  if (n < 3 || n > 5) return Fail(ProtocolError::kError, consumed);
  bool noreply = false;
  if (n > 3) {
    const bool hold_is_zero = t[2] == "0";
    noreply = EndsWithNoreply(t);
    const bool valid = (n == 4 && (hold_is_zero || noreply)) || (n == 5 && hold_is_zero && noreply);
    if (!valid) return Fail(ProtocolError::kDeleteUsage, consumed, noreply);
  }
  if (t[1].size() > kMaxKeyLength) {
    return Fail(ProtocolError::kBadCommandLineFormat, consumed, noreply);
  }
  req->command = TextCommand::kDelete;
  req->noreply = noreply;
  req->key = t[1];
  return Done(consumed);
}

ParseResult Simple(TextCommand command, size_t consumed, TextRequest* req) {
  req->command = command;
  return Done(consumed);
}

// memcached's final branch: unknown commands get ERROR, except that a line
// whose last token starts with "HTTP/" closes the connection silently.
ParseResult Unknown(const TokenList& t, size_t consumed) {
  if (t.last().substr(0, 5) == "HTTP/") {
    ParseResult r;
    r.status = ParseStatus::kClose;
    r.consumed = consumed;
    return r;
  }
  return Fail(ProtocolError::kError, consumed);
}

// Everything but get/gets/gat/gats and the meta commands, in memcached's
// order of tests.
ParseResult ParseTokenized(std::string_view cmd, const TokenList& t, size_t consumed,
                           TextRequest* req) {
  switch (cmd[0]) {
    case 's':
      if (Is(cmd, "set")) return ParseStorage(TextCommand::kSet, t, consumed, req);
      if (Is(cmd, "stats")) return internal::ParseStats(t, consumed, req);
      if (Is(cmd, "shutdown")) return internal::ParseShutdown(t, consumed, req);
      if (Is(cmd, "slabs")) return internal::ParseSlabs(t, consumed, req);
      return Fail(ProtocolError::kError, consumed);
    case 'a':
      if (Is(cmd, "add")) return ParseStorage(TextCommand::kAdd, t, consumed, req);
      if (Is(cmd, "append")) return ParseStorage(TextCommand::kAppend, t, consumed, req);
      return Fail(ProtocolError::kError, consumed);
    case 'c':
      if (Is(cmd, "cas")) return ParseStorage(TextCommand::kCas, t, consumed, req);
      if (Is(cmd, "cache_memlimit")) return internal::ParseCacheMemlimit(t, consumed, req);
      return Fail(ProtocolError::kError, consumed);
    case 'i':
      if (Is(cmd, "incr")) return ParseArithmetic(TextCommand::kIncr, t, consumed, req);
      return Fail(ProtocolError::kError, consumed);
    case 'd':
      if (Is(cmd, "delete")) return ParseDelete(t, consumed, req);
      if (Is(cmd, "decr")) return ParseArithmetic(TextCommand::kDecr, t, consumed, req);
      // debugtime exists only in memcached's debug builds (not Debian's).
      return Fail(ProtocolError::kError, consumed);
    case 't':
      if (Is(cmd, "touch")) return ParseTouch(t, consumed, req);
      return Fail(ProtocolError::kError, consumed);
    default:
      break;
  }
  if (Is(cmd, "replace")) return ParseStorage(TextCommand::kReplace, t, consumed, req);
  if (Is(cmd, "prepend")) return ParseStorage(TextCommand::kPrepend, t, consumed, req);
  if (Is(cmd, "flush_all")) return internal::ParseFlushAll(t, consumed, req);
  if (Is(cmd, "version")) return Simple(TextCommand::kVersion, consumed, req);
  if (Is(cmd, "quit")) return Simple(TextCommand::kQuit, consumed, req);
  if (Is(cmd, "lru_crawler")) return internal::ParseLruCrawler(t, consumed, req);
  if (Is(cmd, "watch")) return internal::ParseWatch(t, consumed, req);
  if (Is(cmd, "verbosity")) return internal::ParseVerbosity(t, consumed, req);
  if (Is(cmd, "lru")) return internal::ParseLru(t, consumed, req);
  if (Is(cmd, "extstore")) {
    if (t.ntokens() < 3) return Fail(ProtocolError::kError, consumed);
    req->noreply = EndsWithNoreply(t);
    return Simple(TextCommand::kExtstore, consumed, req);
  }
  if (Is(cmd, "refresh_certs")) {
    req->noreply = EndsWithNoreply(t);
    return Simple(TextCommand::kRefreshCerts, consumed, req);
  }
  // misbehave, like debugtime, is a debug-build command.
  return Unknown(t, consumed);
}

}  // namespace

ParseResult TextParser::ParseLine(std::string_view line, size_t consumed, TextRequest* req) {
  req->noreply = false;
  req->deferred_error = ProtocolError::kNone;
  size_t pos = 0;
  const std::string_view cmd = NextToken(line, &pos);
  // No command shorter than two bytes exists; an empty line is ERROR too.
  if (cmd.size() < 2) return Fail(ProtocolError::kError, consumed);

  if (cmd[0] == 'g') {
    // The hot path: no tokenizing beyond the command, keys are scanned once.
    if (cmd.size() == 3) {
      if (cmd[1] == 'e' && cmd[2] == 't') {
        return ParseRetrieval(TextCommand::kGet, false, line, pos, consumed, req);
      }
      if (cmd[1] == 'a' && cmd[2] == 't') {
        return ParseRetrieval(TextCommand::kGat, true, line, pos, consumed, req);
      }
    } else if (cmd.size() == 4 && cmd[3] == 's') {
      if (cmd[1] == 'e' && cmd[2] == 't') {
        return ParseRetrieval(TextCommand::kGets, false, line, pos, consumed, req);
      }
      if (cmd[1] == 'a' && cmd[2] == 't') {
        return ParseRetrieval(TextCommand::kGats, true, line, pos, consumed, req);
      }
    }
    return Fail(ProtocolError::kError, consumed);
  }
  if (cmd == "bget") return ParseRetrieval(TextCommand::kGet, false, line, pos, consumed, req);

  TokenList& t = req->tokens;
  Tokenize(line, &t);
  if (cmd[0] == 'm' && cmd.size() == 2) return internal::ParseMeta(cmd[1], t, consumed, req);
  return ParseTokenized(cmd, t, consumed, req);
}

ParseResult TextParser::NoNewline(std::string_view data) const {
  if (data.size() <= kMaxLineWithoutNewline) return ParseResult{};
  // memcached tolerates an unterminated line this long only as a multiget.
  size_t spaces = 0;
  while (spaces < data.size() && data[spaces] == ' ') ++spaces;
  const std::string_view rest = data.substr(spaces);
  ParseResult r;
  r.status = ParseStatus::kClose;
  if (spaces > kMaxLeadingSpacesInLongGet ||
      (rest.substr(0, 4) != "get " && rest.substr(0, 5) != "gets ")) {
    return r;
  }
  if (data.size() > options_.max_key_list_line) {
    r.status = ParseStatus::kCloseWithError;
    r.error = ProtocolError::kOutOfMemoryReading;
    return r;
  }
  return ParseResult{};
}

ParseResult TextParser::ParseGeneral(std::string_view data, TextRequest* req) {
  const size_t n = data.size();
  // Bytes already searched need no second look (see the class comment); a
  // shorter input than remembered means the caller broke that contract.
  const size_t from = scanned_ <= n ? scanned_ : 0;
  const char* const begin = data.data();
  const auto* nl = static_cast<const char*>(std::memchr(begin + from, '\n', n - from));
  if (nl == nullptr) {
    ParseResult r = NoNewline(data);
    scanned_ = r.status == ParseStatus::kNeedMore ? n : 0;
    return r;
  }
  scanned_ = 0;
  const size_t consumed = static_cast<size_t>(nl - begin) + 1;
  size_t len = consumed - 1;
  if (len > 1 && begin[len - 1] == '\r') --len;
  // memcached handles the line as a C string: it ends at the first NUL.
  if (const void* nul = std::memchr(begin, '\0', len)) {
    len = static_cast<size_t>(static_cast<const char*>(nul) - begin);
  }
  return ParseLine(std::string_view(begin, len), consumed, req);
}

}  // namespace ringcache::protocol
