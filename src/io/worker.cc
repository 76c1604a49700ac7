#include "worker.h"

#include <algorithm>
#include <limits>
#include <utility>

#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

namespace ringcache::io {
namespace {

constexpr int64_t kNanos = 1'000'000'000;
// How long accepting stays off after the process ran out of descriptors.
constexpr int64_t kAcceptRetryNs = 100'000'000;

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNanos + ts.tv_nsec;
}

// Replies to the sender of one datagram, straight from the worker thread.
class UdpReply final : public DatagramSender {
 public:
  UdpReply(int fd, const sockaddr_storage& to, socklen_t to_len, WorkerStats* stats)
      : fd_(fd), to_(to), to_len_(to_len), stats_(stats) {}
  void Send(std::string_view datagram) override {
    const ssize_t n = ::sendto(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                               reinterpret_cast<const sockaddr*>(&to_), to_len_);
    Bump(stats_->kernel_entries);
    if (n > 0) Bump(stats_->bytes_written, static_cast<uint64_t>(n));
  }

 private:
  const int fd_;
  const sockaddr_storage& to_;
  const socklen_t to_len_;
  WorkerStats* const stats_;
};

}  // namespace

Worker::Worker(const WorkerEnv& env)
    : index_(env.index),
      workers_(env.workers),
      options_(*env.options),
      control_(env.control),
      stats_(env.stats),
      sockets_(*env.sockets),
      posts_(env.posts),
      logger_(env.logger) {}

Worker::~Worker() {
  // Normally empty: the loop exits only when every connection is gone.
  for (Conn* c : conns_) delete c;
  for (Conn* c : graveyard_) delete c;
}

void Worker::Run(std::unique_ptr<WorkerHooks> hooks) {
  hooks_ = std::move(hooks);
  now_ns_ = MonotonicNs();
  if (options_.idle_timeout_seconds > 0) next_idle_scan_ns_ = now_ns_ + kNanos;
  hooks_->OnWorkerStart(index_);
  // A Stop or Drain that came earlier has rung the post queue: the first
  // turn sees it.
  UpdateListening();
  Loop();
  // Run what was posted while stopping, then refuse more.
  posts_->RunAll();
  posts_->Close();
  hooks_->OnWorkerStop();
  hooks_.reset();
}

void Worker::StartTurn() {
  now_ns_ = MonotonicNs();
  ++turn_;
  Bump(stats_->turns);
  if (next_idle_scan_ns_ != 0 && now_ns_ >= next_idle_scan_ns_) {
    next_idle_scan_ns_ = now_ns_ + kNanos;
    ScanIdle();
  }
  if (accept_retry_ns_ != 0 && now_ns_ >= accept_retry_ns_) {
    accept_retry_ns_ = 0;
    UpdateListening();
  }
  if (draining_ && now_ns_ >= drain_deadline_ns_) {
    for (Conn* c : Snapshot()) Close(c);
  }
}

int64_t Worker::NanosToNextTimer() const {
  int64_t next = -1;
  auto consider = [&](int64_t at) {
    if (at == 0) return;
    const int64_t d = std::max<int64_t>(0, at - now_ns_);
    if (next < 0 || d < next) next = d;
  };
  if (!conns_.empty()) consider(next_idle_scan_ns_);
  consider(accept_retry_ns_);
  if (draining_) consider(drain_deadline_ns_);
  return next;
}

bool Worker::ShouldExit() const {
  return (stopping_ || draining_) && conns_.empty() && graveyard_.empty();
}

void Worker::UpdateListening() {
  const bool want = !stopping_ && !draining_ && accept_retry_ns_ == 0 &&
                    control_->accepting.load(std::memory_order_relaxed);
  if (want != listening_) SetListening(want);
}

void Worker::AcceptStarved() {
  if (accept_retry_ns_ != 0) return;
  Bump(stats_->listen_disabled_num);
  accept_retry_ns_ = now_ns_ + kAcceptRetryNs;
  UpdateListening();
}

void Worker::HandleControl() {
  posts_->Acknowledge();
  // Control changes first: a task posted after SetAccepting/Drain/Stop runs
  // once the worker has applied them.
  if (control_->stop.load(std::memory_order_acquire)) {
    if (!stopping_) BeginStop();
  } else if (control_->drain.load(std::memory_order_acquire)) {
    if (!draining_ && !stopping_) BeginDrain();
  }
  UpdateListening();
  posts_->RunAll();
}

void Worker::CloseListeners() {
  UpdateListening();
  // This worker's own TCP listeners leave their SO_REUSEPORT group at once:
  // new connections are refused instead of queueing until the process
  // exits. (The fds themselves are closed by the engine after Run; the
  // shared unix listener too.)
  for (const ListenSocket& ls : sockets_) {
    if (ls.transport != Transport::kTcp || ls.shared) continue;
    ::shutdown(ls.fd, SHUT_RDWR);
    CountEntries();
  }
}

void Worker::BeginStop() {
  stopping_ = true;
  CloseListeners();
  for (Conn* c : Snapshot()) Close(c);
}

void Worker::BeginDrain() {
  draining_ = true;
  drain_deadline_ns_ = now_ns_ + static_cast<int64_t>(options_.drain_timeout_ms) * 1'000'000;
  CloseListeners();
  // Requests already received are still answered (a yielded handler
  // finishes its backlog); nothing new is read.
  for (Conn* c : conns_) {
    c->draining_ = true;
    StopReading(c);
    MarkDirty(c);
  }
}

void Worker::ScanIdle() {
  const int64_t limit = static_cast<int64_t>(options_.idle_timeout_seconds) * kNanos;
  for (Conn* c : Snapshot()) {
    // Like memcached, only a connection waiting for a command is idle; one
    // with replies still going out is not.
    if (c->closing_ || c->send_in_flight_ || !c->out_.empty()) continue;
    if (now_ns_ - c->last_active_ns_ < limit) continue;
    Bump(stats_->idle_kicks);
    Close(c);
  }
}

void Worker::Admit(int fd, const ListenSocket& ls) {
  if (stopping_ || draining_) {
    CloseFd(fd);
    return;
  }
  const int64_t open = control_->connections.fetch_add(1, std::memory_order_relaxed) + 1;
  if (open > options_.max_connections) {
    control_->connections.fetch_sub(1, std::memory_order_relaxed);
    Bump(stats_->rejected_connections);
    if (!options_.reject_message.empty()) {
      // Best effort, like memcached: the socket is fresh, its buffer empty.
      (void)!::send(fd, options_.reject_message.data(), options_.reject_message.size(),
                    MSG_DONTWAIT | MSG_NOSIGNAL);
      CountEntries();
    }
    CloseFd(fd);
    return;
  }
  auto* c = new Conn(this, &pool_, options_.max_output_bytes);
  ConnInfo& info = c->info_;
  info.id = ++next_conn_serial_ * static_cast<uint64_t>(workers_) + static_cast<uint64_t>(index_);
  info.fd = fd;
  info.transport = ls.transport;
  info.listener = ls.listener;
  info.worker = index_;
  info.local = ls.addr;
  info.local_len = ls.addr_len;
  info.peer_len = sizeof(info.peer);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&info.peer), &info.peer_len) != 0) {
    info.peer_len = 0;
  }
  CountEntries();
  c->handler_ = hooks_->OnAccept(info);
  if (c->handler_ == nullptr) {
    delete c;
    control_->connections.fetch_sub(1, std::memory_order_relaxed);
    CloseFd(fd);
    return;
  }
  c->last_active_ns_ = now_ns_;
  c->index_ = conns_.size();
  conns_.push_back(c);
  Bump(stats_->curr_connections);
  Bump(stats_->total_connections);
  StartReading(c);
}

void Worker::Deliver(Conn* c, std::string_view bytes) {
  if (!c->AcceptsInput() || c->draining_) return;
  c->last_active_ns_ = now_ns_;
  if (c->read_paused_ || ReadyList::Contains(c) || !c->carry_.empty()) {
    // Bytes already received are always kept; input backpressure stops
    // further reading instead (LimitInput), so the carry exceeds the limit
    // by at most the receives already in flight.
    if (!c->carry_.Append(bytes, std::numeric_limits<size_t>::max())) {
      Close(c);
      return;
    }
    if (!c->read_paused_ && !ReadyList::Contains(c)) {
      ProcessCarry(c);
    } else {
      LimitInput(c);
    }
    return;
  }
  // Fast path: the handler reads straight from the receive buffer.
  const DataResult r = c->handler_->OnData(*c, bytes);
  const size_t consumed = std::min(r.consumed, bytes.size());
  if (consumed < bytes.size() && !c->close_now_ && !c->close_after_flush_) {
    if (!c->carry_.Append(bytes.substr(consumed), options_.max_input_bytes)) {
      Close(c);
      return;
    }
  }
  // A yield that consumed nothing would spin: treat it as waiting for data.
  AfterHandler(c, r.yield && consumed > 0 && consumed < bytes.size());
}

void Worker::ProcessCarry(Conn* c) {
  const std::string_view data = c->carry_.view();
  const DataResult r = c->handler_->OnData(*c, data);
  const size_t consumed = std::min(r.consumed, data.size());
  c->carry_.Consume(consumed);
  if (c->carry_.size() > options_.max_input_bytes && !c->close_now_ && !c->close_after_flush_) {
    // More than the limit that the handler cannot make progress on (one
    // request longer than the limit) closes the connection; a backlog of
    // requests it is working through only stops reading.
    const bool stuck = consumed == 0 && !r.yield && !c->OutputFull() && !c->want_writable_;
    if (stuck) {
      Close(c);
      return;
    }
    LimitInput(c);
  } else if (c->input_full_ && c->carry_.size() <= options_.max_input_bytes / 2) {
    ResumeInput(c);
  }
  AfterHandler(c, r.yield && consumed > 0 && !c->carry_.empty());
}

void Worker::LimitInput(Conn* c) {
  if (c->input_full_ || c->carry_.size() <= options_.max_input_bytes) return;
  c->input_full_ = true;
  if (!c->read_paused_) StopReading(c);
}

void Worker::ResumeInput(Conn* c) {
  c->input_full_ = false;
  if (!c->read_paused_ && !c->InputOver() && c->AcceptsInput()) StartReading(c);
}

void Worker::AfterHandler(Conn* c, bool yielded) {
  if (c->close_now_) {
    Close(c);
    return;
  }
  if (c->close_after_flush_) {
    c->carry_.Release();
    yielded = false;
  }
  if (yielded) {
    Bump(stats_->conn_yields);
    ready_.PushBack(c);
  }
  if (!c->out_.empty() || c->close_after_flush_) MarkDirty(c);
  if (!c->read_paused_ && c->out_.size() > options_.max_output_bytes) {
    c->read_paused_ = true;
    Bump(stats_->read_pauses);
    StopReading(c);
  }
}

void Worker::OnEof(Conn* c, bool error) {
  if (c->closing_) return;
  if (error) {
    Close(c);
    return;
  }
  c->eof_ = true;
  MarkDirty(c);
}

void Worker::OnSent(Conn* c, size_t sent) {
  c->out_.Consume(sent);
  Bump(stats_->bytes_written, sent);
  if (c->closing_) return;
  if (!c->out_.empty() || c->close_after_flush_ || c->InputOver() || c->close_now_ ||
      c->want_writable_) {
    MarkDirty(c);
  }
  ResumeIfDrained(c);
}

void Worker::ResumeIfDrained(Conn* c) {
  if (!c->read_paused_ || c->out_.size() > options_.max_output_bytes / 2) return;
  c->read_paused_ = false;
  if (!c->carry_.empty() && c->AcceptsInput()) ProcessCarry(c);
  if (c->closing_ || c->read_paused_) return;
  MarkDirty(c);  // an end of stream seen while paused is handled now
  if (!c->InputOver() && !c->close_after_flush_ && !c->input_full_) StartReading(c);
}

void Worker::Settle(Conn* c) {
  if (c->closing_) return;
  if (c->close_now_) {
    Close(c);
    return;
  }
  if (c->eof_ && !c->peer_closed_told_ && !c->read_paused_ && !ReadyList::Contains(c)) {
    c->peer_closed_told_ = true;
    c->handler_->OnPeerClosed(*c);
    if (c->close_now_) {
      Close(c);
      return;
    }
  }
  // A handler streaming a long reply gets the next call once its output has
  // room, once per turn at most (sends and other connections go between).
  if (c->want_writable_ && c->AcceptsInput() && c->out_.size() <= c->output_limit_ / 2) {
    if (c->writable_turn_ == turn_ + 1) {
      // Called this turn already: next turn, and the loop must not block
      // meanwhile (a synchronous send may have emptied the output already).
      if (!WritableList::Contains(c)) writable_next_.PushBack(c);
    } else {
      c->want_writable_ = false;
      c->writable_turn_ = turn_ + 1;
      c->handler_->OnWritable(*c);
      if (c->close_now_) {
        Close(c);
        return;
      }
      // A handler that held its input back while streaming takes it now.
      if (!c->want_writable_ && !c->carry_.empty() && c->AcceptsInput() && !c->read_paused_) {
        ProcessCarry(c);
        if (c->close_now_) {
          Close(c);
          return;
        }
      }
    }
  }
  if (!c->out_.empty() && !c->send_in_flight_) StartSend(c);
  const bool finishing = c->close_after_flush_ || c->peer_closed_told_ ||
                         (c->draining_ && !c->read_paused_ && !ReadyList::Contains(c));
  if (finishing && c->out_.empty() && !c->send_in_flight_) Close(c);
}

void Worker::EndOfTurn() {
  // Streams that asked for more during the last turn get their call now.
  while (Conn* c = writable_next_.PopFront()) MarkDirty(c);
  // Connections that yielded get one more call each; a second yield waits
  // for the next turn, so new events are not starved.
  for (size_t n = ready_.size(); n > 0; --n) {
    Conn* c = ready_.PopFront();
    if (c->AcceptsInput() && !c->read_paused_) ProcessCarry(c);
  }
  while (Conn* c = dirty_.PopFront()) Settle(c);
  for (Conn* c : graveyard_) delete c;
  graveyard_.clear();
}

void Worker::DeliverDatagram(const ListenSocket& ls, const sockaddr_storage& peer,
                             socklen_t peer_len, std::string_view datagram) {
  Bump(stats_->bytes_read, datagram.size());
  DatagramHandler* handler = hooks_->datagram_handler();
  if (handler == nullptr || stopping_ || draining_) return;
  ConnInfo from;
  from.fd = ls.fd;
  from.transport = Transport::kUdp;
  from.listener = ls.listener;
  from.worker = index_;
  from.peer = peer;
  from.peer_len = peer_len;
  from.local = ls.addr;
  from.local_len = ls.addr_len;
  UdpReply reply(ls.fd, from.peer, from.peer_len, stats_);
  handler->OnDatagram(from, datagram, reply);
}

void Worker::Close(Conn* c) {
  if (c->closing_) return;
  c->closing_ = true;
  if (ReadyList::Contains(c)) ready_.Remove(c);
  if (DirtyList::Contains(c)) dirty_.Remove(c);
  if (WritableList::Contains(c)) writable_next_.Remove(c);
  c->handler_->OnClose(*c);
  c->handler_.reset();
  c->carry_.Release();
  Teardown(c);
}

void Worker::Free(Conn* c) {
  if (c->freed_) return;
  c->freed_ = true;
  // Output and pinned references are released here, on the worker thread,
  // once no send can still be reading them.
  c->out_.Clear();
  CloseFd(c->info_.fd);
  Conn* last = conns_.back();
  conns_[c->index_] = last;
  last->index_ = c->index_;
  conns_.pop_back();
  control_->connections.fetch_sub(1, std::memory_order_relaxed);
  Drop(stats_->curr_connections);
  graveyard_.push_back(c);
}

}  // namespace ringcache::io
