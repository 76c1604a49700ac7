#include "ringcache/protocol/text_composer.h"

#include <cstring>

#include "ringcache/base/numeric.h"

namespace ringcache::protocol {
namespace {

// (An empty view may carry a null pointer, which memcpy must not see.)
RC_ALWAYS_INLINE char* Put(char* p, std::string_view s) {
  if (s.empty()) return p;
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Writes the VALUE line; returns its length. `p` has kMaxValueHeader bytes.
RC_ALWAYS_INLINE size_t FormatValueHeader(char* const start, std::string_view key,
                                          uint32_t client_flags, uint32_t value_bytes,
                                          bool with_cas, uint64_t cas) {
  char* p = Put(start, "VALUE ");
  p = Put(p, key);
  *p++ = ' ';
  p += base::FormatU64(client_flags, p);
  *p++ = ' ';
  p += base::FormatU64(value_bytes, p);
  if (with_cas) {
    *p++ = ' ';
    p += base::FormatU64(cas, p);
  }
  *p++ = '\r';
  *p++ = '\n';
  return static_cast<size_t>(p - start);
}

}  // namespace

void AppendValueHeader(base::OutBuffer& out, std::string_view key, uint32_t client_flags,
                       uint32_t value_bytes) {
  char* p = out.Reserve(kMaxValueHeader);
  out.Commit(FormatValueHeader(p, key, client_flags, value_bytes, false, 0));
}

void AppendValueHeaderWithCas(base::OutBuffer& out, std::string_view key, uint32_t client_flags,
                              uint32_t value_bytes, uint64_t cas) {
  char* p = out.Reserve(kMaxValueHeader);
  out.Commit(FormatValueHeader(p, key, client_flags, value_bytes, true, cas));
}

void AppendValueCopy(base::OutBuffer& out, std::string_view key, uint32_t client_flags,
                     std::string_view value_first, std::string_view value_second, bool with_cas,
                     uint64_t cas) {
  const size_t value_bytes = value_first.size() + value_second.size();
  const size_t total = kMaxValueHeader + value_bytes + 2;
  // Small hits (the common case) go out as one contiguous write.
  if (total <= 1024) {
    char* const start = out.Reserve(total);
    char* p = start + FormatValueHeader(start, key, client_flags,
                                        static_cast<uint32_t>(value_bytes), with_cas, cas);
    p = Put(p, value_first);
    p = Put(p, value_second);
    *p++ = '\r';
    *p++ = '\n';
    out.Commit(static_cast<size_t>(p - start));
    return;
  }
  char* p = out.Reserve(kMaxValueHeader);
  out.Commit(
      FormatValueHeader(p, key, client_flags, static_cast<uint32_t>(value_bytes), with_cas, cas));
  if (!value_first.empty()) out.Append(value_first);
  if (!value_second.empty()) out.Append(value_second);
  out.Append("\r\n");
}

void AppendNumberLine(base::OutBuffer& out, uint64_t value) {
  char* const start = out.Reserve(base::kMaxU64Digits + 2);
  char* p = start + base::FormatU64(value, start);
  *p++ = '\r';
  *p++ = '\n';
  out.Commit(static_cast<size_t>(p - start));
}

void AppendVersion(base::OutBuffer& out, std::string_view version) {
  out.Append("VERSION ");
  if (!version.empty()) out.Append(version);
  out.Append("\r\n");
}

}  // namespace ringcache::protocol
