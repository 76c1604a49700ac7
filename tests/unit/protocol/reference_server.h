// A live Debian memcached 1.6.18 for the differential tests: started once
// per test suite on a spare port (TCP and UDP), with helpers to talk to it.
// Tests that compare ringcache's protocol layer with the reference derive
// their fixture from MemcachedReference.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "gtest/gtest.h"

namespace ringcache::protocol::testing {

// A TCP connection to the reference server.
class Connection {
 public:
  explicit Connection(int port);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool ok() const { return fd_ >= 0; }
  bool Send(std::string_view data);
  // The next "\n"-terminated line (kept whole), or "" after 2 s.
  std::string ReadLine();
  // Reads until `marker` ends the input, the peer closes, or the timeout
  // passes ("<timeout>" is appended then). Returns what came before the
  // marker; *closed tells a close.
  std::string ReadUntil(std::string_view marker, bool* closed, int timeout_ms = 2000);
  uint16_t local_port() const;

 private:
  int fd_ = -1;
  std::string lines_;
};

class MemcachedReference : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  static int port_;
  static pid_t pid_;
};

// Bytes as printable text (\xNN for the others), cut at 300 characters.
std::string Printable(std::string_view s);
// Bytes as hex, 24 per line.
std::string Hex(std::string_view s);

}  // namespace ringcache::protocol::testing
