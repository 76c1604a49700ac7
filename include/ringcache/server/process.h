// Process setup around the server: limits, identity, daemon mode, pid and
// port files, with memcached 1.6.18's semantics and messages.
//
// memcached's order, which ringcached keeps except where the io engine's
// contract moves a step (it binds every socket before privileges drop, so
// ports below 1024 work with -u):
//
//   main(), before RunServer:
//     CheckBuiltFeatures   -S and -Z are refused while this build has no
//                          SASL and no TLS (memcached built without them
//                          refuses the flags the same way)
//     EnableCoreDumps      -r: core size limit raised to the maximum
//     RaiseOpenFileLimit   RLIMIT_NOFILE for -c connections
//     CheckUser            root needs -u, and the user must exist
//     Daemonize            -d: fork, setsid, chdir / (not with -r), stdio to
//                          /dev/null (not with -v) or to the config file's
//                          logfile; SIGHUP ignored from here on
//     LockMemory           -k: mlockall, a warning if refused
//     CheckAuthSettings    -Y with UDP is refused (memcached checks it here)
//     PlanListeners        config_listen.h: -l syntax and name lookups
//   RunServer (the server layer), after the engine has bound the sockets:
//     WritePortFile        MEMCACHED_PORT_FILENAME, when set and no -s
//     WritePidFile         -P (memcached writes it with or without -d)
//     SwitchUser           -u, as root: the unix socket is handed to the
//                          user first, then groups, gid and uid change
//   at exit:
//     RemovePidFile        only when daemonized, as memcached does
//
// Every step returns an Outcome (messages and, if the process must stop,
// the exit status) instead of printing or exiting, except Daemonize: it
// prints what it has to say before it forks (afterwards nobody would see
// it), and its original process exits with status 0 as memcached's does.
//
// Threading: main thread, before any other thread exists (fork, setuid and
// rlimits affect the whole process).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <sys/types.h>

#include "ringcache/io/engine.h"
#include "ringcache/server/config.h"
#include "ringcache/server/config_outcome.h"

namespace ringcache::server {

Outcome EnableCoreDumps();

// Descriptors the process needs for -c connections plus what the workers,
// listeners and stdio hold. RaiseOpenFileLimit makes the soft limit at
// least this, raising the hard limit when it must (root only).
uint64_t OpenFilesNeeded(const Config& config);
Outcome RaiseOpenFileLimit(const Config& config);

// `uid` and `euid` are the process's (getuid(), geteuid()).
Outcome CheckUser(const Config& config, uid_t uid, uid_t euid);

// Returns in the daemon; the original process exits with status 0.
Outcome Daemonize(const Config& config);

Outcome LockMemory();

Outcome CheckAuthSettings(const Config& config);

// SASL (-S) and TLS (-Z) are parsed and checked like memcached's, but this
// build serves neither yet: starting anyway would leave a cache that was
// meant to require authentication open to anyone, or answer TLS clients in
// plain text. Refused with the message memcached built without the feature
// prints, and EX_USAGE.
Outcome CheckBuiltFeatures(const Config& config);

// Writes "TCP INET: <port>" / "TCP INET6: <port>" / "UDP INET: <port>" lines
// for the bound sockets to `<path>.lck`, appending as memcached does, then
// renames it to `path`. TCP lines come before UDP lines; sockets the engine
// bound once per worker (SO_REUSEPORT) are listed once. Unix sockets are not
// listed. A file that cannot be opened is reported and otherwise ignored.
Outcome WritePortFile(const std::string& path, std::span<const io::BoundSocket> bound);

// Writes "<pid>\n" to `<path>.tmp` and renames it to `path`; warns first when
// the file names a process that is still running. Failures are reported,
// never fatal (memcached's behaviour).
Outcome WritePidFile(const std::string& path, pid_t pid);
Outcome RemovePidFile(const std::string& path);

// As root with -u: hands a -s socket file to the user, sets the user's
// supplementary groups (initgroups), then the group and user ids.
// Does nothing when not root.
Outcome SwitchUser(const Config& config);

}  // namespace ringcache::server
