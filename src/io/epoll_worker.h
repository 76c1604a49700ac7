// The epoll worker backend: the same worker model where io_uring is
// unavailable (old kernels, seccomp profiles that block it, the
// io_uring_disabled sysctl) or when asked for (-o io_engine=epoll).
//
// Connections are registered once, edge-triggered, for input, output and
// peer shutdown, so the loop never calls epoll_ctl per request. Before a
// turn handles its events, the worker makes the first receive of each
// readable connection (up to 64) into a staging buffer of its own and
// announces all of them to the handlers (OnDataSoon), the look-ahead the
// io_uring worker makes over its completions. Handling an input edge then
// goes on reading into one per-worker buffer until a short read (for a
// stream socket a short read means the socket was drained at that moment;
// later data raises a new edge); a connection that fills the buffer several
// times in a row is put back for the next turn so it cannot starve others.
// Output leaves at the end of the turn with one send (or writev) per
// connection; what the socket does not take waits for the output edge, which
// keeps the one-send-in-flight rule. Listening sockets and the post queue's
// eventfd are level-triggered; the shared unix listener uses EPOLLEXCLUSIVE
// so one worker wakes per connection.
//
// Every syscall of the loop counts as a kernel entry.
//
// Threading: everything on the worker thread.
#pragma once

#include <memory>
#include <vector>

#include <sys/epoll.h>

#include "absl/status/status.h"

#include "worker.h"

namespace ringcache::io {

class EpollWorker final : public Worker {
 public:
  explicit EpollWorker(const WorkerEnv& env);
  ~EpollWorker() override;

  absl::Status SetUp() override;

 private:
  // epoll_event.data.u64 is `object | kind`, as with io_uring's user_data.
  enum Kind : uint64_t { kConn = 0, kListener = 1, kUdp = 2, kWake = 3 };
  static constexpr uint64_t kKindMask = 3;

  void Loop() override;
  void StartReading(Conn* c) override;
  void StopReading(Conn* c) override;
  void StartSend(Conn* c) override;
  void Teardown(Conn* c) override;
  void SetListening(bool on) override;
  void CloseFd(int fd) override;

  // The first receive of a readable connection, made before the turn so
  // its bytes can be announced (OnDataSoon) with every other connection's.
  struct StagedRead {
    const char* data = nullptr;
    ssize_t n = 0;
    int error = 0;  // errno of a failed receive
  };
  // Look ahead: makes the first receive of each of the batch's readable
  // connections (up to kStagedReads) into its own staging buffer and
  // announces the bytes; events_staged_[i] names the read of event i (-1:
  // none).
  void StageReads(int events);
  // Reads what `c` has, starting with `staged` if given; `peer_shut`: the
  // event reported a peer shutdown (or the edge is not known), so only
  // EAGAIN or EOF end the reading.
  void ReadConn(Conn* c, bool peer_shut, const StagedRead* staged = nullptr);
  void TrySend(Conn* c);
  void AcceptFrom(const ListenSocket& ls);
  void ReadUdp(const ListenSocket& ls);

  int epfd_ = -1;
  std::unique_ptr<char[]> buffer_;  // stream reads after the first of a turn
  size_t buffer_size_ = 0;
  // kStagedReads buffers of buffer_size_ for the staged first receives; a
  // staged read's bytes stay valid until the next turn stages.
  std::unique_ptr<char[]> stage_;
  std::vector<StagedRead> staged_;
  std::vector<int> events_staged_;
  std::unique_ptr<char[]> datagram_;  // one whole datagram
  std::vector<epoll_event> events_;
  // Connections with unread input left by the per-turn read cap or a resume
  // after backpressure; read again next turn.
  std::vector<Conn*> read_again_;
  std::vector<Conn*> reading_;  // swap space for read_again_
};

}  // namespace ringcache::io
