#include "ringcache/server/server.h"

#include <cstdio>

namespace ringcache::server {

// Placeholder until the server core lands (the executor, stats and lifecycle
// join storage, protocol and io here).
int RunServer(const Config& /*config*/) {
  std::fprintf(stderr, "ringcached: server core not built yet\n");
  return 1;
}

}  // namespace ringcache::server
