// Splitting a command line into tokens and reading numbers from tokens, the
// way memcached 1.6.18 does it.
//
// Tokens: memcached splits a line on ' ' only (tabs and other control bytes
// belong to tokens, so they are legal inside keys), collapses runs of spaces,
// and keeps at most 23 tokens; whatever follows the 23rd token is left
// unsplit ("rest"), and its argument-count checks see 24 tokens. Several
// replies depend on exactly this (a set line with 30 tokens is "ERROR", a
// `stats detail on` followed by 30 junk tokens is "OK"), so TokenList keeps
// memcached's count (`ntokens()`, which includes its terminal pseudo-token).
//
// Numbers: memcached reads every number with strtol/strtoul/strtoull/strtod
// on the NUL-terminated token and then applies its safe_strto* checks. That
// accepts leading white space other than ' ' ("\t5"), stops at any trailing
// white space ("5\t" and "5\r" are 5), and, on LP64, narrows strtol's 64-bit
// result to 32 bits without a range check ("4294967297" as a length is 1).
// The functions below reproduce these rules on a token view, delegating the
// digit work to base/numeric.h; replies to odd input therefore match
// memcached byte for byte.
//
// Threading: pure functions and plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringcache/base/compiler.h"

namespace ringcache::protocol {

// memcached's MAX_TOKENS: 23 real tokens plus the terminal one.
inline constexpr size_t kMaxTokens = 24;

struct TokenList {
  std::string_view token[kMaxTokens - 1];
  uint8_t count = 0;  // real tokens, at most 23
  // Text after the 23rd token when the line had more (memcached's non-null
  // terminal token). Empty when the whole line was split.
  std::string_view rest;
  bool truncated = false;

  // memcached's `ntokens`: real tokens plus the terminal token.
  size_t ntokens() const { return count + 1u; }
  // Token i, or an empty view past the end (memcached's terminal token).
  std::string_view operator[](size_t i) const { return i < count ? token[i] : std::string_view(); }
  // The last real token (memcached's tokens[ntokens - 2]).
  std::string_view last() const { return count ? token[count - 1] : std::string_view(); }
};

// Splits `line` (no line terminator) as memcached's tokenize_command does.
void Tokenize(std::string_view line, TokenList* out);

// Returns the first space-delimited token of `text` and advances `*pos` past
// it; an empty view when only spaces remain.
RC_ALWAYS_INLINE std::string_view NextToken(std::string_view text, size_t* pos) {
  size_t i = *pos;
  const size_t n = text.size();
  while (i < n && text[i] == ' ') ++i;
  const size_t start = i;
  while (i < n && text[i] != ' ') ++i;
  *pos = i;
  return text.substr(start, i - start);
}

// C's isspace() in the "C" locale: the bytes strtol skips and stops at.
RC_ALWAYS_INLINE bool IsCSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// memcached safe_strtoul (unsigned 32-bit result, LP64 narrowing).
bool TokenToU32(std::string_view token, uint32_t* out);
// memcached safe_strtol (32-bit result of a 64-bit strtol, narrowed).
bool TokenToI32(std::string_view token, int32_t* out);
// memcached safe_strtoull.
bool TokenToU64(std::string_view token, uint64_t* out);
// memcached safe_strtoll.
bool TokenToI64(std::string_view token, int64_t* out);
// memcached safe_strtod (admin commands only; not for the hot path).
bool TokenToDouble(std::string_view token, double* out);

}  // namespace ringcache::protocol
