// ringload's command line: every flag, its default and its checks.
//
// The flag names listed in issue 6 (--server, --threads, --connections,
// --pipeline, --duration, --keys, --value-size, --ratio, --preload, --rate,
// --json, --report) are an interface scripts rely on; they keep their names
// and meaning. README.md in this folder documents every flag.
//
// Threading: plain data, parsed once on the main thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "key_space.h"
#include "ringcache/protocol/client/request.h"

namespace ringcache::ringload {

struct ServerAddress {
  std::string label;  // as given: "host:port" or a unix socket path
  std::string host;   // empty for a unix socket
  int port = 0;
  std::string unix_path;  // non-empty for a unix socket
};

// Relative weights of the operations; a request's operation is drawn from
// them (--ratio GET:SET[:DELETE[:INCR[:TOUCH]]]).
struct OpMix {
  uint32_t get = 9;
  uint32_t set = 1;
  uint32_t del = 0;
  uint32_t incr = 0;
  uint32_t touch = 0;
  uint32_t total() const { return get + set + del + incr + touch; }
};

struct Options {
  std::vector<ServerAddress> servers;
  int threads = 1;
  int connections = 50;  // per thread, to each server
  int pipeline = 1;      // requests outstanding per connection
  int multiget = 1;      // keys per get
  protocol::client::Protocol protocol = protocol::client::Protocol::kText;

  OpMix mix;
  uint64_t keys = 100000;
  size_t key_size = 12;
  std::string key_prefix = "k";
  std::string counter_prefix = "n";  // incr's keys: a space of their own (derived)
  Distribution distribution = Distribution::kUniform;
  double zipf_exponent = 0.99;
  size_t value_min = 32;
  size_t value_max = 32;
  uint32_t ttl = 0;  // exptime of sets and touches

  bool preload = false;
  double warmup_seconds = 0;
  double duration_seconds = 10;
  uint64_t requests = 0;  // total over all threads; 0: run for the duration
  double rate = 0;        // total ops/s of the open loop; 0: closed loop

  bool verify = false;
  std::string json_path;
  std::string report_path;
  enum class Live : uint8_t { kAuto, kOn, kOff } live = Live::kAuto;
  uint64_t seed = 0;  // 0: from the clock
  std::vector<int> cpus;
  double connect_timeout_seconds = 5;
  // A connection with requests outstanding that receives nothing for this
  // long is dropped (a `timeout` error). 0: wait forever.
  double timeout_seconds = 10;
  // How replies are received: one multishot receive per connection into a
  // ring of provided buffers, or a plain receive re-armed after each
  // completion into the connection's own buffer. kAuto: multishot where the
  // kernel has buffer rings (5.19+).
  enum class Receive : uint8_t { kAuto, kPlain, kMultishot } receive = Receive::kAuto;

  bool open_loop() const { return rate > 0; }
};

// Parses argv (without argv[0]). "--help" yields a kCancelled status whose
// message is the usage text.
absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args);
std::string Usage();

}  // namespace ringcache::ringload
