#include "ringcache/protocol/stats_writer.h"

#include <cstdio>
#include <cstring>

#include "ringcache/base/numeric.h"

namespace ringcache::protocol {
namespace {

// Names and values of statistics are short (memcached caps them at 128 and
// 512 bytes); anything longer is the server's bug, and is cut, not overrun.
constexpr size_t kMaxName = 256;
constexpr size_t kMaxValue = 512;

class Line {
 public:
  explicit Line(base::OutBuffer& out, size_t room)
      : out_(out), start_(out.Reserve(room)), p_(start_) {}
  void Put(std::string_view s, size_t cap) {
    const size_t n = s.size() < cap ? s.size() : cap;
    if (n == 0) return;  // an empty view may hold a null pointer
    std::memcpy(p_, s.data(), n);
    p_ += n;
  }
  void Put(std::string_view s) { Put(s, s.size()); }
  void Char(char c) { *p_++ = c; }
  void Number(uint64_t v) { p_ += base::FormatU64(v, p_); }
  void Signed(int64_t v) { p_ += base::FormatI64(v, p_); }
  void Finish() { out_.Commit(static_cast<size_t>(p_ - start_)); }

 private:
  base::OutBuffer& out_;
  char* const start_;
  char* p_;
};

constexpr size_t kStatRoom = 5 + kMaxName + 1 + kMaxValue + 2;

void Stat(base::OutBuffer& out, std::string_view name, std::string_view value) {
  Line l(out, kStatRoom);
  l.Put("STAT ");
  l.Put(name, kMaxName);
  if (!value.empty()) {
    l.Char(' ');
    l.Put(value, kMaxValue);
  }
  l.Put("\r\n");
  l.Finish();
}

}  // namespace

void StatsWriter::Add(std::string_view name, uint64_t value) {
  char digits[base::kMaxU64Digits];
  Stat(out_, name, std::string_view(digits, base::FormatU64(value, digits)));
}

void StatsWriter::AddSigned(std::string_view name, int64_t value) {
  char digits[base::kMaxU64Digits + 1];
  Stat(out_, name, std::string_view(digits, base::FormatI64(value, digits)));
}

void StatsWriter::Add(std::string_view name, std::string_view value) { Stat(out_, name, value); }

void StatsWriter::AddFixed(std::string_view name, double value, int decimals) {
  char text[64];
  const int n = std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  Stat(out_, name, std::string_view(text, n > 0 ? static_cast<size_t>(n) : 0));
}

void StatsWriter::AddTimeval(std::string_view name, int64_t seconds, int64_t microseconds) {
  char text[48];
  const int n = std::snprintf(text, sizeof(text), "%lld.%06lld", static_cast<long long>(seconds),
                              static_cast<long long>(microseconds));
  Stat(out_, name, std::string_view(text, n > 0 ? static_cast<size_t>(n) : 0));
}

void StatsWriter::AddOctal(std::string_view name, uint32_t value) {
  char text[16];
  const int n = std::snprintf(text, sizeof(text), "%o", value);
  Stat(out_, name, std::string_view(text, n > 0 ? static_cast<size_t>(n) : 0));
}

void StatsWriter::AddIndexed(std::string_view prefix, uint64_t id, std::string_view name,
                             uint64_t value) {
  char digits[base::kMaxU64Digits];
  AddIndexed(prefix, id, name, std::string_view(digits, base::FormatU64(value, digits)));
}

void StatsWriter::AddIndexed(std::string_view prefix, uint64_t id, std::string_view name,
                             std::string_view value) {
  char key[kMaxName];
  size_t n = 0;
  if (!prefix.empty() && prefix.size() < kMaxName / 2) {
    std::memcpy(key, prefix.data(), prefix.size());
    n = prefix.size();
    key[n++] = ':';
  }
  n += base::FormatU64(id, key + n);
  key[n++] = ':';
  const size_t name_len = name.size() < kMaxName - n ? name.size() : kMaxName - n;
  if (name_len != 0) std::memcpy(key + n, name.data(), name_len);
  n += name_len;
  Stat(out_, std::string_view(key, n), value);
}

void StatsWriter::End() { out_.Append("END\r\n"); }

void AppendCachedumpItem(base::OutBuffer& out, std::string_view key, uint32_t value_bytes,
                         uint64_t expiry_unix) {
  Line l(out, 5 + 250 + 2 + 10 + 4 + 20 + 5);
  l.Put("ITEM ");
  l.Put(key, 250);
  l.Put(" [");
  l.Number(value_bytes);
  l.Put(" b; ");
  l.Number(expiry_unix);
  l.Put(" s]\r\n");
  l.Finish();
}

size_t CachedumpItemLength(std::string_view key, uint32_t value_bytes, uint64_t expiry_unix) {
  char digits[base::kMaxU64Digits];
  const size_t key_len = key.size() < 250 ? key.size() : 250;
  return 5 + key_len + 2 + base::FormatU64(value_bytes, digits) + 4 +
         base::FormatU64(expiry_unix, digits) + 5;
}

void AppendDetailPrefix(base::OutBuffer& out, std::string_view prefix, uint64_t gets, uint64_t hits,
                        uint64_t sets, uint64_t deletes) {
  Line l(out, 7 + 250 + 4 * (5 + base::kMaxU64Digits) + 2);
  l.Put("PREFIX ");
  l.Put(prefix, 250);
  l.Put(" get ");
  l.Number(gets);
  l.Put(" hit ");
  l.Number(hits);
  l.Put(" set ");
  l.Number(sets);
  l.Put(" del ");
  l.Number(deletes);
  l.Put("\r\n");
  l.Finish();
}

size_t UriEncode(std::string_view key, char* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  char* p = out;
  for (const char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      *p++ = static_cast<char>(c);
    } else {
      p[0] = '%';
      p[1] = kHex[c >> 4];
      p[2] = kHex[c & 15];
      p += 3;
    }
  }
  return static_cast<size_t>(p - out);
}

void AppendMetadumpItem(base::OutBuffer& out, const MetadumpItem& item) {
  Line l(out, 4 + 3 * 250 + 5 + 21 + 4 + 20 + 5 + 20 + 10 + 5 + 10 + 6 + 20 + 1);
  l.Put("key=");
  char encoded[3 * 250];
  const std::string_view key = item.key.substr(0, 250);
  l.Put(std::string_view(encoded, UriEncode(key, encoded)));
  l.Put(" exp=");
  l.Signed(item.expiry_unix);
  l.Put(" la=");
  l.Number(item.last_access_unix);
  l.Put(" cas=");
  l.Number(item.cas);
  l.Put(item.fetched ? " fetch=yes" : " fetch=no");
  l.Put(" cls=");
  l.Number(item.size_class);
  l.Put(" size=");
  l.Number(item.total_size);
  l.Char('\n');
  l.Finish();
}

}  // namespace ringcache::protocol
