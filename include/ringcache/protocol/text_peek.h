// A cheap look at pipelined text requests, for memory hints: the key a
// request names first and where the request after it begins.
//
// The server hashes the keys of the requests a connection has pipelined
// before it serves them, so their lookups' loads can be started early
// (server/connection.cc, the look-ahead). That runs over every request once
// more than the parser does, so it reads as little as it can: the command
// word, the key, and for a storage command (set/add/replace/append/prepend/
// cas, ms) its value length, whose value block is then stepped over rather
// than read as lines. It is not a parser and is not exact: it takes the
// first 1..250 bytes after the command word up to a byte below '!' as the
// key (a key holding a tab is cut short), reads only canonical lengths
// (single spaces, plain digits), and says nothing of whether the parser will
// accept the request. A wrong answer costs a useless hint, never a reply.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ringcache/base/compiler.h"
#include "ringcache/protocol/limits.h"

namespace ringcache::protocol {

struct PeekedRequest {
  // The first key the request names; empty when it names none (not a keyed
  // command: gat/gats, whose first argument is a time, admin commands, ...)
  // or the key is odd (longer than 250 bytes, ...).
  std::string_view key;
  // Where the next request begins: past this request's line and, for a
  // storage command whose length was read, past its value block and its
  // "\r\n". May lie beyond the data (the value block is still to come).
  uint64_t next = 0;
};

namespace peek_internal {

inline constexpr uint64_t kOnes = 0x0101010101010101ull;
inline constexpr uint64_t kHighs = 0x8080808080808080ull;

// Up to eight bytes at `p` (zeros past `end`), little-endian.
RC_ALWAYS_INLINE uint64_t Load8(const char* p, const char* end) {
  uint64_t w = 0;
  if (end - p >= 8) {
    std::memcpy(&w, p, 8);
  } else {
    std::memcpy(&w, p, static_cast<size_t>(end - p));
  }
  return w;
}

// Index of the lowest byte of `w` below 0x21, or 8. (Borrows of the
// subtraction run upwards, so the lowest flagged byte is exact.)
RC_ALWAYS_INLINE unsigned LowestBelowBang(uint64_t w) {
  const uint64_t low = (w - kOnes * 0x21) & ~w & kHighs;
  return low == 0 ? 8 : static_cast<unsigned>(__builtin_ctzll(low)) / 8;
}

enum class Keyed : uint8_t { kNo, kKey, kStorage, kMetaSet };

// What the command word names first. gat/gats and multi-key gets beyond
// the first key are left out: a hint is only a hint.
RC_ALWAYS_INLINE Keyed Classify(std::string_view cmd) {
  switch (cmd.size()) {
    case 2:
      if (cmd[0] != 'm') return Keyed::kNo;
      if (cmd[1] == 's') return Keyed::kMetaSet;
      return cmd[1] == 'g' || cmd[1] == 'd' || cmd[1] == 'a' ? Keyed::kKey : Keyed::kNo;
    case 3:
      if (cmd == "get") return Keyed::kKey;
      return cmd == "set" || cmd == "add" || cmd == "cas" ? Keyed::kStorage : Keyed::kNo;
    case 4:
      return cmd == "gets" || cmd == "incr" || cmd == "decr" ? Keyed::kKey : Keyed::kNo;
    case 5:
      return cmd == "touch" ? Keyed::kKey : Keyed::kNo;
    case 6:
      if (cmd == "append") return Keyed::kStorage;
      return cmd == "delete" ? Keyed::kKey : Keyed::kNo;
    case 7:
      return cmd == "replace" || cmd == "prepend" ? Keyed::kStorage : Keyed::kNo;
    default:
      return Keyed::kNo;
  }
}

// 0x80 in every byte of `w` that is zero, exactly (nothing carries between
// bytes).
RC_ALWAYS_INLINE uint64_t ZeroBytes(uint64_t w) {
  constexpr uint64_t kLows = 0x7f7f7f7f7f7f7f7full;
  return ~(((w & kLows) + kLows) | w | kLows);
}

// Steps over one token of 1..20 bytes and the single space after it.
RC_ALWAYS_INLINE const char* SkipToken(const char* p, const char* end) {
  const char* const start = p;
  const char* const limit = end - p > 20 ? p + 20 : end;
  while (p != limit && *p != ' ' && *p != '\n') ++p;
  return p != start && p != limit && *p == ' ' ? p + 1 : nullptr;
}

// `p` is just past the space after a storage command's key: steps over
// "<flags> <exptime> " to the length. Null when those are not two tokens
// with a single space after each.
RC_ALWAYS_INLINE const char* SkipFlagsAndExptime(const char* p, const char* end) {
  if (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    // One byte each, as in "0 0 32\r\n".
    if ((w & 0xff00ff00u) == 0x20002000u && static_cast<uint8_t>(w) > ' ' &&
        static_cast<uint8_t>(w >> 16) > ' ') {
      return p + 4;
    }
    // Both within the next eight bytes: the first two spaces there, with no
    // line end before the second.
    const uint64_t spaces = ZeroBytes(w ^ (kOnes * ' '));
    const uint64_t second = spaces & (spaces - 1);
    if (second != 0) {
      const unsigned i1 = static_cast<unsigned>(__builtin_ctzll(spaces)) / 8;
      const unsigned i2 = static_cast<unsigned>(__builtin_ctzll(second)) / 8;
      const uint64_t before_second = (uint64_t{1} << (8 * i2)) - 1;
      if (i1 == 0 || i2 == i1 + 1 || (ZeroBytes(w ^ (kOnes * '\n')) & before_second) != 0) {
        return nullptr;
      }
      return p + i2 + 1;
    }
  }
  p = SkipToken(p, end);
  return p == nullptr ? nullptr : SkipToken(p, end);
}

// The length token at `*p`: 1..10 digits ending at ' ', '\r' or '\n'. Its
// value, with *p moved past the digits, or -1.
RC_ALWAYS_INLINE int64_t Length(const char** pp, const char* end) {
  const char* p = *pp;
  const char* const limit = end - p > 11 ? p + 11 : end;
  const char* const start = p;
  int64_t v = 0;
  for (; p != limit; ++p) {
    const unsigned d = static_cast<unsigned char>(*p) - static_cast<unsigned>('0');
    if (d > 9) break;
    v = v * 10 + d;
  }
  if (p == start || p == limit || (*p != ' ' && *p != '\r' && *p != '\n')) return -1;
  *pp = p;
  return v;
}

}  // namespace peek_internal

// Looks at the request that starts at data[pos]. False when its line is not
// complete in `data`.
RC_ALWAYS_INLINE bool PeekTextRequest(std::string_view data, size_t pos, PeekedRequest* out) {
  using peek_internal::Classify;
  using peek_internal::Keyed;
  using peek_internal::kOnes;
  using peek_internal::Length;
  using peek_internal::Load8;
  using peek_internal::LowestBelowBang;
  using peek_internal::SkipFlagsAndExptime;
  using peek_internal::ZeroBytes;
  const char* const begin = data.data() + pos;
  const char* const end = data.data() + data.size();
  if (begin >= end) return false;
  // The command word: no keyed command is longer than seven bytes.
  const uint64_t head = Load8(begin, end);
  const uint64_t space_bits = ZeroBytes(head ^ (kOnes * ' '));
  const size_t cmd_len = space_bits == 0 ? 8 : __builtin_ctzll(space_bits) / 8;
  const Keyed keyed = cmd_len < 8 ? Classify(std::string_view(begin, cmd_len)) : Keyed::kNo;
  const char* p = begin;
  std::string_view key;
  int64_t length = -1;
  // A keyed command was followed by a space inside `data` (bytes past its
  // end load as zero), so the key starts at most at `end`; the second test
  // says so to the compiler, whose bounds warning cannot see it.
  if (keyed != Keyed::kNo && cmd_len < static_cast<size_t>(end - begin)) {
    // The key: up to the first byte below '!', eight bytes at a time.
    const char* const k = begin + cmd_len + 1;
    const char* const limit =
        end - k > static_cast<ptrdiff_t>(kMaxKeyLength + 1) ? k + kMaxKeyLength + 1 : end;
    p = k;
    unsigned i = 8;
    while (i == 8 && limit - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      i = LowestBelowBang(w);
      p += i;
    }
    if (i == 8) {
      while (p != limit && static_cast<unsigned char>(*p) > ' ') ++p;
    }
    if (p != k && p != limit) {
      key = std::string_view(k, static_cast<size_t>(p - k));
      if (keyed != Keyed::kKey && *p == ' ') {
        // set <key> <flags> <exptime> <bytes> ...; ms <key> <datalen> ...
        const char* q = keyed == Keyed::kStorage ? SkipFlagsAndExptime(p + 1, end) : p + 1;
        if (q != nullptr) {
          length = Length(&q, end);
          if (length >= 0) p = q;
        }
      }
    }
  }
  // The line end: most often right here ("\r\n" after a key or a length).
  const char* nl;
  if (p != end && *p == '\n') {
    nl = p;
  } else if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
    nl = p + 1;
  } else {
    nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (nl == nullptr) return false;
  }
  const uint64_t line_end = static_cast<uint64_t>(nl - data.data()) + 1;
  out->key = key;
  out->next = length >= 0 ? line_end + static_cast<uint64_t>(length) + 2 : line_end;
  return true;
}

}  // namespace ringcache::protocol
