#include "endpoint.h"

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/un.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace ringcache::ringload {

absl::StatusOr<std::vector<Endpoint>> Resolve(const std::vector<ServerAddress>& servers) {
  std::vector<Endpoint> endpoints;
  for (const ServerAddress& s : servers) {
    Endpoint ep{};
    if (!s.unix_path.empty()) {
      sockaddr_un un{};
      un.sun_family = AF_UNIX;
      if (s.unix_path.size() >= sizeof(un.sun_path)) {
        return absl::InvalidArgumentError(absl::StrCat(s.label, ": socket path too long"));
      }
      std::memcpy(un.sun_path, s.unix_path.c_str(), s.unix_path.size() + 1);
      std::memcpy(&ep.addr, &un, sizeof(un));
      ep.addr_len = sizeof(un);
    } else {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* found = nullptr;
      const std::string port = std::to_string(s.port);
      const int r = getaddrinfo(s.host.c_str(), port.c_str(), &hints, &found);
      if (r != 0 || found == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(s.label, ": ", gai_strerror(r)));
      }
      std::memcpy(&ep.addr, found->ai_addr, found->ai_addrlen);
      ep.addr_len = found->ai_addrlen;
      freeaddrinfo(found);
    }
    endpoints.push_back(ep);
  }
  return endpoints;
}

absl::StatusOr<int> Connect(const Endpoint& ep, double timeout_seconds) {
  const int family = ep.addr.ss_family;
  const int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  auto fail = [fd](const char* what) {
    const int e = errno;
    close(fd);
    return absl::ErrnoToStatus(e, what);
  };
  if (family != AF_UNIX) {
    // Requests go out the moment they are composed; Nagle would hold a
    // depth-1 request back waiting for the previous reply's ACK.
    const int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
      return fail("TCP_NODELAY");
    }
  }
  if (connect(fd, reinterpret_cast<const sockaddr*>(&ep.addr), ep.addr_len) != 0) {
    if (errno != EINPROGRESS) return fail("connect");
    pollfd pfd{fd, POLLOUT, 0};
    const int r = poll(&pfd, 1, static_cast<int>(timeout_seconds * 1000));
    if (r == 0) {
      errno = ETIMEDOUT;
      return fail("connect");
    }
    if (r < 0) return fail("poll");
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return fail("SO_ERROR");
    if (err != 0) {
      errno = err;
      return fail("connect");
    }
  }
  // io_uring returns EAGAIN to the caller for O_NONBLOCK sockets instead of
  // waiting for readiness itself; the ring wants blocking sockets.
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) return fail("fcntl");
  return fd;
}

}  // namespace ringcache::ringload
