// Byte-scanning helpers shared by the client-side reply parsers.
//
// Replies come from a server, not a user, so the parsers are strict: numbers
// are plain ASCII digits (no sign, no spaces) that must fit 64 bits, and
// tokens are separated by exactly one space, as memcached writes them.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ringcache/base/compiler.h"
#include "ringcache/protocol/client/reply.h"

namespace ringcache::protocol::client::internal {

// Parses a non-empty run of decimal digits that fits 64 bits.
RC_ALWAYS_INLINE bool ParseDigits(std::string_view token, uint64_t* out) {
  if (token.empty() || token.size() > 20) return false;
  uint64_t v = 0;
  for (const char c : token) {
    const unsigned d = static_cast<unsigned char>(c) - '0';
    if (d > 9) return false;
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

RC_ALWAYS_INLINE bool ParseDigits32(std::string_view token, uint32_t* out) {
  uint64_t v;
  if (!ParseDigits(token, &v) || v > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

// Splits the next space-separated token off the front of `*rest`.
RC_ALWAYS_INLINE std::string_view NextToken(std::string_view* rest) {
  const size_t space = rest->find(' ');
  std::string_view token = rest->substr(0, space);
  rest->remove_prefix(space == std::string_view::npos ? rest->size() : space + 1);
  return token;
}

// Clears every field of a reply. Copying from a constant rather than
// assigning a fresh temporary keeps the compiler from building the temporary
// on the stack with narrow stores and reading it back with wide loads (a
// store-forwarding stall that cost more than the rest of a VALUE parse).
RC_ALWAYS_INLINE void Reset(Reply* out) {
  static constexpr Reply kEmpty{};
  *out = kEmpty;
}

RC_ALWAYS_INLINE ParseResult Invalid() { return {ParseStatus::kInvalid, 0}; }
RC_ALWAYS_INLINE ParseResult Incomplete(size_t needed) {
  return {ParseStatus::kIncomplete, needed};
}
RC_ALWAYS_INLINE ParseResult Parsed(size_t size) { return {ParseStatus::kOk, size}; }

// Finds the "\r\n"-terminated line at the front of `in`. Returns kOk with
// the line's size including its terminator, kIncomplete when no '\n' is
// there yet, kInvalid for a bare '\n' or a line longer than `max_line`.
RC_ALWAYS_INLINE ParseResult FindLine(std::string_view in, size_t max_line) {
  const size_t scan = in.size() < max_line ? in.size() : max_line;
  const void* nl = std::memchr(in.data(), '\n', scan);
  if (nl == nullptr) return scan == max_line ? Invalid() : Incomplete(0);
  const size_t line_size = static_cast<const char*>(nl) - in.data() + 1;
  if (line_size < 2 || in[line_size - 2] != '\r') return Invalid();
  return Parsed(line_size);
}

// The data block of `len` bytes that follows a header of `header_size` bytes
// at the front of `in`, followed by "\r\n".
RC_ALWAYS_INLINE ParseResult DataBlock(std::string_view in, size_t header_size, uint64_t len,
                                       std::string_view* value) {
  if (len > SIZE_MAX - header_size - 2) return Invalid();
  const size_t total = header_size + static_cast<size_t>(len) + 2;
  if (in.size() < total) return Incomplete(total);
  if (in[total - 2] != '\r' || in[total - 1] != '\n') return Invalid();
  *value = in.substr(header_size, static_cast<size_t>(len));
  return Parsed(total);
}

// "ERROR", "CLIENT_ERROR <msg>", "SERVER_ERROR <msg>" (shared by text and
// meta). `line` excludes "\r\n". Returns false if the line is none of them.
bool ParseErrorLine(std::string_view line, Reply* out);

}  // namespace ringcache::protocol::client::internal
