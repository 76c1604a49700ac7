#include "sockets.h"

#include <cstring>
#include <string>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ringcache::io {
namespace {

struct Resolved {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = 0;
};

absl::StatusOr<std::vector<Resolved>> Resolve(const std::string& host, int port, int socktype) {
  addrinfo hints{};
  hints.ai_flags = AI_PASSIVE | AI_ADDRCONFIG;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  const std::string service = std::to_string(port);
  addrinfo* list = nullptr;
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &list);
  if (rc == EAI_NONAME || rc == EAI_ADDRFAMILY) {
    // AI_ADDRCONFIG hides loopback-only families on hosts without other
    // addresses; ask again without it before giving up.
    hints.ai_flags = AI_PASSIVE;
    rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &list);
  }
  if (rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("getaddrinfo(", host.empty() ? "*" : host, "): ", gai_strerror(rc)));
  }
  std::vector<Resolved> out;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    Resolved r;
    std::memcpy(&r.addr, ai->ai_addr, ai->ai_addrlen);
    r.len = ai->ai_addrlen;
    r.family = ai->ai_family;
    bool duplicate = false;
    for (const Resolved& seen : out) {
      duplicate |= seen.len == r.len && std::memcmp(&seen.addr, &r.addr, r.len) == 0;
    }
    if (!duplicate) out.push_back(r);
  }
  freeaddrinfo(list);
  if (out.empty()) return absl::InvalidArgumentError(absl::StrCat("no address for ", host));
  return out;
}

int PortOf(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
}

void SetPort(sockaddr_storage* a, int port) {
  if (a->ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(a)->sin_port = htons(static_cast<uint16_t>(port));
  } else {
    reinterpret_cast<sockaddr_in6*>(a)->sin6_port = htons(static_cast<uint16_t>(port));
  }
}

bool SetInt(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof(value)) == 0;
}

const char* Proto(int socktype) { return socktype == SOCK_STREAM ? "TCP" : "UDP"; }

// Creates and binds one inet socket; returns the fd, or -1 with *err set.
int BindInet(const Resolved& r, int socktype, bool reuseport, const EngineOptions& options,
             int* err) {
  const int fd = socket(r.family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = errno;
    return -1;
  }
  bool ok = SetInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  if (reuseport) ok = ok && SetInt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
  if (r.family == AF_INET6) ok = ok && SetInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
  if (socktype == SOCK_STREAM) {
    ok = ok && SetInt(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
    if (options.tcp_nodelay) ok = ok && SetInt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
  }
  ok = ok && ::bind(fd, reinterpret_cast<const sockaddr*>(&r.addr), r.len) == 0;
  ok = ok && (socktype != SOCK_STREAM || ::listen(fd, options.backlog) == 0);
  if (!ok) {
    *err = errno;
    ::close(fd);
    return -1;
  }
  return fd;
}

absl::Status BindError(int err, int socktype, const Resolved& r) {
  return absl::ErrnoToStatus(err, absl::StrCat("failed to listen on ", Proto(socktype), " ",
                                               FormatAddress(r.addr, r.len)));
}

absl::Status BindGroup(const EngineOptions& options, const ListenAddress& where, int socktype,
                       int index, std::vector<BoundSocket>* bound,
                       std::vector<std::vector<ListenSocket>>* per_worker, std::vector<int>* fds) {
  auto resolved = Resolve(where.host, where.port, socktype);
  if (!resolved.ok()) return resolved.status();
  // A wildcard skips families the host lacks (e.g. IPv6 disabled); an
  // explicit host must bind everything it resolves to.
  auto skippable = [&](int err) {
    return where.host.empty() && (err == EAFNOSUPPORT || err == EADDRNOTAVAIL);
  };
  int port = where.port;
  int families_bound = 0;
  for (Resolved& r : *resolved) {
    int err = 0;
    if (port != 0) {
      SetPort(&r.addr, port);
      // Nobody else may own the address: a bind without SO_REUSEPORT fails
      // with EADDRINUSE if anyone listens there, even with SO_REUSEPORT.
      const int probe = BindInet(r, socktype, /*reuseport=*/false, options, &err);
      if (probe < 0) {
        if (skippable(err)) continue;
        return BindError(err, socktype, r);
      }
      ::close(probe);
    }
    for (size_t w = 0; w < per_worker->size(); ++w) {
      const int fd = BindInet(r, socktype, /*reuseport=*/true, options, &err);
      if (fd < 0) {
        if (w == 0 && skippable(err)) break;
        return BindError(err, socktype, r);
      }
      fds->push_back(fd);
      ListenSocket ls;
      ls.fd = fd;
      ls.transport = socktype == SOCK_STREAM ? Transport::kTcp : Transport::kUdp;
      ls.listener = index;
      ls.addr_len = sizeof(ls.addr);
      getsockname(fd, reinterpret_cast<sockaddr*>(&ls.addr), &ls.addr_len);
      if (w == 0) {
        if (port == 0) {
          port = PortOf(ls.addr);
          SetPort(&r.addr, port);
        }
        bound->push_back(BoundSocket{ls.transport, ls.addr, ls.addr_len, ls.fd});
        ++families_bound;
      }
      (*per_worker)[w].push_back(ls);
    }
  }
  if (families_bound == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("no usable address for ", where.host.empty() ? "*" : where.host));
  }
  return absl::OkStatus();
}

}  // namespace

std::string FormatAddress(const sockaddr_storage& addr, socklen_t len) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof(text));
    return absl::StrCat(text, ":", ntohs(a.sin_port));
  }
  if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof(text));
    return absl::StrCat("[", text, "]:", ntohs(a.sin6_port));
  }
  if (addr.ss_family == AF_UNIX) {
    const auto& a = reinterpret_cast<const sockaddr_un&>(addr);
    const size_t max =
        len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
    return std::string(a.sun_path, strnlen(a.sun_path, max));
  }
  return "?";
}

BoundSockets::~BoundSockets() { CloseAll(); }

void BoundSockets::CloseAll() {
  for (int fd : fds_) ::close(fd);
  fds_.clear();
  if (!unix_path_.empty()) {
    ::unlink(unix_path_.c_str());
    unix_path_.clear();
  }
}

absl::Status BoundSockets::BindTcp(const EngineOptions& options, int index) {
  return BindGroup(options, options.tcp[index], SOCK_STREAM, index, &bound_, &per_worker_, &fds_);
}

absl::Status BoundSockets::BindUdp(const EngineOptions& options, int index) {
  return BindGroup(options, options.udp[index], SOCK_DGRAM, index, &bound_, &per_worker_, &fds_);
}

absl::Status BoundSockets::BindUnix(const EngineOptions& options) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (options.unix_path.size() >= sizeof(sun.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unix socket path too long: ", options.unix_path));
  }
  std::memcpy(sun.sun_path, options.unix_path.data(), options.unix_path.size());
  // A socket file left by an earlier run is replaced; anything else is not
  // ours to remove.
  struct stat st;
  if (lstat(options.unix_path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    ::unlink(options.unix_path.c_str());
  }
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket(AF_UNIX)");
  // The file's mode comes from the umask at bind time (memcached -a).
  const mode_t old_umask = umask(~static_cast<mode_t>(options.unix_mask) & 0777);
  const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&sun), sizeof(sun));
  const int bind_errno = errno;
  umask(old_umask);
  if (rc != 0 || ::listen(fd, options.backlog) != 0) {
    const int err = rc != 0 ? bind_errno : errno;
    ::close(fd);
    return absl::ErrnoToStatus(err, absl::StrCat("failed to listen on ", options.unix_path));
  }
  fds_.push_back(fd);
  unix_path_ = options.unix_path;
  ListenSocket ls;
  ls.fd = fd;
  ls.transport = Transport::kUnix;
  ls.shared = true;
  std::memcpy(&ls.addr, &sun, sizeof(sun));
  ls.addr_len = sizeof(sun);
  bound_.push_back(BoundSocket{Transport::kUnix, ls.addr, ls.addr_len, ls.fd});
  for (auto& list : per_worker_) list.push_back(ls);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<BoundSockets>> BoundSockets::Bind(const EngineOptions& options) {
  std::unique_ptr<BoundSockets> s(new BoundSockets());
  s->per_worker_.resize(options.workers);
  for (size_t i = 0; i < options.tcp.size(); ++i) {
    if (absl::Status st = s->BindTcp(options, static_cast<int>(i)); !st.ok()) return st;
  }
  for (size_t i = 0; i < options.udp.size(); ++i) {
    if (absl::Status st = s->BindUdp(options, static_cast<int>(i)); !st.ok()) return st;
  }
  if (!options.unix_path.empty()) {
    if (absl::Status st = s->BindUnix(options); !st.ok()) return st;
  }
  return s;
}

}  // namespace ringcache::io
