// Turns -p, -U, -l and -s into the list of sockets to open, with memcached's
// listener syntax and its startup errors.
//
// -l takes a list separated by ',' or ';'. Each entry is
//   [notls:][proto[ascii|binary|negotiating]:][tag[NAME]:]ADDRESS
// where ADDRESS is host, host:port, [ipv6], [ipv6]:port, a bare IPv6
// address (no port), or * (every address). A port given in an entry
// overrides -p / -U for it. memcached checks this syntax and resolves every
// address at bind time, after the process is set up (root check, daemon);
// PlanListeners does the same checks and name lookups, with the same
// messages ("getaddrinfo(): Name or service not known", "failed to listen on
// one of interface(s) fooble: Success", exit status 71), so that a bad -l
// stops ringcached at the same point, before the io engine binds anything.
// TCP entries come first (when -p is not 0), then UDP (when -U is not 0);
// -s (a UNIX socket) turns both off.
//
// The engine binds the planned listeners itself; it resolves host names
// again when it binds them.
//
// Threading: blocking name lookups; call from the main thread at startup.
#pragma once

#include <vector>

#include "ringcache/server/config.h"
#include "ringcache/server/config_outcome.h"

namespace ringcache::server {

struct ListenPlan {
  std::vector<ListenerSpec> listeners;
  Outcome outcome;  // stop() when a listener is malformed or does not resolve
};

ListenPlan PlanListeners(const Config& config);

}  // namespace ringcache::server
