// The text parser's fast path: the request lines pipelining clients send
// most, recognised in one pass over the input, framing included.
//
// TextParser::Parse tries ParseCanonical first (inline: the fast path is
// compiled into the parser's caller). It accepts only a complete line of one
// of these shapes, with single spaces and plain decimal digits:
//
//   set|add|replace|append|prepend <key> <flags> <exptime> <bytes>[ noreply]
//   cas <key> <flags> <exptime> <bytes> <cas>[ noreply]
//   get|gets <key>
//
// ended by "\r\n" or "\n". The key is 1..250 bytes of anything but ' ',
// '\n' and NUL (a get's key runs to the line end, whose '\r' is not part of
// it), flags, exptime and bytes have 1..10 digits, a cas value 1..19, and
// bytes is at most kMaxValueLength. For such a line the general path
// (memcached 1.6.18's process_command_ascii order, with Tokenize and the
// safe_strto* rules) yields a request. ParseCanonical describes the line in
// a CanonicalLine, 32 bytes that name no address (the key is an offset into
// the line), and ApplyCanonical writes from it exactly the ParseResult and
// the request fields the general path would. Every other input, an
// incomplete line included, is declined, having cost only the bytes looked
// at (bounded: a key over 250 bytes stops the look). TextRequest::tokens is
// not written: no command of these shapes reads it.
//
// The two halves are apart so that a line can be parsed ahead of its turn
// (the server's look-ahead parses the lines it hints, and serves them from
// their CanonicalLine later, while the bytes are unchanged).
//
// text_fast_path_test.cc checks the equivalence on generated lines
// (canonical ones and their near misses), the fuzz target on every input.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ringcache/base/compiler.h"
#include "ringcache/protocol/limits.h"
#include "ringcache/protocol/text_request.h"

namespace ringcache::protocol::internal {

// A canonical line, parsed: what ApplyCanonical needs to fill a request, with
// the key as an offset from the line's first byte.
struct CanonicalLine {
  uint32_t consumed = 0;  // the line's bytes, its "\n" included
  TextCommand command = TextCommand::kGet;
  bool noreply = false;
  uint8_t key_offset = 0;  // just past the command word and its space
  uint8_t key_len = 0;     // 1..250
  uint32_t client_flags = 0;
  int32_t exptime = 0;
  uint32_t value_bytes = 0;
  uint64_t cas = 0;  // kCas only
};
static_assert(sizeof(CanonicalLine) == 32);

namespace fast_path {

// The key at `p`: stops at the first byte that is ' ', '\n' or NUL (or at
// `end`), at most kMaxKeyLength + 1 bytes on. Eight bytes at a time: the
// lowest byte below '!' of a word is found exactly (the three stop bytes
// are below it; so are '\t' and '\r', which are key bytes and go on
// byte by byte).
RC_ALWAYS_INLINE const char* ScanKey(const char* p, const char* end) {
  const char* const limit =
      end - p > static_cast<ptrdiff_t>(kMaxKeyLength + 1) ? p + kMaxKeyLength + 1 : end;
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  while (limit - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    // The high bit of every byte below 0x21 (and, past the lowest such byte,
    // perhaps of others: borrows run upwards). Little-endian: the lowest
    // byte comes first.
    const uint64_t low = (w - kOnes * 0x21) & ~w & kHighs;
    if (low != 0) {
      p += __builtin_ctzll(low) / 8;
      const char c = *p;
      if (c == ' ' || c == '\n' || c == '\0') return p;
      // A get's "\r\n": the '\r' is no stop byte, the '\n' after it is.
      if (c == '\r' && p + 1 != limit && p[1] == '\n') return p + 1;
      break;
    }
    p += 8;
  }
  for (; p != limit; ++p) {
    const char c = *p;
    if (c == ' ' || c == '\n' || c == '\0') break;
  }
  return p;
}

// 1..max_digits decimal digits at `p`, followed by a byte before `end`.
// Returns the position after them, or null. (A longer run wraps `v` and is
// refused by its length.)
RC_ALWAYS_INLINE const char* Digits(const char* p, const char* end, ptrdiff_t max_digits,
                                    uint64_t* value) {
  const char* const start = p;
  uint64_t v = 0;
  for (; p != end; ++p) {
    const unsigned d = static_cast<unsigned char>(*p) - static_cast<unsigned>('0');
    if (d > 9) break;
    v = v * 10 + d;
  }
  if (p == start || p - start > max_digits || p == end) return nullptr;
  *value = v;
  return p;
}

// Digits() for a token that is most often one digit: "0 " ahead of the
// next argument (flags, exptime) takes two compares.
RC_ALWAYS_INLINE const char* Argument(const char* p, const char* end, uint64_t* value) {
  if (end - p >= 2 && p[1] == ' ') {
    const unsigned d = static_cast<unsigned char>(p[0]) - static_cast<unsigned>('0');
    if (d > 9) return nullptr;
    *value = d;
    return p + 1;
  }
  return Digits(p, end, 10, value);
}

// "\r\n" or "\n" at `p`: returns the position after it, or null.
RC_ALWAYS_INLINE const char* LineEnd(const char* p, const char* end) {
  if (p != end && *p == '\n') return p + 1;
  if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') return p + 2;
  return nullptr;
}

RC_ALWAYS_INLINE bool StartsWith(const char* p, const char* end, std::string_view word) {
  return static_cast<size_t>(end - p) >= word.size() &&
         std::memcmp(p, word.data(), word.size()) == 0;
}

// get/gets: `p` is just past "get " or "gets ".
RC_ALWAYS_INLINE bool Retrieval(TextCommand command, const char* begin, const char* p,
                                const char* end, CanonicalLine* out) {
  const char* const key = p;
  p = ScanKey(p, end);
  if (p == end || *p != '\n') return false;
  const char* key_end = p;
  // The general path drops one '\r' before the '\n' (the line has more
  // bytes than that); a key is what is left.
  if (key_end[-1] == '\r') --key_end;
  const size_t key_len = static_cast<size_t>(key_end - key);
  if (key_len == 0 || key_len > kMaxKeyLength) return false;
  out->consumed = static_cast<uint32_t>(p + 1 - begin);
  out->command = command;
  out->noreply = false;
  out->key_offset = static_cast<uint8_t>(key - begin);
  out->key_len = static_cast<uint8_t>(key_len);
  return true;
}

// The storage commands: `p` is just past the command word and its space.
RC_ALWAYS_INLINE bool Storage(TextCommand command, const char* begin, const char* p,
                              const char* end, CanonicalLine* out) {
  const char* const key = p;
  p = ScanKey(p, end);
  const size_t key_len = static_cast<size_t>(p - key);
  if (key_len == 0 || key_len > kMaxKeyLength || p == end || *p != ' ') return false;
  uint64_t flags, exptime, bytes, cas = 0;
  p = Argument(p + 1, end, &flags);
  if (p == nullptr || *p != ' ') return false;
  p = Argument(p + 1, end, &exptime);
  if (p == nullptr || *p != ' ') return false;
  p = Digits(p + 1, end, 10, &bytes);
  if (p == nullptr) return false;
  // strtol's long narrowed to int, as memcached stores it.
  const int32_t length = static_cast<int32_t>(bytes);
  if (length < 0 || static_cast<uint32_t>(length) > kMaxValueLength) return false;
  if (command == TextCommand::kCas) {
    if (*p != ' ') return false;
    p = Digits(p + 1, end, 19, &cas);
    if (p == nullptr) return false;
  }
  bool noreply = false;
  if (*p == ' ') {
    if (!StartsWith(p, end, " noreply")) return false;
    noreply = true;
    p += 8;
  }
  p = LineEnd(p, end);
  if (p == nullptr) return false;
  out->consumed = static_cast<uint32_t>(p - begin);
  out->command = command;
  out->noreply = noreply;
  out->key_offset = static_cast<uint8_t>(key - begin);
  out->key_len = static_cast<uint8_t>(key_len);
  out->client_flags = static_cast<uint32_t>(flags);
  out->exptime = static_cast<int32_t>(exptime);
  out->value_bytes = static_cast<uint32_t>(length);
  out->cas = cas;
  return true;
}

}  // namespace fast_path

// The fast path's first half (see the file comment): true with *out
// describing the canonical line at the start of `data`, or false with *out
// untouched.
RC_ALWAYS_INLINE bool ParseCanonical(std::string_view data, CanonicalLine* out) {
  const char* const begin = data.data();
  const char* const end = begin + data.size();
  // The shortest canonical line is "get k\n".
  if (data.size() < 6) return false;
  uint32_t word;
  std::memcpy(&word, begin, 4);
  auto is = [](const char* w) {
    uint32_t v;
    std::memcpy(&v, w, 4);
    return v;
  };
  using fast_path::Retrieval;
  using fast_path::StartsWith;
  using fast_path::Storage;
  if (word == is("get ")) return Retrieval(TextCommand::kGet, begin, begin + 4, end, out);
  if (word == is("set ")) return Storage(TextCommand::kSet, begin, begin + 4, end, out);
  if (word == is("gets")) {
    if (begin[4] != ' ') return false;
    return Retrieval(TextCommand::kGets, begin, begin + 5, end, out);
  }
  if (word == is("add ")) return Storage(TextCommand::kAdd, begin, begin + 4, end, out);
  if (word == is("cas ")) return Storage(TextCommand::kCas, begin, begin + 4, end, out);
  if (word == is("appe")) {
    if (!StartsWith(begin, end, "append ")) return false;
    return Storage(TextCommand::kAppend, begin, begin + 7, end, out);
  }
  if (word == is("prep")) {
    if (!StartsWith(begin, end, "prepend ")) return false;
    return Storage(TextCommand::kPrepend, begin, begin + 8, end, out);
  }
  if (word == is("repl")) {
    if (!StartsWith(begin, end, "replace ")) return false;
    return Storage(TextCommand::kReplace, begin, begin + 8, end, out);
  }
  return false;
}

// The second half: the request and result the general path makes of the
// line ParseCanonical described, `begin` being its first byte (the same
// bytes it parsed).
RC_ALWAYS_INLINE ParseResult ApplyCanonical(const CanonicalLine& line, const char* begin,
                                            TextRequest* req) {
  const char* const key = begin + line.key_offset;
  req->command = line.command;
  req->noreply = line.noreply;
  req->deferred_error = ProtocolError::kNone;
  if (line.command == TextCommand::kGet || line.command == TextCommand::kGets) {
    // As ParseRetrieval: the key list is the line after the command word.
    req->keys.text = std::string_view(key - 1, size_t{line.key_len} + 1);
    req->keys.first = std::string_view(key, line.key_len);
    req->keys.count = 1;
  } else {
    req->key = std::string_view(key, line.key_len);
    req->client_flags = line.client_flags;
    req->exptime = line.exptime;
    req->value_bytes = line.value_bytes;
    if (line.command == TextCommand::kCas) req->cas = line.cas;
  }
  ParseResult r;
  r.status = ParseStatus::kRequest;
  r.consumed = line.consumed;
  return r;
}

}  // namespace ringcache::protocol::internal
