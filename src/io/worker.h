// What both worker backends (io_uring, epoll) share: the connection table,
// the handler protocol (deliver input, yields, end-of-stream, close), output
// backpressure, idle kicks, connection limits, Post()ed tasks and the
// stop/drain state machine. A backend supplies the I/O: how to read, send,
// accept and close, and the loop that waits for the kernel.
//
// Turn structure (both backends): wait for events -> OnTurnStart -> handle
// each completion/event (Deliver, Admit, ...) -> EndOfTurn(): one more OnData
// for each connection that yielded, then Settle() every connection marked
// dirty (OnPeerClosed, start a send, finish a close) -> OnTurnEnd.
//
// A Conn stays allocated until the end of the turn in which it was freed, so
// a pointer obtained during a turn is valid for the whole turn.
//
// Threading: everything runs on the worker's own thread, except the
// EngineControl flags and the PostQueue, which other threads write.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

#include "conn.h"
#include "intrusive_list.h"
#include "post_queue.h"
#include "ringcache/base/logger.h"
#include "ringcache/base/out_buffer.h"
#include "ringcache/io/engine.h"
#include "ringcache/io/handler.h"
#include "sockets.h"

namespace ringcache::io {

// Flags the engine sets for every worker; workers read them when woken.
struct EngineControl {
  std::atomic<bool> stop{false};
  std::atomic<bool> drain{false};
  std::atomic<bool> accepting{true};
  // Open stream connections of the whole process (-c is process-wide).
  std::atomic<int64_t> connections{0};
};

// Single-writer counter update: a plain load and store, no locked RMW.
inline void Bump(std::atomic<uint64_t>& counter, uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
inline void Drop(std::atomic<uint64_t>& counter, uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
}

struct WorkerEnv {
  int index = 0;
  int workers = 1;
  const EngineOptions* options = nullptr;
  EngineControl* control = nullptr;
  WorkerStats* stats = nullptr;
  const std::vector<ListenSocket>* sockets = nullptr;
  PostQueue* posts = nullptr;
  const base::Logger* logger = nullptr;
};

class Worker {
 public:
  explicit Worker(const WorkerEnv& env);
  virtual ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // On the worker thread, before Run: sets up the backend (ring, epoll).
  virtual absl::Status SetUp() = 0;
  // On the worker thread: runs the loop until stopped, with `hooks`.
  void Run(std::unique_ptr<WorkerHooks> hooks);

  // From Conn (handler calls): act on the connection at the end of the turn.
  void MarkDirty(Conn* c) {
    if (!DirtyList::Contains(c)) dirty_.PushBack(c);
  }

 protected:
  using ReadyList = IntrusiveList<Conn, &Conn::ready_link_>;
  using DirtyList = IntrusiveList<Conn, &Conn::dirty_link_>;
  using WritableList = IntrusiveList<Conn, &Conn::writable_link_>;

  // The backend's loop; returns when ShouldExit().
  virtual void Loop() = 0;
  // Backend I/O. StartReading: a new connection (or resuming after a pause).
  virtual void StartReading(Conn* c) = 0;
  virtual void StopReading(Conn* c) = 0;
  // Precondition: out_ is not empty and no send is in flight.
  virtual void StartSend(Conn* c) = 0;
  // The handler is gone; release the backend's hold and call Free(c) once
  // nothing refers to the connection any more.
  virtual void Teardown(Conn* c) = 0;
  // Accepting on/off for every listener of this worker.
  virtual void SetListening(bool on) = 0;
  // Closes a socket: a connection's once it is freed, or one that never
  // became a connection (rejected, or refused by the hooks).
  virtual void CloseFd(int fd) = 0;

  // --- shared logic, called by the backends ---
  // A stream socket was accepted on `ls`.
  void Admit(int fd, const ListenSocket& ls);
  // Bytes received on `c` (view valid only during the call).
  void Deliver(Conn* c, std::string_view bytes);
  // The peer closed its sending side (or the connection broke, if `error`).
  void OnEof(Conn* c, bool error);
  // A send finished: `sent` bytes left, or an error.
  void OnSent(Conn* c, size_t sent);
  // One datagram from `peer` on UDP socket `ls`.
  void DeliverDatagram(const ListenSocket& ls, const sockaddr_storage& peer, socklen_t peer_len,
                       std::string_view datagram);
  // Starts closing `c` (OnClose, then the backend's Teardown).
  void Close(Conn* c);
  // Releases `c`'s output, closes its socket and forgets it; the memory goes
  // at the end of the turn. Runs once per connection; later calls do nothing.
  void Free(Conn* c);
  // Run at every turn: the post queue fired.
  void HandleControl();
  // After the batch: yields, then dirty connections, then freed memory.
  void EndOfTurn();
  // Called once per turn, after OnTurnStart and before handling events:
  // refreshes the clock and runs the timers that are due.
  void StartTurn();
  // Whether the loop may block: nothing is left to do without new events.
  bool CanBlock() const { return ready_.empty() && writable_next_.empty(); }
  // Nanoseconds until the next timer (idle scan, drain deadline, accept
  // retry), or -1 if none.
  int64_t NanosToNextTimer() const;
  // Stopping or draining, and every connection is gone.
  bool ShouldExit() const;
  // accept failed with EMFILE/ENFILE: stop accepting for a while.
  void AcceptStarved();

  void CountEntries(uint64_t n = 1) { Bump(stats_->kernel_entries, n); }
  int64_t now_ns() const { return now_ns_; }
  uint64_t open_conns() const { return conns_.size(); }

  const int index_;
  const int workers_;
  const EngineOptions& options_;
  EngineControl* const control_;
  WorkerStats* const stats_;
  const std::vector<ListenSocket>& sockets_;
  PostQueue* const posts_;
  const base::Logger* const logger_;
  std::unique_ptr<WorkerHooks> hooks_;
  base::BlockPool pool_;

  uint64_t turn_ = 0;       // turns so far
  bool listening_ = false;  // accept is armed / watched
  bool stopping_ = false;
  bool draining_ = false;

 private:
  void ProcessCarry(Conn* c);
  void AfterHandler(Conn* c, bool yielded);
  void Settle(Conn* c);
  void ResumeIfDrained(Conn* c);
  // Input backpressure: stop reading a connection whose unconsumed input
  // passed max_input_bytes; resume below half of it.
  void LimitInput(Conn* c);
  void ResumeInput(Conn* c);
  void BeginStop();
  void BeginDrain();
  void CloseListeners();
  void ScanIdle();
  void UpdateListening();
  std::vector<Conn*> Snapshot() const { return conns_; }

  std::vector<Conn*> conns_;
  std::vector<Conn*> graveyard_;
  ReadyList ready_;
  DirtyList dirty_;
  WritableList writable_next_;  // asked for OnWritable again within one turn
  uint64_t next_conn_serial_ = 0;

  int64_t now_ns_ = 0;  // CLOCK_MONOTONIC at the start of the turn
  int64_t next_idle_scan_ns_ = 0;
  int64_t drain_deadline_ns_ = 0;
  int64_t accept_retry_ns_ = 0;  // 0: not starved
};

}  // namespace ringcache::io
