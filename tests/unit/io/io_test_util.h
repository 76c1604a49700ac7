// Helpers for the io engine tests: a server running an Engine on a background
// thread, line-echo handlers, and a blocking client over real sockets.
//
// Threading: a TestServer's Engine runs on its own thread; its handlers run
// on the worker threads. Counters shared with the test thread are atomics.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <sys/socket.h>

#include "absl/status/status.h"
#include "gtest/gtest.h"

#include "ringcache/base/logger.h"
#include "ringcache/io/engine.h"
#include "ringcache/io/handler.h"

namespace ringcache::io::testing {

// Every engine test runs on both backends: TEST_P on a BackendTest alias,
// instantiated with kBothBackends and BackendName.
class BackendTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  EngineOptions Options() const {
    EngineOptions o;
    o.kind = GetParam();
    o.workers = 1;
    return o;
  }
};
inline const auto kBothBackends = ::testing::Values(EngineKind::kUring, EngineKind::kEpoll);
std::string BackendName(const ::testing::TestParamInfo<EngineKind>& info);

// Events the test hooks saw, summed over workers.
struct HookCounts {
  std::atomic<int> accepts{0};
  std::atomic<int> closes{0};
  std::atomic<int> peer_closed{0};
  std::atomic<int> turn_starts{0};
  std::atomic<int> turn_ends{0};
  std::atomic<int> before_block{0};
  std::atomic<int> after_wake{0};
  std::atomic<int> datagrams{0};
  // Set if a hook order rule was broken (e.g. OnData outside a turn).
  std::atomic<int> order_violations{0};
};

// Makes the handler for one accepted connection.
using HandlerFactory =
    std::function<std::unique_ptr<ConnectionHandler>(const ConnInfo& info, HookCounts* counts)>;

// Echoes each complete '\n'-terminated line, prefixed with `prefix`; a line
// "quit" closes after flushing, "close" closes at once. Partial lines wait.
std::unique_ptr<ConnectionHandler> MakeLineEcho(const ConnInfo& info, HookCounts* counts);

// Consumes everything, replying "<n>\n" with the byte count of each OnData.
std::unique_ptr<ConnectionHandler> MakeByteCounter(const ConnInfo& info, HookCounts* counts);

// Takes one line per call and yields while more remain (memcached's -R 1).
class OneLinePerCall final : public ConnectionHandler {
 public:
  DataResult OnData(Connection& conn, std::string_view data) override;
};

// Answers every line with 100 kB: lets a client make the server produce far
// more output than it reads. Like a well-behaved protocol handler it stops
// consuming while the output is full. Records the largest output it held
// and checks the worker's pooled output covers it.
class BigReplies final : public ConnectionHandler {
 public:
  explicit BigReplies(std::atomic<size_t>* max_out) : max_out_(max_out) {}
  DataResult OnData(Connection& conn, std::string_view data) override;
  void OnClose(Connection& conn) override;

 private:
  std::atomic<size_t>* max_out_;
  bool worker_bytes_ok_ = true;
};

class TestServer {
 public:
  // Binds 127.0.0.1:0 for TCP unless options already name addresses.
  TestServer(EngineOptions options, HandlerFactory factory, DatagramHandler* datagrams = nullptr);
  ~TestServer();

  absl::Status status() const { return status_; }
  Engine& engine() { return *engine_; }
  int port() const { return port_; }
  HookCounts& counts() { return counts_; }
  // Sum of a stats field over workers.
  uint64_t Stat(std::atomic<uint64_t> WorkerStats::*field) const;
  // Waits until Run() returned (after Stop/Drain); returns its status.
  absl::Status Join();
  bool finished() const { return finished_.load(); }

 private:
  HookCounts counts_;
  HandlerFactory factory_;
  DatagramHandler* datagrams_;
  base::Logger logger_{0};
  std::unique_ptr<Engine> engine_;
  absl::Status status_;
  absl::Status run_status_;
  int port_ = 0;
  std::thread runner_;
  std::atomic<bool> finished_{false};
};

// A blocking client socket with timeouts.
class Client {
 public:
  static std::unique_ptr<Client> Tcp(int port);
  static std::unique_ptr<Client> Unix(const std::string& path);
  explicit Client(int fd) : fd_(fd) {}
  ~Client();

  int fd() const { return fd_; }
  bool Send(std::string_view bytes);
  // Reads until `n` bytes arrived (or EOF/timeout); returns what arrived.
  std::string ReadN(size_t n, int timeout_ms = 5000);
  // Reads until `suffix` ends the data (or EOF/timeout).
  std::string ReadUntil(std::string_view suffix, int timeout_ms = 5000);
  // True if the server closed the connection (EOF or reset) within timeout.
  bool WaitClosed(int timeout_ms = 5000);
  void ShutdownWrite();

 private:
  int fd_;
};

// Polls `cond` every millisecond until it holds or `timeout_ms` passes.
bool WaitFor(const std::function<bool()>& cond, int timeout_ms = 5000);

// Returns once every worker has applied the control changes made before the
// call (a task posted after a change runs only then).
bool Barrier(Engine& engine);

}  // namespace ringcache::io::testing
