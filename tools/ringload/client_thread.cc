#include "client_thread.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <sys/prctl.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "clock.h"
#include "exchange.h"
#include "ring.h"
#include "ringcache/protocol/client/reply_parser.h"

namespace ringcache::ringload {
namespace {

using protocol::client::ParseReply;
using protocol::client::ParseResult;
using protocol::client::ParseStatus;
using protocol::client::Reply;
using protocol::client::ReplyKind;

// The preload keeps this many sets outstanding per connection (or the run's
// own --pipeline if deeper): deep enough to be fast, small enough to be kind.
constexpr uint32_t kPreloadDepth = 64;
// A connection's own input buffer: where plain receives land, or (with
// multishot receives) only a partial reply waits for the rest; it grows for
// replies larger than itself.
constexpr size_t kPlainInput = 64 * 1024;
constexpr size_t kMultishotInput = 2 * 1024;
constexpr size_t kMinReceiveRoom = 4 * 1024;
constexpr uint32_t kReceiveBufferSize = 16 * 1024;
constexpr uint32_t kMinReceiveBuffers = 64;
constexpr uint32_t kMaxReceiveBuffers = 4096;
constexpr size_t kMinOutput = 4 * 1024;
constexpr size_t kMaxOutput = 256 * 1024;  // per buffer; more only if one request needs it
constexpr size_t kMaxBacklog = 1 << 20;
constexpr int kMaxReportedMismatches = 10;

// user_data: connection index << 1 | 1 for a send, 0 for a receive.
constexpr uint64_t kSendTag = 1;

unsigned RoundUpPow2(unsigned v) {
  unsigned p = 1;
  while (p < v) p <<= 1;
  return p;
}

}  // namespace

ClientThread::ClientThread(const ThreadPlan& plan)
    : plan_(plan),
      options_(*plan.options),
      workload_(*plan.options, plan.keys, plan.counters, plan.ring, plan.index, plan.seed),
      interval_latency_(std::make_unique<Histogram>()) {}

ClientThread::~ClientThread() {
  buffers_.reset();                              // unregistered before the ring goes
  if (ring_ready_) io_uring_queue_exit(&ring_);  // cancels whatever is in flight
  for (Connection& c : connections_) close(c.fd());
}

absl::Status ClientThread::Connect() {
  const std::vector<Endpoint>& endpoints = *plan_.endpoints;
  const size_t per_server = static_cast<size_t>(options_.connections);
  const size_t total = per_server * endpoints.size();
  if (total * 2 + 16 > 32768) {
    return absl::InvalidArgumentError(absl::StrCat(
        total, " connections on one thread is more than one ring can hold; use more --threads"));
  }
  const uint32_t max_depth = std::max<uint32_t>(options_.pipeline, kPreloadDepth);
  const size_t max_request = workload_.max_request_size();
  const size_t out_capacity =
      std::max(std::clamp(max_depth * max_request, kMinOutput, kMaxOutput), max_request);
  const size_t in_capacity =
      options_.receive == Options::Receive::kPlain ? kPlainInput : kMultishotInput;
  connections_.reserve(total);
  for (uint32_t s = 0; s < endpoints.size(); ++s) {
    for (size_t i = 0; i < per_server; ++i) {
      absl::StatusOr<int> fd = ringload::Connect(endpoints[s], options_.connect_timeout_seconds);
      if (!fd.ok()) {
        return absl::Status(fd.status().code(),
                            absl::StrCat(options_.servers[s].label, ": ", fd.status().message()));
      }
      connections_.emplace_back(*fd, s, out_capacity, in_capacity, max_depth);
    }
  }
  live_ = static_cast<uint32_t>(connections_.size());

  // Each connection has at most one receive and one send in flight.
  const unsigned sq = RoundUpPow2(static_cast<unsigned>(total * 2 + 16));
  absl::StatusOr<std::string> mode = SetUpRing(&ring_, sq, sq * 2);
  if (!mode.ok()) return mode.status();
  ring_ready_ = true;
  result_.ring_mode = *mode;
  std::vector<int> fds;
  for (const Connection& c : connections_) fds.push_back(c.fd());
  // Registered files spare the kernel a file-table lookup per operation;
  // operations name a connection by its index.
  const int r = io_uring_register_files(&ring_, fds.data(), static_cast<unsigned>(fds.size()));
  if (r < 0) return absl::ErrnoToStatus(-r, "io_uring_register_files");
  refill_.reserve(connections_.size());

  if (options_.receive != Options::Receive::kPlain) {
    // Enough buffers that every connection can have a couple of receives
    // completed and not yet parsed; running short only ends a multishot
    // receive early (ENOBUFS), and it is re-armed.
    const uint32_t count = std::clamp<uint32_t>(RoundUpPow2(static_cast<unsigned>(total * 4)),
                                                kMinReceiveBuffers, kMaxReceiveBuffers);
    absl::StatusOr<std::unique_ptr<BufferRing>> buffers =
        BufferRing::Create(&ring_, count, kReceiveBufferSize);
    if (buffers.ok()) {
      buffers_ = *std::move(buffers);
    } else if (options_.receive == Options::Receive::kMultishot) {
      return buffers.status();
    } else {
      // Plain receives after all: give every connection a buffer to land in.
      for (Connection& c : connections_) c.EnsureInputCapacity(kPlainInput);
    }
  }
  result_.ring_mode += buffers_ ? ", multishot receive" : ", plain receive";
  return absl::OkStatus();
}

absl::Status ClientThread::Preload(uint64_t lo, uint64_t hi) {
  preload_lo_ = lo;
  preload_hi_ = hi;
  preload_cursors_.assign(plan_.endpoints->size(), PreloadCursor{lo, false});
  counters_ = &result_.preload;
  depth_ = std::max<uint32_t>(options_.pipeline, kPreloadDepth);
  RunLoop(Mode::kPreload);
  result_.live_connections = static_cast<int>(live_);
  if (plan_.stop->load(std::memory_order_relaxed)) return absl::CancelledError("interrupted");
  if (live_ == 0) return absl::UnavailableError("every connection failed during the preload");
  return absl::OkStatus();
}

void ClientThread::Load(const LoadPhase& phase, IntervalMailbox* mailbox) {
  phase_ = phase;
  mailbox_ = mailbox;
  counters_ = &interval_counters_;
  depth_ = static_cast<uint32_t>(options_.pipeline);
  issued_ = 0;
  for (Connection& c : connections_) c.pending().Reset(depth_);  // the preload left none
  const int64_t now = NowNs();
  // Interval k covers [measure_start + k s, measure_start + (k+1) s).
  const int64_t since = now - phase.measure_start_ns;
  interval_index_ =
      since >= 0 ? since / kNsPerSecond : -((-since + kNsPerSecond - 1) / kNsPerSecond);
  next_tick_ns_ = phase.measure_start_ns + (interval_index_ + 1) * kNsPerSecond;
  const Mode mode = phase.rate > 0 ? Mode::kOpen : Mode::kClosed;
  if (mode == Mode::kOpen) {
    // Wake-ups for arrivals should be as punctual as the timer allows
    // (the default slack is 50 us).
    prctl(PR_SET_TIMERSLACK, 1UL);
    schedule_ = std::make_unique<PoissonSchedule>(phase.rate, now, &workload_.rng());
  }
  RunLoop(mode);
  const int64_t end = NowNs();
  result_.measured_end_ns = phase.end_ns != 0 ? std::min(end, phase.end_ns) : end;
  Publish(end, /*final=*/true);
  result_.live_connections = static_cast<int>(live_);
}

bool ClientThread::Recording(int64_t now) const { return now >= phase_.measure_start_ns; }

void ClientThread::RunLoop(Mode mode) {
  mode_ = mode;
  int64_t now = NowNs();
  for (uint32_t i = 0; i < connections_.size(); ++i) {
    if (connections_[i].dead) continue;
    if (!connections_[i].recv_in_flight) ArmReceive(i);
    QueueRefill(i);
  }
  const bool load = mode != Mode::kPreload;
  while (true) {
    if (plan_.stop->load(std::memory_order_relaxed) || live_ == 0) break;
    if (mode == Mode::kOpen) DispatchArrivals(now);
    for (const uint32_t i : refill_) Refill(i, now);
    refill_.clear();
    if (outstanding_ == 0) {
      if (mode == Mode::kPreload) {
        bool more = false;
        for (const PreloadCursor& cursor : preload_cursors_) {
          more |= cursor.next < preload_hi_ || (!cursor.counters && options_.mix.incr > 0);
        }
        if (!more) break;
      } else if (phase_.quota != 0 && issued_ >= phase_.quota) {
        break;
      }
    }

    int64_t deadline = now + kNsPerSecond;  // wake at least once a second to check `stop`
    if (load) {
      deadline = std::min(deadline, next_tick_ns_);
      if (phase_.end_ns != 0) deadline = std::min(deadline, phase_.end_ns);
      if (mode == Mode::kOpen && (phase_.quota == 0 || issued_ < phase_.quota)) {
        deadline = std::min(deadline, schedule_->next());
      }
    }
    int r;
    if (deadline <= now) {
      r = io_uring_submit_and_get_events(&ring_);
    } else {
      // Sends to a socket with room complete while they are submitted, so
      // waiting for one completion would return at once with only those.
      // Waiting for one more than the sends queued this turn sleeps until a
      // reply arrives (or the deadline): one kernel entry per turn.
      const int64_t wait = deadline - now;
      __kernel_timespec ts{wait / kNsPerSecond, wait % kNsPerSecond};
      io_uring_cqe* cqe;
      r = io_uring_submit_and_wait_timeout(&ring_, &cqe, sends_queued_ + 1, &ts, nullptr);
    }
    sends_queued_ = 0;
    ++result_.ring_enters;
    if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY && r != -EAGAIN) {
      std::fprintf(stderr, "ringload: io_uring_enter: %s\n",
                   std::error_code(-r, std::generic_category()).message().c_str());
      break;
    }
    now = NowNs();
    if (load) {
      if (phase_.end_ns != 0 && now >= phase_.end_ns) break;
      if (now >= next_tick_ns_) Publish(now, /*final=*/false);
    }
    Reap(now);
    if (now >= next_stall_check_ns_) DropStalled(now);
  }
}

// Once a second: a connection whose requests have gone unanswered for
// --timeout is given up on, so a server that stops answering ends a run (or
// a preload) with an error instead of hanging it.
void ClientThread::DropStalled(int64_t now) {
  next_stall_check_ns_ = now + kNsPerSecond;
  if (options_.timeout_seconds <= 0) return;
  const int64_t limit = static_cast<int64_t>(options_.timeout_seconds * 1e9);
  for (uint32_t i = 0; i < connections_.size(); ++i) {
    Connection& c = connections_[i];
    if (!c.dead && !c.pending().empty() && now - c.last_progress_ns > limit) {
      Kill(i, ErrorKind::kTimeout);
    }
  }
}

void ClientThread::Reap(int64_t now) {
  unsigned head;
  unsigned seen = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    const uint32_t index = static_cast<uint32_t>(cqe->user_data >> 1);
    if (cqe->user_data & kSendTag) {
      OnSend(index, cqe->res);
    } else {
      OnReceive(index, cqe->res, cqe->flags, now);
    }
    ++seen;
  }
  io_uring_cq_advance(&ring_, seen);
  if (buffers_) buffers_->Publish();
  result_.completions += seen;
}

io_uring_sqe* ClientThread::Sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (RC_UNLIKELY(sqe == nullptr)) {
    // Sized so this cannot happen (two operations per connection), but a
    // full queue is no reason to fail: hand it to the kernel and go on.
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void ClientThread::ArmReceive(uint32_t index) {
  Connection& c = connections_[index];
  io_uring_sqe* sqe = Sqe();
  if (buffers_) {
    // Armed once; every arrival completes into a buffer of the ring.
    io_uring_prep_recv_multishot(sqe, static_cast<int>(index), nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BufferRing::kGroup;
  } else {
    io_uring_prep_recv(sqe, static_cast<int>(index), c.in_tail(), c.in_room(), 0);
  }
  // The reply is rarely there yet: wait for readiness instead of trying
  // (and failing) a receive first.
  sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
  sqe->flags |= IOSQE_FIXED_FILE;
  io_uring_sqe_set_data64(sqe, uint64_t{index} << 1);
  c.recv_in_flight = true;
}

void ClientThread::StartSend(uint32_t index, std::string_view bytes) {
  io_uring_sqe* sqe = Sqe();
  // MSG_WAITALL: the kernel finishes a short send itself.
  io_uring_prep_send(sqe, static_cast<int>(index), bytes.data(), bytes.size(),
                     MSG_NOSIGNAL | MSG_WAITALL);
  sqe->flags |= IOSQE_FIXED_FILE;
  io_uring_sqe_set_data64(sqe, (uint64_t{index} << 1) | kSendTag);
  ++sends_queued_;
}

void ClientThread::Kill(uint32_t index, ErrorKind why) {
  Connection& c = connections_[index];
  if (c.dead) return;
  c.dead = true;
  --live_;
  counters_->errors[static_cast<size_t>(why)]++;
  outstanding_ -= c.pending().size();
  c.pending().Clear();
  c.backlog().Clear();
}

void ClientThread::OnReceive(uint32_t index, int res, uint32_t cqe_flags, int64_t now) {
  Connection& c = connections_[index];
  // A multishot receive stays armed while the kernel sets F_MORE.
  const bool armed = buffers_ && (cqe_flags & IORING_CQE_F_MORE);
  c.recv_in_flight = armed;
  if (res > 0) {
    ++result_.receives;
    counters_->bytes_received += static_cast<uint64_t>(res);
    c.last_progress_ns = now;
    if (buffers_) {
      const auto id = static_cast<uint16_t>(cqe_flags >> IORING_CQE_BUFFER_SHIFT);
      if (!c.dead) ReceivedInto(index, buffers_->Data(id, static_cast<size_t>(res)), now);
      buffers_->Recycle(id);
    } else {
      c.Received(static_cast<size_t>(res));
      if (!c.dead) ParseBuffered(index, now);
    }
  } else if (res == 0 || (res != -EINTR && res != -EAGAIN && res != -ENOBUFS)) {
    Kill(index, ErrorKind::kConnection);  // 0: the server closed the connection
  }
  // ENOBUFS (the buffer ring ran dry) ends a multishot receive; so may the
  // kernel at any time. Either way it is armed again.
  if (!c.dead && !armed) ArmReceive(index);
}

// A multishot receive's bytes: parsed where the kernel put them unless a
// partial reply is waiting in the connection's buffer, whose end they then
// complete. What is left unparsed moves to the connection's buffer, so the
// ring buffer can go back to the kernel at once.
void ClientThread::ReceivedInto(uint32_t index, std::string_view data, int64_t now) {
  Connection& c = connections_[index];
  if (c.input().empty()) {
    const size_t consumed = data.size() >= c.need_bytes ? ParseReplies(index, data, now) : 0;
    if (c.dead || consumed == data.size()) return;
    data.remove_prefix(consumed);
    c.EnsureInputCapacity(std::max(c.need_bytes, data.size()));
  } else {
    c.EnsureInputCapacity(c.input().size() + data.size());
  }
  std::memcpy(c.in_tail(), data.data(), data.size());
  c.Received(data.size());
  ParseBuffered(index, now);
}

// Parses what the connection's own buffer holds and keeps room behind it.
void ClientThread::ParseBuffered(uint32_t index, int64_t now) {
  Connection& c = connections_[index];
  if (c.input().size() >= c.need_bytes) {
    const size_t consumed = ParseReplies(index, c.input(), now);
    if (c.dead) return;
    c.ConsumeInput(consumed);
  }
  // Room for the next plain receive: all of a reply whose size is known, or
  // a decent chunk more (a reply larger than the buffer grows it).
  if (!buffers_) c.EnsureInputCapacity(std::max(c.need_bytes, c.input().size() + kMinReceiveRoom));
}

void ClientThread::OnSend(uint32_t index, int res) {
  Connection& c = connections_[index];
  if (c.dead) return;
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) {
      StartSend(index, c.SendProgress(0));
    } else {
      Kill(index, ErrorKind::kConnection);
    }
    return;
  }
  ++result_.sends;
  counters_->bytes_sent += static_cast<uint64_t>(res);
  const std::string_view rest = c.SendProgress(static_cast<size_t>(res));
  if (!rest.empty()) {
    StartSend(index, rest);
  } else if (c.has_unsent()) {
    StartSend(index, c.BeginSend());
  }
}

size_t ClientThread::ParseReplies(uint32_t index, std::string_view in, int64_t now) {
  Connection& c = connections_[index];
  const protocol::client::Protocol protocol = workload_.protocol();
  size_t offset = 0;
  size_t need = 0;
  bool answered = false;
  Reply reply;  // every field is set by each parse
  while (offset < in.size()) {
    if (RC_UNLIKELY(c.pending().empty())) {
      Kill(index, ErrorKind::kProtocol);  // bytes nobody asked for
      return offset;
    }
    const ParseResult parsed = ParseReply(protocol, in.substr(offset), &reply);
    if (parsed.status == ParseStatus::kIncomplete) {
      need = parsed.size;
      break;
    }
    if (RC_UNLIKELY(parsed.status == ParseStatus::kInvalid)) {
      Kill(index, ErrorKind::kProtocol);
      return offset;
    }
    offset += parsed.size;
    const Pending& p = c.pending().Front();
    const Step step = Match(protocol, p.op, p.keys, reply);
    if (RC_UNLIKELY(step.kind == Step::kFatal)) {
      Kill(index, ErrorKind::kProtocol);
      return offset;
    }
    if (step.hit) {
      ++c.front_hits;
      if (options_.verify && reply.kind == ReplyKind::kValue) Verify(p, reply);
    }
    if (RC_UNLIKELY(step.error)) {
      ++c.front_errors;
      counters_->errors[static_cast<size_t>(step.error_kind)]++;
    }
    if (step.kind == Step::kDone) {
      Complete(c, p, now);
      c.pending().Pop();
      c.front_hits = 0;
      c.front_errors = 0;
      --outstanding_;
      answered = true;
    }
  }
  // The partial reply left (if any) is parsed again once `need` bytes of it
  // are there, when its header said how many.
  c.need_bytes = need;
  if (answered) QueueRefill(index);
  return offset;
}

void ClientThread::Verify(const Pending& p, const Reply& reply) {
  VerifyResult result = workload_.CheckValue(p, reply);
  size_t detail = static_cast<size_t>(result) - 1;
  if (result == VerifyResult::kOk && p.keys == 1 && !reply.key.empty() &&
      !workload_.NamesRequestedKey(p, reply.key)) {
    detail = 3;  // a value for another key than the one asked for
  } else if (result == VerifyResult::kOk) {
    return;
  }
  counters_->errors[static_cast<size_t>(ErrorKind::kVerify)]++;
  counters_->verify_failures[detail]++;
  if (reported_mismatches_ < kMaxReportedMismatches) {
    ++reported_mismatches_;
    static constexpr const char* kWhy[] = {"too short", "bad version field", "bad checksum",
                                           "named another key"};
    std::fprintf(
        stderr, "ringload: verify: thread %d key %s: %s (%zu bytes)\n", plan_.index,
        reply.key.empty() ? plan_.keys->Name(p.key).c_str() : std::string(reply.key).c_str(),
        kWhy[detail], reply.value.size());
  }
}

void ClientThread::Complete(Connection& c, const Pending& p, int64_t now) {
  OpCounters& op = counters_->ops[static_cast<size_t>(p.op)];
  ++op.requests;
  op.keys += p.keys;
  if (p.op == OpKind::kGet) {
    const uint32_t answered = std::min(c.front_hits + c.front_errors, p.keys);
    op.hits += c.front_hits;
    op.misses += p.keys - answered;
  } else if (p.op != OpKind::kSet && c.front_errors == 0) {
    ++(c.front_hits != 0 ? op.hits : op.misses);
  }
  if (mode_ != Mode::kPreload)
    interval_latency_->Record(static_cast<uint64_t>(std::max<int64_t>(now - p.start_ns, 0)));
}

void ClientThread::QueueRefill(uint32_t index) {
  Connection& c = connections_[index];
  if (c.queued_for_refill) return;
  c.queued_for_refill = true;
  refill_.push_back(index);
}

bool ClientThread::NextPreloadKey(uint32_t server, bool* counter, uint64_t* key) {
  PreloadCursor& cursor = preload_cursors_[server];
  const bool filter = plan_.ring != nullptr && plan_.ring->servers() > 1;
  char name[KeySpace::kMaxKeySize];
  while (true) {
    if (cursor.next >= preload_hi_) {
      if (cursor.counters || options_.mix.incr == 0) return false;
      cursor = {preload_lo_, true};  // values done; now the counters
      continue;
    }
    const uint64_t index = cursor.next++;
    const KeySpace& space = cursor.counters ? *plan_.counters : *plan_.keys;
    if (filter) {
      space.Format(index, name);
      if (plan_.ring->ServerOf(std::string_view(name, space.key_size())) != server) continue;
    }
    *counter = cursor.counters;
    *key = index;
    return true;
  }
}

void ClientThread::Refill(uint32_t index, int64_t now) {
  Connection& c = connections_[index];
  c.queued_for_refill = false;
  if (c.dead) return;
  if (c.pending().empty()) c.last_progress_ns = now;  // waiting starts now
  switch (mode_) {
    case Mode::kPreload:
      while (c.pending().size() < depth_ && c.out_room() >= workload_.max_request_size()) {
        bool counter;
        uint64_t key;
        if (!NextPreloadKey(c.server(), &counter, &key)) break;
        if (!workload_.ComposePreload(c, counter, key, now)) break;
        ++outstanding_;
      }
      break;
    case Mode::kClosed:
      while (c.pending().size() < depth_ && (phase_.quota == 0 || issued_ < phase_.quota)) {
        if (!workload_.ComposeNext(c, now)) break;
        ++issued_;
        ++outstanding_;
      }
      break;
    case Mode::kOpen:
      while (c.pending().size() < depth_ && !c.backlog().empty()) {
        const int64_t intended = c.backlog().Front();
        if (!workload_.ComposeNext(c, intended)) break;
        c.backlog().Pop();
        ++outstanding_;
        if (Recording(intended)) result_.schedule.lag.Record(static_cast<uint64_t>(now - intended));
      }
      break;
  }
  if (!c.send_in_flight() && c.has_unsent()) StartSend(index, c.BeginSend());
}

void ClientThread::DispatchArrivals(int64_t now) {
  const uint32_t n = static_cast<uint32_t>(connections_.size());
  while (schedule_->next() <= now) {
    if (phase_.quota != 0 && issued_ >= phase_.quota) return;
    const int64_t intended = schedule_->next();
    schedule_->Advance();
    ++issued_;
    // A uniformly chosen live connection.
    uint32_t index = static_cast<uint32_t>(workload_.rng().Below(n));
    while (connections_[index].dead) index = index + 1 == n ? 0 : index + 1;
    Fifo<int64_t>& backlog = connections_[index].backlog();
    if (backlog.full()) {
      if (backlog.capacity() >= kMaxBacklog) {
        ++result_.schedule.dropped;
        continue;
      }
      backlog.Grow();
    }
    backlog.Push(intended);
    result_.schedule.backlog_peak =
        std::max<uint64_t>(result_.schedule.backlog_peak, backlog.size());
    QueueRefill(index);
  }
}

void ClientThread::Publish(int64_t now, bool final) {
  while (final || now >= next_tick_ns_) {
    IntervalRecord record;
    record.index = interval_index_;
    record.counters = interval_counters_;
    if (interval_index_ >= 0) {
      result_.counters.Add(interval_counters_);
      result_.latency.Merge(*interval_latency_);
    }
    record.latency = std::exchange(interval_latency_, std::make_unique<Histogram>());
    interval_counters_ = Counters{};
    mailbox_->Post(std::move(record));
    ++interval_index_;
    next_tick_ns_ += kNsPerSecond;
    if (final) break;
  }
}

}  // namespace ringcache::ringload
