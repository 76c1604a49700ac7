// systemd's readiness protocol (sd_notify(3)) without libsystemd: one
// datagram to the unix socket named by $NOTIFY_SOCKET. With Type=notify the
// unit is "started" only once ringcached has bound its sockets and its
// workers run, and "stopping" as soon as shutdown begins.
//
// Threading: stateless; callable from any thread. Without $NOTIFY_SOCKET
// (not started by systemd) every call is a no-op returning false.
#pragma once

#include <string_view>

namespace ringcache::server {

// Sends `state` ("READY=1", "STOPPING=1", "STATUS=...") to systemd.
bool NotifySystemd(std::string_view state);

}  // namespace ringcache::server
