// The io_uring worker backend: one ring per worker thread.
//
// Ring: see uring_ring.h for the flags and why each is set; the ring fd is
// registered, so io_uring_enter skips the fd lookup.
//
// Input: one multishot accept per listening socket, one multishot recv per
// connection, both re-armed only when the kernel ends them. Receives land in
// buffers of the worker's provided-buffer ring; each goes back to the ring
// right after the handler saw it (bytes the handler left are copied to the
// connection's carry first), so the ring stays full and a connection holds
// no receive memory between requests.
//
// Output: at the end of a turn each connection with output and no send in
// flight gets one IORING_OP_SEND (one contiguous run) or SENDMSG (several
// segments, e.g. a referenced value) with MSG_WAITALL, so a short send is
// finished by the kernel, not by another round trip through this loop. The
// iovecs and msghdrs of a submission live in per-worker pools that are reused
// once the submission is in the kernel (IORING_FEAT_SUBMIT_STABLE).
// Registered buffers are not used for output: this kernel generation accepts
// them only for zero-copy sends (plain SEND/SENDMSG with
// IORING_RECVSEND_FIXED_BUF fail with EINVAL), and zero-copy is slower for
// replies of memcached's typical sizes; see bench/io for the measurement.
//
// Batching: every turn is one io_uring_enter that submits the turn's SQEs and
// waits. Under load it waits for BatchTarget's receive completions (beyond the
// sends it just queued) with a short timeout, so one entry serves many
// requests; the target grows while batches come in larger than it and halves
// when a wait times out, so a lone ping-pong client never waits. Without
// batching the wait has no timeout at all: arming a timer on every wait costs
// several microseconds on virtual machines (measured: +6 us per round trip
// for a single client), so the shared timers use a separate timeout
// operation instead (see ScheduleTick).
//
// Completions carry `object | op` (objects are 8-byte aligned). A connection
// counts its operations in flight; on close every operation on its fd is
// cancelled and the Conn is freed only when the last completion is in, so no
// completion ever refers to freed memory.
//
// Threading: everything on the worker thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <liburing.h>

#include "absl/status/status.h"

#include "batch_target.h"
#include "uring_ring.h"
#include "worker.h"

namespace ringcache::io {

class UringWorker final : public Worker {
 public:
  explicit UringWorker(const WorkerEnv& env);
  ~UringWorker() override;

  absl::Status SetUp() override;

 private:
  enum Op : uint64_t {
    kOpNone = 0,  // completions nobody waits for (cancel/close failures)
    kOpRecv = 1,
    kOpSend = 2,
    kOpAccept = 3,
    kOpWake = 4,
    kOpUdp = 5,
    kOpTick = 6,  // the timeout that wakes the loop for the shared timers
  };
  static constexpr uint64_t kOpMask = 7;
  static constexpr uint16_t kBufferGroup = 0;

  struct Acceptor {
    const ListenSocket* socket;
    bool armed = false;
  };
  struct UdpSocket {
    const ListenSocket* socket;
    std::unique_ptr<char[]> buffer;
    iovec iov{};
    msghdr msg{};
    sockaddr_storage peer{};
    bool armed = false;
  };

  static uint64_t Tag(const void* object, Op op) { return reinterpret_cast<uint64_t>(object) | op; }

  void Loop() override;
  void StartReading(Conn* c) override;
  void StopReading(Conn* c) override;
  void StartSend(Conn* c) override;
  void Teardown(Conn* c) override;
  void SetListening(bool on) override;
  void CloseFd(int fd) override;

  io_uring_sqe* GetSqe();
  // Hands queued SQEs to the kernel now (the SQ or the iovec pools are full).
  void SubmitNow();
  // Makes the iovec/msghdr pools reusable once nothing waits in the SQ.
  void RecyclePools();
  void Dispatch(const io_uring_cqe* cqe);
  void OnRecv(Conn* c, const io_uring_cqe* cqe);
  void OnSendDone(Conn* c, const io_uring_cqe* cqe);
  void OnAccept(Acceptor* a, const io_uring_cqe* cqe);
  void OnUdp(UdpSocket* u, const io_uring_cqe* cqe);
  void ArmRecv(Conn* c);
  void ArmAccept(Acceptor* a);
  void ArmUdp(UdpSocket* u);
  void ArmWake();
  void ReturnBuffer(uint32_t bid);
  // Arms (or moves earlier) the timeout for the next timer deadline.
  void ScheduleTick();
  void CancelOp(uint64_t user_data);
  // Cancels what is left (accepts, UDP, the wake read) and reaps it.
  void Quiesce();

  io_uring ring_{};
  bool ring_ready_ = false;
  unsigned setup_flags_ = 0;

  // Provided-buffer ring for receives.
  io_uring_buf_ring* buf_ring_ = nullptr;
  size_t buf_ring_bytes_ = 0;
  char* buffers_ = nullptr;
  size_t buffers_bytes_ = 0;
  size_t buf_size_ = 0;
  unsigned buf_count_ = 0;
  int buffers_returned_ = 0;  // added since the last advance
  bool buf_ring_registered_ = false;

  std::vector<Acceptor> acceptors_;
  std::vector<std::unique_ptr<UdpSocket>> udp_;
  uint64_t wake_value_ = 0;
  bool wake_armed_ = false;
  bool wake_fired_ = false;
  bool exiting_ = false;
  int other_ops_ = 0;  // accept, UDP, wake and tick operations in flight

  // Timers (idle scan, accept retry, drain deadline) wake the loop through
  // one IORING_OP_TIMEOUT at the earliest deadline, armed only when that
  // deadline changes, rather than through a timeout on every wait.
  __kernel_timespec tick_ts_{};
  int64_t tick_at_ = 0;  // CLOCK_MONOTONIC deadline of the armed tick; 0: none

  // Connections whose multishot recv ended for lack of buffers; re-armed
  // once this turn's buffers are back in the ring.
  std::vector<Conn*> rearm_;

  // iovecs/msghdrs of the SQEs not yet submitted.
  std::vector<iovec> iov_pool_;
  size_t iov_used_ = 0;
  std::vector<msghdr> msg_pool_;
  size_t msg_used_ = 0;

  BatchTarget batch_;
  unsigned sends_queued_ = 0;  // send SQEs since the last enter
};

}  // namespace ringcache::io
