// Text of the stats family and of the item dumps, as memcached 1.6.18
// formats them.
//
// StatsWriter writes "STAT <name> <value>\r\n" lines (or "STAT <name>\r\n"
// for an empty value, as memcached does) and the closing "END\r\n"; the
// server decides which statistics exist and in what order. Numbers are
// printed like memcached's printf formats: integers in decimal, settings'
// ratios with a fixed number of decimals ("%.2f"), rusage as seconds with
// six decimals, umask in octal. Prefixed names cover `stats items`
// ("items:<class>:<name>"), `stats slabs` ("<class>:<name>") and `stats
// conns` ("<fd>:<name>").
//
// The dump helpers write one line per item of `stats cachedump` and of
// `lru_crawler metadump` (whose lines end in a bare "\n" in memcached, and
// whose keys are URI-encoded).
//
// Threading: writes to the caller's buffer; no state beyond it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringcache/base/out_buffer.h"

namespace ringcache::protocol {

class StatsWriter {
 public:
  explicit StatsWriter(base::OutBuffer& out) : out_(out) {}

  void Add(std::string_view name, uint64_t value);
  void AddSigned(std::string_view name, int64_t value);
  void Add(std::string_view name, std::string_view value);
  // Keeps string literals from converting to the bool overload.
  void Add(std::string_view name, const char* value) { Add(name, std::string_view(value)); }
  // "yes"/"no", as memcached prints boolean settings.
  void AddYesNo(std::string_view name, bool value) { Add(name, value ? "yes" : "no"); }
  // printf("%.<decimals>f").
  void AddFixed(std::string_view name, double value, int decimals);
  // printf("%ld.%06ld", seconds, microseconds): rusage_user, rusage_system.
  void AddTimeval(std::string_view name, int64_t seconds, int64_t microseconds);
  // printf("%o").
  void AddOctal(std::string_view name, uint32_t value);
  // "STAT <prefix>:<id>:<name> <value>" (prefix empty: "STAT <id>:<name> <value>").
  void AddIndexed(std::string_view prefix, uint64_t id, std::string_view name, uint64_t value);
  void AddIndexed(std::string_view prefix, uint64_t id, std::string_view name,
                  std::string_view value);
  // "END\r\n".
  void End();

 private:
  base::OutBuffer& out_;
};

// stats cachedump: "ITEM <key> [<bytes> b; <expiry unix time, 0 if none> s]\r\n".
void AppendCachedumpItem(base::OutBuffer& out, std::string_view key, uint32_t value_bytes,
                         uint64_t expiry_unix);
// Bytes AppendCachedumpItem writes for these arguments (memcached's 2 MB cap
// is checked before a line is written).
size_t CachedumpItemLength(std::string_view key, uint32_t value_bytes, uint64_t expiry_unix);

// lru_crawler metadump: "key=<uri-encoded key> exp=<unix or -1> la=<unix>
// cas=<cas> fetch=<yes|no> cls=<class> size=<bytes>\n".
struct MetadumpItem {
  std::string_view key;
  int64_t expiry_unix = -1;  // -1: never expires
  uint64_t last_access_unix = 0;
  uint64_t cas = 0;
  bool fetched = false;
  uint32_t size_class = 0;
  uint64_t total_size = 0;
};
void AppendMetadumpItem(base::OutBuffer& out, const MetadumpItem& item);

// stats detail dump: "PREFIX <prefix> get <n> hit <n> set <n> del <n>\r\n"
// per key prefix, then "END\r\n".
void AppendDetailPrefix(base::OutBuffer& out, std::string_view prefix, uint64_t gets, uint64_t hits,
                        uint64_t sets, uint64_t deletes);

// memcached's uriencode: bytes other than [A-Za-z0-9-._~] become %XX.
// `out` needs room for 3 * key.size() bytes; returns the bytes written.
size_t UriEncode(std::string_view key, char* out);

}  // namespace ringcache::protocol
