// Binding the engine's sockets, before any worker runs (Engine::Create).
//
// TCP and UDP addresses get one socket per worker, all bound to the same
// address with SO_REUSEPORT, so the kernel spreads connections (and
// datagrams) over the workers and no accept path is shared. Before the group
// is bound, a probe bind without SO_REUSEPORT makes sure nobody else already
// owns the address: SO_REUSEPORT alone would silently share the port with a
// stale instance of the same user. Port 0 picks a free port once; every other
// socket of that address joins it. An empty host binds the wildcard of every
// family the host supports (0.0.0.0 and ::, the latter IPV6_V6ONLY).
//
// The unix socket is one listening socket that every worker accepts from.
// Listening TCP sockets carry SO_KEEPALIVE and, if asked, TCP_NODELAY, which
// accepted sockets inherit, so accepting costs no extra setsockopt.
//
// Threading: called on the creating thread; the result is then read-only
// (workers use their own entries).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <sys/socket.h>

#include "absl/status/statusor.h"

#include "ringcache/io/engine.h"
#include "ringcache/io/handler.h"

namespace ringcache::io {

struct ListenSocket {
  int fd = -1;
  Transport transport = Transport::kTcp;
  int listener = 0;     // index into EngineOptions::tcp / udp; 0 for unix
  bool shared = false;  // the same fd is in every worker's list (unix)
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
};

class BoundSockets {
 public:
  ~BoundSockets();
  BoundSockets(const BoundSockets&) = delete;
  BoundSockets& operator=(const BoundSockets&) = delete;

  static absl::StatusOr<std::unique_ptr<BoundSockets>> Bind(const EngineOptions& options);

  const std::vector<BoundSocket>& bound() const { return bound_; }
  // Stream listeners and datagram sockets of worker `w`.
  const std::vector<ListenSocket>& of_worker(int w) const { return per_worker_[w]; }
  // Closes every socket (and removes the unix socket file). Idempotent.
  void CloseAll();

 private:
  BoundSockets() = default;
  absl::Status BindTcp(const EngineOptions& options, int index);
  absl::Status BindUdp(const EngineOptions& options, int index);
  absl::Status BindUnix(const EngineOptions& options);

  std::vector<BoundSocket> bound_;
  std::vector<std::vector<ListenSocket>> per_worker_;
  std::vector<int> fds_;
  std::string unix_path_;
};

// "1.2.3.4:11211", "[::1]:11211" or the unix path, for log lines.
std::string FormatAddress(const sockaddr_storage& addr, socklen_t len);

}  // namespace ringcache::io
