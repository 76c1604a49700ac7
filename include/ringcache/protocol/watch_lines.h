// The lines a `watch` connection receives, formatted as memcached 1.6.18's
// logger formats them.
//
// Which events exist, when they are logged and how watchers are fed (one
// buffer per watcher, "skipped=N" when it fell behind) is the server's; this
// unit only turns an event into its line, byte for byte: a timestamp
// "ts=<sec>.<usec>" whose microseconds are printed without zero padding (as
// memcached's "%d" does), the global log id "gid=", then the event's fields,
// keys URI-encoded, and a bare "\n" at the end.
//
// Threading: functions on the caller's buffer; no state.
#pragma once

#include <cstdint>
#include <string_view>

#include "ringcache/base/out_buffer.h"

namespace ringcache::protocol {

struct WatchStamp {
  int64_t seconds = 0;       // gettimeofday tv_sec
  int32_t microseconds = 0;  // tv_usec
  uint64_t gid = 0;          // global, monotonically increasing log entry id
};

enum class WatchGetStatus : uint8_t { kNotFound, kFound, kFlushed, kExpired };
enum class WatchStoreStatus : uint8_t {
  kNotStored,
  kStored,
  kExists,
  kNotFound,
  kTooLarge,
  kNoMemory
};
// memcached's NREAD_* numbering: 0 is "null".
enum class WatchStoreCommand : uint8_t { kNull, kAdd, kSet, kReplace, kAppend, kPrepend, kCas };
enum class WatchTransport : uint8_t { kLocal, kTcp, kUdp };
enum class WatchCloseReason : uint8_t { kError, kNormal, kIdleTimeout, kShutdown };

// type=item_get (watch fetchers).
void AppendWatchItemGet(base::OutBuffer& out, const WatchStamp& stamp, std::string_view key,
                        WatchGetStatus status, uint32_t size_class, int fd, uint32_t value_bytes);
// type=item_store (watch mutations). `ttl`: seconds left, 0 for none.
void AppendWatchItemStore(base::OutBuffer& out, const WatchStamp& stamp, std::string_view key,
                          WatchStoreStatus status, WatchStoreCommand command, uint32_t ttl,
                          uint32_t size_class, int fd, uint32_t value_bytes);
// type=eviction (watch evictions). `ttl`: seconds left, -1 for none;
// `last_access`: seconds since the last access.
void AppendWatchEviction(base::OutBuffer& out, const WatchStamp& stamp, std::string_view key,
                         bool fetched, int64_t ttl, int32_t last_access, uint32_t size_class,
                         uint32_t value_bytes);
// type=conn_new / type=conn_close (watch connevents). `address`: the peer's
// IP text, or "unix" for unix sockets (port 0).
void AppendWatchConnNew(base::OutBuffer& out, const WatchStamp& stamp, std::string_view address,
                        uint16_t port, WatchTransport transport, int fd);
void AppendWatchConnClose(base::OutBuffer& out, const WatchStamp& stamp, std::string_view address,
                          uint16_t port, WatchTransport transport, WatchCloseReason reason, int fd);
// A free-text entry (sysevents and the like): "ts=... gid=... <text>\n".
void AppendWatchText(base::OutBuffer& out, const WatchStamp& stamp, std::string_view text);
// "skipped=<n>\n": entries a slow watcher lost.
void AppendWatchSkipped(base::OutBuffer& out, uint64_t skipped);

}  // namespace ringcache::protocol
