// The io engine: N workers, each pinned to a core and owning one io_uring (or,
// as a fallback, one epoll instance), its own SO_REUSEPORT listening sockets,
// its connections and everything they buffer. Nothing on the I/O path is
// shared between workers.
//
// Lifecycle: Engine::Create binds every listening socket (so privileges can be
// dropped afterwards and bind errors are reported before anything runs), Run
// starts the workers and blocks until Stop or Drain completes. Stop and Drain
// may be called from any thread, including a signal-watching thread.
//
// Threading: Create/Run on the main thread; Post, Stop, Drain, stats() from
// any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <sys/socket.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "ringcache/base/logger.h"
#include "ringcache/io/handler.h"

namespace ringcache::io {

enum class EngineKind : uint8_t { kAuto, kUring, kEpoll };

struct ListenAddress {
  std::string host;  // empty: any address (IPv4 and IPv6)
  int port = 0;      // 0: pick a free port (see Engine::bound())
};

struct EngineOptions {
  EngineKind kind = EngineKind::kAuto;
  int workers = 1;
  // CPUs to pin workers to, in order (worker i -> cpus[i % size]). Empty: no
  // pinning.
  std::vector<int> cpus;
  std::vector<ListenAddress> tcp;
  std::vector<ListenAddress> udp;
  std::string unix_path;  // empty: no unix socket
  int unix_mask = 0700;
  int backlog = 1024;
  int max_connections = 1024;    // -c; accepted connections beyond it are refused
  int idle_timeout_seconds = 0;  // 0: never
  // Output buffered for one connection above which it is no longer read.
  size_t max_output_bytes = 4 << 20;
  // Largest unconsumed input kept for one connection (a partial request);
  // beyond it the connection is closed.
  size_t max_input_bytes = 2 << 20;
  bool tcp_nodelay = true;
};

// Per-worker counters, written by the worker with relaxed stores and read by
// anyone with relaxed loads (summed for `stats`).
struct WorkerStats {
  std::atomic<uint64_t> curr_connections{0};
  std::atomic<uint64_t> total_connections{0};
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> listen_disabled_num{0};
  std::atomic<uint64_t> conn_yields{0};
  std::atomic<uint64_t> idle_kicks{0};
  std::atomic<uint64_t> bytes_read{0};
  std::atomic<uint64_t> bytes_written{0};
  std::atomic<uint64_t> kernel_entries{0};  // io_uring_enter / epoll_wait / syscalls made
  std::atomic<uint64_t> recv_completions{0};
  std::atomic<uint64_t> sends{0};
};

// A socket the engine bound, as reported for memcached's port file.
struct BoundSocket {
  Transport transport;
  sockaddr_storage addr;
  socklen_t addr_len;
};

class Engine {
 public:
  // Called on each worker thread to create its hooks.
  using HooksFactory = std::function<std::unique_ptr<WorkerHooks>(int worker_index)>;

  static absl::StatusOr<std::unique_ptr<Engine>> Create(const EngineOptions& options,
                                                        HooksFactory hooks,
                                                        const base::Logger* logger);
  virtual ~Engine() = default;

  // Which engine was chosen (kAuto resolves to kUring or kEpoll).
  virtual EngineKind kind() const = 0;
  virtual const std::vector<BoundSocket>& bound() const = 0;

  // Runs the workers; returns when they have all stopped.
  virtual absl::Status Run() = 0;
  // Stop at once: close every connection.
  virtual void Stop() = 0;
  // Stop accepting, send what is buffered, then stop (SIGUSR1, shutdown graceful).
  virtual void Drain() = 0;
  // Runs `fn` on worker `worker` at its next turn.
  virtual void Post(int worker, std::function<void()> fn) = 0;
  virtual int workers() const = 0;
  virtual const WorkerStats& stats(int worker) const = 0;
  // Stops or resumes accepting new connections (memcached's accepting_conns).
  virtual void SetAccepting(bool accepting) = 0;
};

}  // namespace ringcache::io
