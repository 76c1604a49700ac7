#include "ringcache/protocol/tokens.h"

#include <cerrno>
#include <cstdlib>
#include <string>

#include "ringcache/base/numeric.h"

namespace ringcache::protocol {
namespace {

// The characters strto* would convert: leading white space skipped, cut at
// the first white space after it. strto* succeeds exactly when this part is
// a well-formed number (its end pointer then sits on white space or on the
// token's end), so the digit rules are left to base/numeric.h.
std::string_view NumberPart(std::string_view token) {
  size_t i = 0;
  const size_t n = token.size();
  while (i < n && IsCSpace(token[i])) ++i;
  size_t j = i;
  while (j < n && !IsCSpace(token[j])) ++j;
  return token.substr(i, j - i);
}

}  // namespace

void Tokenize(std::string_view line, TokenList* out) {
  const char* s = line.data();
  const char* const end = s + line.size();
  const char* e = s;
  size_t n = 0;
  out->truncated = false;
  out->rest = {};
  for (; e != end; ++e) {
    if (*e != ' ') continue;
    if (s != e) {
      out->token[n++] = std::string_view(s, static_cast<size_t>(e - s));
      if (n == kMaxTokens - 1) {
        ++e;
        s = e;
        if (e != end) {
          out->truncated = true;
          out->rest = std::string_view(e, static_cast<size_t>(end - e));
        }
        out->count = static_cast<uint8_t>(n);
        return;
      }
    }
    s = e + 1;
  }
  if (s != e) out->token[n++] = std::string_view(s, static_cast<size_t>(e - s));
  out->count = static_cast<uint8_t>(n);
}

bool TokenToU32(std::string_view token, uint32_t* out) {
  uint64_t v;
  *out = 0;
  if (!base::ParseU64(NumberPart(token), &v)) return false;
  // safe_strtoul refuses a '-' anywhere in the token once the value looks
  // negative as a signed long.
  if (static_cast<int64_t>(v) < 0 && token.find('-') != std::string_view::npos) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

bool TokenToI32(std::string_view token, int32_t* out) {
  int64_t v;
  *out = 0;
  if (!base::ParseI64(NumberPart(token), &v)) return false;
  // strtol yields a long; memcached stores it into an int32_t unchecked.
  *out = static_cast<int32_t>(v);
  return true;
}

bool TokenToU64(std::string_view token, uint64_t* out) {
  uint64_t v;
  *out = 0;
  if (!base::ParseU64(NumberPart(token), &v)) return false;
  if (static_cast<int64_t>(v) < 0 && token.find('-') != std::string_view::npos) return false;
  *out = v;
  return true;
}

bool TokenToI64(std::string_view token, int64_t* out) {
  return base::ParseI64(NumberPart(token), out);
}

bool TokenToDouble(std::string_view token, double* out) {
  *out = 0;
  const std::string part(NumberPart(token));
  if (part.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const double d = std::strtod(part.c_str(), &end);
  if (errno == ERANGE || end == part.c_str() || *end != '\0') return false;
  *out = d;
  return true;
}

}  // namespace ringcache::protocol
