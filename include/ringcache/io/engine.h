// The io engine: N workers, each pinned to a core and owning one io_uring (or,
// as a fallback, one epoll instance), its own SO_REUSEPORT listening sockets,
// its connections and everything they buffer. Nothing on the I/O path is
// shared between workers; the only shared writes are the process-wide
// connection count (on accept and close, for -c) and the control flags.
//
// Lifecycle: Engine::Create binds every listening socket (so privileges can be
// dropped afterwards and bind errors are reported before anything runs) and
// picks the engine kind: io_uring when the kernel offers what the worker
// needs (probed once with a real ring), epoll otherwise, logged once. Run
// starts the workers (each sets up its ring on its own thread, as
// SINGLE_ISSUER requires) and blocks until Stop or Drain completes; a worker
// that cannot start makes Run return its error. Stop and Drain may be called
// from any thread, including a signal-watching thread, before or during Run.
//
// Threading: Create/Run on the main thread; Post, Stop, Drain, SetAccepting
// and stats() from any thread.
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

// "uring", "epoll" or "auto" (memcached-style -o io_engine=...).
const char* EngineKindName(EngineKind kind);

struct ListenAddress {
  std::string host;  // empty: any address (IPv4 and IPv6)
  int port = 0;      // 0: pick a free port (see Engine::bound())
};

struct EngineOptions {
  EngineKind kind = EngineKind::kAuto;
  int workers = 1;
  // CPUs to pin workers to, in order (worker i -> cpus[i % size]). Empty: no
  // pinning. AllowedCpus() (io/cpus.h) gives the CPUs the process may use.
  std::vector<int> cpus;
  std::vector<ListenAddress> tcp;
  std::vector<ListenAddress> udp;
  std::string unix_path;  // empty: no unix socket
  int unix_mask = 0700;   // permission bits of the socket file (memcached -a)
  int backlog = 1024;
  // -c: once this many stream connections are open (all workers together),
  // a newly accepted one gets `reject_message` (if any) and is closed, and
  // counts as rejected_connections.
  int max_connections = 1024;
  std::string reject_message;
  int idle_timeout_seconds = 0;  // 0: never
  // Output buffered for one connection above which it is no longer read.
  size_t max_output_bytes = 4 << 20;
  // Largest unconsumed input kept for one connection (a partial request);
  // beyond it the connection is closed.
  size_t max_input_bytes = 2 << 20;
  bool tcp_nodelay = true;
  // Receive buffers: io_uring's provided-buffer ring (per worker) holds
  // recv_buffers buffers of recv_buffer_size bytes; epoll reads into one
  // buffer of recv_buffer_size. recv_buffers must be a power of two.
  size_t recv_buffer_size = 16 << 10;
  int recv_buffers = 256;
  // Adaptive batching (io_uring): under load the worker waits for several
  // completions per kernel entry, but never longer than this before serving
  // what it has. 0 disables batching (wait for one completion).
  int batch_wait_us = 50;
  // Drain(): connections that have not flushed after this long are closed.
  int drain_timeout_ms = 5000;
};

// Per-worker counters, written by the worker with relaxed stores and read by
// anyone with relaxed loads (summed for `stats`).
struct alignas(64) WorkerStats {
  std::atomic<uint64_t> curr_connections{0};
  std::atomic<uint64_t> total_connections{0};
  std::atomic<uint64_t> rejected_connections{0};
  // Times accepting was switched off: SetAccepting(false) (counted on worker
  // 0) or the process running out of file descriptors (on that worker).
  std::atomic<uint64_t> listen_disabled_num{0};
  std::atomic<uint64_t> conn_yields{0};
  std::atomic<uint64_t> idle_kicks{0};
  std::atomic<uint64_t> bytes_read{0};
  std::atomic<uint64_t> bytes_written{0};
  // Kernel entries: io_uring_enter calls (uring) or every syscall the loop
  // makes (epoll), including sendto for UDP replies and accept-time calls.
  std::atomic<uint64_t> kernel_entries{0};
  std::atomic<uint64_t> recv_completions{0};  // receive completions / reads with data
  std::atomic<uint64_t> sends{0};             // send operations issued
  std::atomic<uint64_t> turns{0};             // event-loop turns
  std::atomic<uint64_t> read_pauses{0};       // reads stopped for output backpressure
  // io_uring: receives that found the provided-buffer ring empty (each is
  // re-armed a turn later); many mean recv_buffers is too small.
  std::atomic<uint64_t> recv_buffer_shortages{0};
};

// A socket the engine bound, as reported for memcached's port file and
// `stats conns`. For addresses bound once per worker (SO_REUSEPORT), `fd` is
// the first worker's descriptor.
struct BoundSocket {
  Transport transport;
  sockaddr_storage addr;
  socklen_t addr_len;
  int fd = -1;
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
  // Graceful stop (SIGUSR1, shutdown graceful): stop accepting and reading,
  // let handlers finish the requests already received (yielded backlogs),
  // send every reply, close each connection once flushed, then stop.
  // Connections not done after drain_timeout_ms are closed.
  virtual void Drain() = 0;
  // Runs `fn` on worker `worker` (0 <= worker < workers()) at its next turn,
  // between OnTurnStart and OnTurnEnd, after the worker applied any
  // Stop/Drain/SetAccepting that happened before the Post. Tasks still queued when the worker
  // stops run once after its last turn; tasks posted after that are dropped.
  // A task may keep using a Connection it got from a handler while that
  // handler's OnClose has not run.
  virtual void Post(int worker, std::function<void()> fn) = 0;
  virtual int workers() const = 0;
  virtual const WorkerStats& stats(int worker) const = 0;
  // Stops or resumes accepting new connections (memcached's accepting_conns).
  virtual void SetAccepting(bool accepting) = 0;
};

}  // namespace ringcache::io
