// One stream connection as a worker sees it: the engine-side state behind the
// Connection interface handed to handlers.
//
// A Conn is created on accept and freed by its worker only once nothing can
// refer to it any more: with io_uring, every operation in flight holds it
// (`ops_`), and teardown cancels them and waits for their completions before
// the fd is closed and the memory freed, so a late completion can never land
// on a freed or reused connection. Handlers reach the engine only through the
// flags set by CloseNow/CloseAfterFlush/Flush; the worker acts on them after
// the handler returns, so no handler call ever tears down its own caller.
//
// Threading: owned by one worker thread.
#pragma once

#include <cstdint>
#include <memory>

#include "input_carry.h"
#include "intrusive_list.h"
#include "ringcache/base/out_buffer.h"
#include "ringcache/io/handler.h"

namespace ringcache::io {

class Worker;

class Conn final : public Connection {
 public:
  Conn(Worker* worker, base::BlockPool* pool, size_t output_limit)
      : worker_(worker), pool_(pool), output_limit_(output_limit), out_(pool) {}
  ~Conn() override = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  const ConnInfo& info() const override { return info_; }
  base::OutBuffer& out() override { return out_; }
  bool OutputFull() const override { return out_.size() > output_limit_; }
  size_t WorkerOutputBytes() const override { return pool_->in_use() * pool_->block_size(); }
  void CloseAfterFlush() override;
  void CloseNow() override;
  void Flush() override;
  void WantWritable() override;

 private:
  friend class Worker;
  friend class UringWorker;
  friend class EpollWorker;

  // Input may still be offered to the handler (no close is under way).
  bool AcceptsInput() const { return !closing_ && !close_now_ && !close_after_flush_; }
  // No new bytes will be read: the peer shut down, or the engine drains.
  bool InputOver() const { return eof_ || draining_; }
  // Reading is held back by output or input backpressure.
  bool ReadingStopped() const { return read_paused_ || input_full_; }
  // Both engines read (or keep a receive armed) only while this holds.
  bool WantsInput() const { return AcceptsInput() && !ReadingStopped() && !InputOver(); }

  Worker* const worker_;
  const base::BlockPool* const pool_;
  const size_t output_limit_;
  ConnInfo info_;
  base::OutBuffer out_;
  std::unique_ptr<ConnectionHandler> handler_;
  InputCarry carry_;

  // Lifecycle.
  bool close_now_ = false;          // close without flushing
  bool close_after_flush_ = false;  // close once out_ is sent; no more input
  bool eof_ = false;                // the peer shut down its sending side
  bool peer_closed_told_ = false;   // OnPeerClosed was called
  bool closing_ = false;            // teardown started; the handler is gone
  bool freed_ = false;              // Free() ran; memory goes at the end of the turn
  bool read_paused_ = false;        // output backpressure: not reading
  bool input_full_ = false;         // input backpressure: carry over the limit, not reading
  bool draining_ = false;           // engine drain: no new input; finish, flush, close
  bool want_writable_ = false;      // the handler waits for OnWritable
  uint64_t writable_turn_ = 0;      // turn of the last OnWritable call (+1)

  // Backend state.
  bool recv_armed_ = false;      // a (multishot) receive may still complete
  bool send_in_flight_ = false;  // one send at a time
  bool maybe_readable_ = false;  // epoll: unread bytes may wait in the socket
  uint32_t ops_ = 0;             // io_uring operations in flight
  size_t send_bytes_ = 0;        // size of the send in flight
  uint64_t send_turn_ = 0;       // turn in which the send in flight was queued
  bool slow_sender_ = false;     // its last send did not complete at once
  int64_t last_active_ns_ = 0;   // worker clock at the last input
  size_t index_ = 0;             // position in the worker's connection table

  ListLink<Conn> ready_link_;     // yielded: OnData to be called again
  ListLink<Conn> dirty_link_;     // needs a look at the end of the turn
  ListLink<Conn> writable_link_;  // OnWritable due next turn (already called this one)
};

}  // namespace ringcache::io
