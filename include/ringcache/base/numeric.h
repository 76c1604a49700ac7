// Number parsing and formatting with memcached's acceptance rules.
//
// memcached parses every numeric token with strtoull/strtoll/strtoul and then
// applies the checks of its safe_strto* helpers (util.c). Clients and its test
// suite (t/strtol-testing.t, t/incrdecr.t) depend on the corner cases: a
// leading '+' is fine, "-0" is a valid unsigned zero, "-1" is not, a value
// that overflows is refused, trailing garbage is refused. These functions
// apply the same rules to a whole token (tokens never contain spaces), so
// callers never need a NUL-terminated copy.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringcache/base/compiler.h"

namespace ringcache::base {

// memcached safe_strtoull: decimal uint64, optional leading '+' or '-';
// a '-' is accepted only when the result is still representable (i.e. "-0").
bool ParseU64(std::string_view token, uint64_t* out);
// memcached safe_strtoull_hex (no "0x" required, accepted if present).
bool ParseU64Hex(std::string_view token, uint64_t* out);
// memcached safe_strtoll: decimal int64 with optional sign.
bool ParseI64(std::string_view token, int64_t* out);
// memcached safe_strtol: decimal, must fit int32.
bool ParseI32(std::string_view token, int32_t* out);
// memcached safe_strtoul on LP64: parsed as unsigned long (64 bits) with the
// '-' rule of ParseU64, then narrowed to 32 bits exactly as memcached's
// assignment does ("4294967296" is accepted as 0). Byte-identical replies
// matter more here than tidiness: clients already live with this.
bool ParseU32(std::string_view token, uint32_t* out);

namespace internal {
size_t FormatU64Slow(uint64_t v, char* out);  // FormatU64 from 100 on
}  // namespace internal

// Decimal formatting without locale or allocation. Returns the number of
// bytes written to `out`, which needs room for 20 (u64) or 21 (i64) bytes.
// Replies format small numbers most (flags 0, lengths of tens of bytes):
// those are inline.
RC_ALWAYS_INLINE size_t FormatU64(uint64_t v, char* out) {
  if (v < 10) {
    out[0] = static_cast<char>('0' + v);
    return 1;
  }
  if (v < 100) {
    out[0] = static_cast<char>('0' + v / 10);
    out[1] = static_cast<char>('0' + v % 10);
    return 2;
  }
  return internal::FormatU64Slow(v, out);
}
size_t FormatI64(int64_t v, char* out);
inline constexpr size_t kMaxU64Digits = 20;

}  // namespace ringcache::base
