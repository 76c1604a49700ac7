// Server addresses for the load threads: resolving what --server named, and
// opening one connection the way the ring wants it.
//
// Threading: pure functions (Resolve may block in getaddrinfo).
#pragma once

#include <vector>

#include <sys/socket.h>

#include "absl/status/statusor.h"

#include "options.h"

namespace ringcache::ringload {

// A resolved server address.
struct Endpoint {
  sockaddr_storage addr;
  socklen_t addr_len;
};

// One endpoint per server, in order: the first address getaddrinfo gives
// for a host:port, or the unix socket path.
absl::StatusOr<std::vector<Endpoint>> Resolve(const std::vector<ServerAddress>& servers);

// A connected stream socket (TCP_NODELAY for TCP), left blocking: io_uring
// completes operations on blocking sockets itself, while an O_NONBLOCK socket
// would hand EAGAIN back to the caller.
absl::StatusOr<int> Connect(const Endpoint& endpoint, double timeout_seconds);

}  // namespace ringcache::ringload
