#include "ringcache/base/numeric.h"

#include <cstring>

namespace ringcache::base {
namespace {

// Accumulates decimal digits of [p, end) into *v. Returns false on an empty
// digit run, a non-digit, or overflow (strtoull's ERANGE).
bool AccumulateDecimal(const char* p, const char* end, uint64_t* v) {
  if (p == end) return false;
  uint64_t acc = 0;
  for (; p != end; ++p) {
    const unsigned d = static_cast<unsigned char>(*p) - '0';
    if (d > 9) return false;
    if (acc > (UINT64_MAX - d) / 10) return false;
    acc = acc * 10 + d;
  }
  *v = acc;
  return true;
}

bool AccumulateHex(const char* p, const char* end, uint64_t* v) {
  if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) p += 2;
  if (p == end) return false;
  uint64_t acc = 0;
  for (; p != end; ++p) {
    unsigned d;
    const char c = *p;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (acc > (UINT64_MAX >> 4)) return false;
    acc = (acc << 4) | d;
  }
  *v = acc;
  return true;
}

// strtoull semantics for the sign: "-N" yields 2^64 - N, which memcached
// then refuses whenever it looks negative as a signed number.
template <typename Accumulate>
bool ParseUnsigned(std::string_view token, uint64_t* out, Accumulate accumulate) {
  const char* p = token.data();
  const char* end = p + token.size();
  bool negative = false;
  if (p != end && (*p == '+' || *p == '-')) {
    negative = *p == '-';
    ++p;
  }
  uint64_t v;
  if (!accumulate(p, end, &v)) return false;
  if (negative) v = 0 - v;
  if (static_cast<int64_t>(v) < 0 && negative) return false;
  *out = v;
  return true;
}

}  // namespace

bool ParseU64(std::string_view token, uint64_t* out) {
  *out = 0;
  return ParseUnsigned(token, out, AccumulateDecimal);
}

bool ParseU64Hex(std::string_view token, uint64_t* out) {
  *out = 0;
  return ParseUnsigned(token, out, AccumulateHex);
}

bool ParseI64(std::string_view token, int64_t* out) {
  *out = 0;
  const char* p = token.data();
  const char* end = p + token.size();
  bool negative = false;
  if (p != end && (*p == '+' || *p == '-')) {
    negative = *p == '-';
    ++p;
  }
  uint64_t v;
  if (!AccumulateDecimal(p, end, &v)) return false;
  if (negative) {
    if (v > uint64_t{1} << 63) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool ParseI32(std::string_view token, int32_t* out) {
  int64_t v;
  *out = 0;
  // LP64: strtol is 64-bit, so only the final int32 assignment narrows. memcached
  // relies on the value fitting; larger values are refused here instead of
  // silently wrapping.
  if (!ParseI64(token, &v) || v < INT32_MIN || v > INT32_MAX) return false;
  *out = static_cast<int32_t>(v);
  return true;
}

bool ParseU32(std::string_view token, uint32_t* out) {
  uint64_t v;
  *out = 0;
  if (!ParseU64(token, &v)) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

namespace {

// "00" .. "99": two digits per division.
constexpr char kDigitPairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

}  // namespace

namespace internal {

size_t FormatU64Slow(uint64_t v, char* out) {
  char tmp[kMaxU64Digits];
  size_t i = kMaxU64Digits;
  while (v >= 100) {
    i -= 2;
    std::memcpy(tmp + i, kDigitPairs + 2 * (v % 100), 2);
    v /= 100;
  }
  if (v < 10) {
    tmp[--i] = static_cast<char>('0' + v);
  } else {
    i -= 2;
    std::memcpy(tmp + i, kDigitPairs + 2 * v, 2);
  }
  const size_t n = kMaxU64Digits - i;
  std::memcpy(out, tmp + i, n);
  return n;
}

}  // namespace internal

size_t FormatI64(int64_t v, char* out) {
  if (v < 0) {
    out[0] = '-';
    return 1 + FormatU64(0 - static_cast<uint64_t>(v), out + 1);
  }
  return FormatU64(static_cast<uint64_t>(v), out);
}

}  // namespace ringcache::base
