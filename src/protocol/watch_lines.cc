#include "ringcache/protocol/watch_lines.h"

#include <cstring>

#include "ringcache/base/numeric.h"
#include "ringcache/protocol/limits.h"
#include "ringcache/protocol/stats_writer.h"

namespace ringcache::protocol {
namespace {

// Longest line: the stamp, a 750-byte encoded key, a dozen numbers and words.
constexpr size_t kMaxWatchLine = 1024;

class Line {
 public:
  explicit Line(base::OutBuffer& out) : out_(out), start_(out.Reserve(kMaxWatchLine)), p_(start_) {}
  Line& Put(std::string_view s) {
    if (!s.empty()) {
      const size_t n = s.size() < kMaxText ? s.size() : kMaxText;
      std::memcpy(p_, s.data(), n);
      p_ += n;
    }
    return *this;
  }
  Line& U(uint64_t v) {
    p_ += base::FormatU64(v, p_);
    return *this;
  }
  Line& I(int64_t v) {
    p_ += base::FormatI64(v, p_);
    return *this;
  }
  Line& Stamp(const WatchStamp& s) {
    return Put("ts=").I(s.seconds).Put(".").I(s.microseconds).Put(" gid=").U(s.gid);
  }
  Line& Key(std::string_view key) {
    const std::string_view k = key.substr(0, kMaxKeyLength);
    p_ += UriEncode(k, p_);
    return *this;
  }
  void Finish() {
    *p_++ = '\n';
    Commit();
  }
  void Commit() { out_.Commit(static_cast<size_t>(p_ - start_)); }

 private:
  static constexpr size_t kMaxText = 128;  // free-text fields (addresses)
  base::OutBuffer& out_;
  char* const start_;
  char* p_;
};

std::string_view Name(WatchGetStatus s) {
  static constexpr std::string_view kNames[] = {"not_found", "found", "flushed", "expired"};
  return kNames[static_cast<size_t>(s) & 3];
}
std::string_view Name(WatchStoreStatus s) {
  static constexpr std::string_view kNames[] = {"not_stored", "stored",    "exists",
                                                "not_found",  "too_large", "no_memory"};
  const auto i = static_cast<size_t>(s);
  return i < 6 ? kNames[i] : "not_stored";
}
std::string_view Name(WatchStoreCommand c) {
  static constexpr std::string_view kNames[] = {"null",   "add",     "set", "replace",
                                                "append", "prepend", "cas"};
  const auto i = static_cast<size_t>(c);
  return i < 7 ? kNames[i] : "na";
}
std::string_view Name(WatchTransport t) {
  static constexpr std::string_view kNames[] = {"local", "tcp", "udp"};
  const auto i = static_cast<size_t>(t);
  return i < 3 ? kNames[i] : "local";
}
std::string_view Name(WatchCloseReason r) {
  static constexpr std::string_view kNames[] = {"error", "normal", "idle_timeout", "shutdown"};
  return kNames[static_cast<size_t>(r) & 3];
}

}  // namespace

void AppendWatchItemGet(base::OutBuffer& out, const WatchStamp& stamp, std::string_view key,
                        WatchGetStatus status, uint32_t size_class, int fd, uint32_t value_bytes) {
  Line l(out);
  l.Stamp(stamp).Put(" type=item_get key=").Key(key).Put(" status=").Put(Name(status));
  l.Put(" clsid=").U(size_class).Put(" cfd=").I(fd).Put(" size=").U(value_bytes);
  l.Finish();
}

void AppendWatchItemStore(base::OutBuffer& out, const WatchStamp& stamp, std::string_view key,
                          WatchStoreStatus status, WatchStoreCommand command, uint32_t ttl,
                          uint32_t size_class, int fd, uint32_t value_bytes) {
  Line l(out);
  l.Stamp(stamp).Put(" type=item_store key=").Key(key).Put(" status=").Put(Name(status));
  l.Put(" cmd=").Put(Name(command)).Put(" ttl=").U(ttl).Put(" clsid=").U(size_class);
  l.Put(" cfd=").I(fd).Put(" size=").U(value_bytes);
  l.Finish();
}

void AppendWatchEviction(base::OutBuffer& out, const WatchStamp& stamp, std::string_view key,
                         bool fetched, int64_t ttl, int32_t last_access, uint32_t size_class,
                         uint32_t value_bytes) {
  Line l(out);
  l.Stamp(stamp).Put(" type=eviction key=").Key(key).Put(fetched ? " fetch=yes" : " fetch=no");
  l.Put(" ttl=").I(ttl).Put(" la=").I(last_access).Put(" clsid=").U(size_class);
  l.Put(" size=").U(value_bytes);
  l.Finish();
}

void AppendWatchConnNew(base::OutBuffer& out, const WatchStamp& stamp, std::string_view address,
                        uint16_t port, WatchTransport transport, int fd) {
  Line l(out);
  l.Stamp(stamp).Put(" type=conn_new rip=").Put(address).Put(" rport=").U(port);
  l.Put(" transport=").Put(Name(transport)).Put(" cfd=").I(fd);
  l.Finish();
}

void AppendWatchConnClose(base::OutBuffer& out, const WatchStamp& stamp, std::string_view address,
                          uint16_t port, WatchTransport transport, WatchCloseReason reason,
                          int fd) {
  Line l(out);
  l.Stamp(stamp).Put(" type=conn_close rip=").Put(address).Put(" rport=").U(port);
  l.Put(" transport=").Put(Name(transport)).Put(" reason=").Put(Name(reason));
  l.Put(" cfd=").I(fd);
  l.Finish();
}

void AppendWatchText(base::OutBuffer& out, const WatchStamp& stamp, std::string_view text) {
  Line l(out);
  l.Stamp(stamp).Put(" ");
  l.Commit();
  // Free text may be longer than a reserved line.
  if (!text.empty()) out.Append(text);
  out.Append("\n");
}

void AppendWatchSkipped(base::OutBuffer& out, uint64_t skipped) {
  char* const start = out.Reserve(8 + base::kMaxU64Digits + 1);
  char* p = start;
  std::memcpy(p, "skipped=", 8);
  p += 8;
  p += base::FormatU64(skipped, p);
  *p++ = '\n';
  out.Commit(static_cast<size_t>(p - start));
}

}  // namespace ringcache::protocol
