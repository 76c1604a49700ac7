// One load thread: its io_uring, its connections, its workload, and the
// event loop that keeps them busy.
//
// The loop, per turn: one io_uring_enter submits every send and receive
// queued in the previous turn and waits for at least one completion (or the
// next deadline: an interval boundary, the end of the run, the next open-loop
// arrival); every completion is then handled with one clock reading. A
// receive is parsed at once: each whole reply is matched to the oldest
// outstanding request, which records its latency when it is answered. Then
// connections whose requests were answered are refilled (closed loop: back to
// --pipeline outstanding; open loop: arrivals that were waiting), and each
// connection with new requests and no send in flight gets one send carrying
// all of them. Each connection has one receive armed at all times.
//
// Costs per request are kept to composing its bytes into a buffer, parsing
// its reply in place, and one histogram increment; system calls and
// completions are per connection per turn, not per request.
//
// Phases: Connect (ring, sockets, registered files), Preload (optional:
// set every key of this thread's slice once), Load (warmup + measured run).
// The Runner calls them on this thread in that order, with barriers between.
//
// Threading: every method runs on the thread that owns the object, except
// result(), read after the thread has finished.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <liburing.h>

#include "absl/status/status.h"

#include "buffer_ring.h"
#include "connection.h"
#include "endpoint.h"
#include "histogram.h"
#include "interval_mailbox.h"
#include "ketama.h"
#include "key_space.h"
#include "options.h"
#include "schedule.h"
#include "stats.h"
#include "workload.h"

namespace ringcache::ringload {

struct ThreadPlan {
  int index = 0;
  const Options* options = nullptr;
  const std::vector<Endpoint>* endpoints = nullptr;
  const KeySpace* keys = nullptr;
  const KeySpace* counters = nullptr;
  const KetamaRing* ring = nullptr;
  uint64_t seed = 1;
  const std::atomic<bool>* stop = nullptr;  // set on SIGINT: end the phase early
};

struct LoadPhase {
  int64_t measure_start_ns = 0;  // intervals are aligned to it; earlier is warmup
  int64_t end_ns = 0;            // 0: run until the quota is answered
  uint64_t quota = 0;            // requests this thread issues; 0: no limit
  double rate = 0;               // this thread's open-loop arrivals per second; 0: closed
};

struct ThreadResult {
  Counters counters;  // measured phase
  Histogram latency;  // measured phase, nanoseconds
  ScheduleStats schedule;
  Counters preload;
  int64_t measured_end_ns = 0;  // when the measured phase ended for this thread
  uint64_t ring_enters = 0;     // io_uring_enter calls (an upper bound: see client_thread.cc)
  uint64_t completions = 0;
  uint64_t sends = 0;
  uint64_t receives = 0;
  std::string ring_mode;  // ring flags and receive mode
  int live_connections = 0;
};

class ClientThread {
 public:
  explicit ClientThread(const ThreadPlan& plan);
  ~ClientThread();
  ClientThread(const ClientThread&) = delete;
  ClientThread& operator=(const ClientThread&) = delete;

  absl::Status Connect();
  // Sets keys [lo, hi) of the value space (and of the counter space when the
  // mix has incr) that this thread's servers own; blocks until all answered.
  absl::Status Preload(uint64_t lo, uint64_t hi);
  void Load(const LoadPhase& phase, IntervalMailbox* mailbox);

  ThreadResult& result() { return result_; }
  size_t connections() const { return connections_.size(); }

 private:
  enum class Mode : uint8_t { kPreload, kClosed, kOpen };

  void RunLoop(Mode mode);
  void Reap(int64_t now);
  void OnReceive(uint32_t index, int res, uint32_t cqe_flags, int64_t now);
  void ReceivedInto(uint32_t index, std::string_view data, int64_t now);
  void OnSend(uint32_t index, int res);
  size_t ParseReplies(uint32_t index, std::string_view data, int64_t now);
  void ParseBuffered(uint32_t index, int64_t now);
  void Complete(Connection& c, const Pending& p, int64_t now);
  void Verify(const Pending& p, const protocol::client::Reply& reply);
  void Refill(uint32_t index, int64_t now);
  void DispatchArrivals(int64_t now);
  void ArmReceive(uint32_t index);
  void StartSend(uint32_t index, std::string_view bytes);
  void Kill(uint32_t index, ErrorKind why);
  void QueueRefill(uint32_t index);
  void Publish(int64_t now, bool final);
  void DropStalled(int64_t now);
  bool NextPreloadKey(uint32_t server, bool* counter, uint64_t* key);
  io_uring_sqe* Sqe();
  bool Recording(int64_t now) const;

  ThreadPlan plan_;
  const Options& options_;
  Workload workload_;
  io_uring ring_{};
  bool ring_ready_ = false;
  std::unique_ptr<BufferRing> buffers_;  // multishot receives; null: plain receives
  std::vector<Connection> connections_;
  std::vector<uint32_t> refill_;  // connections to refill this turn
  uint32_t live_ = 0;
  uint64_t outstanding_ = 0;   // requests composed and not yet answered, all connections
  unsigned sends_queued_ = 0;  // send SQEs queued since the last kernel entry
  int reported_mismatches_ = 0;

  Mode mode_ = Mode::kClosed;
  uint32_t depth_ = 1;  // outstanding requests per connection in this phase
  LoadPhase phase_;
  IntervalMailbox* mailbox_ = nullptr;
  Counters* counters_ = nullptr;  // what Complete() counts into
  Counters interval_counters_;
  std::unique_ptr<Histogram> interval_latency_;
  int64_t interval_index_ = 0;
  int64_t next_tick_ns_ = 0;
  int64_t next_stall_check_ns_ = 0;
  uint64_t issued_ = 0;  // requests composed in the load phase
  std::unique_ptr<PoissonSchedule> schedule_;

  struct PreloadCursor {
    uint64_t next;
    bool counters;
  };
  std::vector<PreloadCursor> preload_cursors_;  // per server
  uint64_t preload_lo_ = 0;
  uint64_t preload_hi_ = 0;

  ThreadResult result_;
};

}  // namespace ringcache::ringload
