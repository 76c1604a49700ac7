// Reply lines of the meta protocol (mg, ms, md, ma, mn, me), byte for byte
// as memcached 1.6.18 writes them.
//
// A meta reply is a two-letter code followed by return flags. memcached
// walks the request's flags in the order the client sent them and writes a
// return flag for each that has one (mg: s t c f l h O k; ms: O k c; md: O
// k; ma: c t O k), then, for mg, the markers Z (another client holds the
// recache token), X (stale) and W (this client won the token). The key
// echoed by `k` is base64-encoded and followed by " b" when it is binary.
//
// Quiet mode (`q`) drops the nominal reply only: mg's EN, ms's HD, md's HD
// and ma's HD/VA. Other codes and every error are still sent. These
// functions apply that rule themselves, so the executor always calls them.
//
// Times: `t` prints the remaining TTL as memcached does (-1 for none, else
// exptime - now as unsigned 32-bit, so an already-expired item shows a huge
// number); `l` prints now - last access. A T (or, for an item this request
// created, N) flag changes the exptime at its place in the flag order, so a
// `t` before it reports the old value: callers pass both exptimes.
//
// Threading: functions on the caller's buffer; no state.
#pragma once

#include <cstdint>
#include <string_view>

#include "ringcache/base/clock.h"
#include "ringcache/base/out_buffer.h"
#include "ringcache/protocol/meta_request.h"

namespace ringcache::protocol {

enum class MetaStatus : uint8_t {
  kHd,  // success (ms stored, md deleted, ma applied)
  kNs,  // not stored
  kEx,  // CAS mismatch
  kNf,  // not found
};

// What an mg hit reports about its item.
struct MetaItemInfo {
  std::string_view key;              // the item's key (k)
  bool key_binary = false;           // stored with a base64 key: k echoes base64 and " b"
  uint32_t value_bytes = 0;          // VA <size>, s
  uint32_t client_flags = 0;         // f
  uint64_t cas = 0;                  // c
  base::RelTime exptime = 0;         // after this request's T/N (0: never expires)
  base::RelTime exptime_before = 0;  // before them (equal to exptime if none applied)
  base::RelTime last_access = 0;     // before this request (l)
  base::RelTime now = 0;
  bool fetched = false;  // fetched before this request (h)
  bool created = false;  // vivified by this request (N)
  bool lost = false;     // Z: the recache token went to another client earlier
  bool stale = false;    // X
  bool won = false;      // W
};

// mg hit: "VA <size> <flags>\r\n" when the request has v, else "HD <flags>\r\n".
// With v the caller then appends the value bytes and "\r\n".
void AppendMetaGetHit(base::OutBuffer& out, const MetaRequest& req, const MetaItemInfo& item);

// mg miss: "EN <flags>\r\n"; nothing under q.
void AppendMetaGetMiss(base::OutBuffer& out, const MetaRequest& req);

// ms result; `cas` is the stored item's CAS (c). HD is dropped under q.
void AppendMetaSetReply(base::OutBuffer& out, const MetaRequest& req, MetaStatus status,
                        uint64_t cas);

// md result. HD is dropped under q.
void AppendMetaDeleteReply(base::OutBuffer& out, const MetaRequest& req, MetaStatus status);

// What a successful ma reports.
struct MetaArithInfo {
  uint64_t value = 0;                // the new number (v)
  uint64_t cas = 0;                  // c
  base::RelTime exptime = 0;         // after this request's T/N
  base::RelTime exptime_before = 0;  // before them
  base::RelTime now = 0;
  bool created = false;  // vivified by N on this request
};

// ma result. kHd writes "HD <flags>\r\n" or, with v, "VA <len> <flags>\r\n<number>\r\n"
// (dropped under q); other codes carry only O and k.
void AppendMetaArithReply(base::OutBuffer& out, const MetaRequest& req, MetaStatus status,
                          const MetaArithInfo& info);

inline void AppendMetaNoop(base::OutBuffer& out) { out.Append("MN\r\n"); }
inline void AppendMetaDebugMiss(base::OutBuffer& out) { out.Append("EN\r\n"); }

// me hit: "ME <key> exp=<e> la=<l> cas=<c> fetch=<yes|no> cls=<class> size=<bytes>\r\n".
struct MetaDebugInfo {
  std::string_view key;
  bool key_binary = false;  // printed base64-encoded (without " b")
  base::RelTime exptime = 0;
  base::RelTime last_access = 0;
  base::RelTime now = 0;
  uint64_t cas = 0;
  bool fetched = false;
  uint32_t size_class = 0;
  uint64_t total_size = 0;  // item bytes as accounted
};
void AppendMetaDebug(base::OutBuffer& out, const MetaDebugInfo& info);

// memcached's TTL as reported by t: -1 for none, else exptime - now (u32).
inline int64_t MetaTtl(base::RelTime exptime, base::RelTime now) {
  return exptime == 0 ? -1 : static_cast<int64_t>(static_cast<uint32_t>(exptime - now));
}

}  // namespace ringcache::protocol
