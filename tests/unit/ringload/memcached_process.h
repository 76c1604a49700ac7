// Debian's memcached (/usr/bin/memcached), started on a free port for a
// test: the reference server ringload's client side is checked against.
//
// The port is picked by memcached itself (-p -1) and read back from the
// file named by MEMCACHED_PORT_FILENAME, so parallel tests never collide.
// Exchange() keeps one connection open and returns everything received
// until the caller's predicate says the reply is complete (or 5 s pass).
//
// Threading: one test thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace ringcache::ringload::testing {

class MemcachedProcess {
 public:
  MemcachedProcess() = default;
  ~MemcachedProcess();
  MemcachedProcess(const MemcachedProcess&) = delete;
  MemcachedProcess& operator=(const MemcachedProcess&) = delete;

  // Extra command-line arguments are appended (e.g. {"-m", "1"}).
  bool Start(const std::vector<std::string>& extra_args = {});
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

  std::string Exchange(std::string_view request,
                       const std::function<bool(std::string_view)>& complete);

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int fd_ = -1;
  std::string dir_;
};

}  // namespace ringcache::ringload::testing
