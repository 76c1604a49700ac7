// incr/decr on a stored value, with memcached 1.6's exact rules.
//
// memcached parses the item's data (which it stores followed by "\r\n") with
// safe_strtoull: strtoull skips leading whitespace, takes an optional sign and
// at least one decimal digit; the number must end at whitespace or NUL (the
// stored "\r\n" counts, so the end of the value is fine); an overflow, or a
// '-' anywhere when the result looks negative as int64, is refused. So " 12",
// "12 xyz" and "-0" are numbers, "12abc", "" and "-5" are not.
//
// The result is formatted in decimal. When it is no longer than the old value
// memcached rewrites the item in place and pads with spaces to the old length
// ("100" decremented by 1 reads back as "99 "); a longer result gets a new item
// of exactly its length. Clients observe the padding, so it is reproduced.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ringcache::storage {

// Parses a value given in up to two parts (split items) with memcached's
// rules. Returns false when memcached would answer "non-numeric".
bool ParseStoredNumber(std::string_view first, std::string_view second, uint64_t* out);

// incr wraps modulo 2^64; decr stops at 0.
inline uint64_t ApplyDelta(uint64_t value, bool incr, uint64_t delta) {
  if (incr) return value + delta;
  return delta > value ? 0 : value - delta;
}

// Writes the new value as memcached stores it: decimal digits, padded with
// spaces to `old_len` when that is longer. `out` needs max(20, old_len) bytes.
// Returns the stored length.
size_t FormatStoredNumber(uint64_t value, size_t old_len, char* out);

}  // namespace ringcache::storage
