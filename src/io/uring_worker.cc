#include "uring_worker.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <errno.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ringcache::io {
namespace {

constexpr int kMaxSendIov = 64;
constexpr size_t kMaxSendBytes = 4 << 20;
constexpr size_t kIovPool = 8192;
constexpr size_t kMsgPool = 1024;
constexpr size_t kUdpBuffer = 64 << 10;
constexpr unsigned kSendFlags = MSG_NOSIGNAL | MSG_WAITALL;
void* MapAnon(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

}  // namespace

UringWorker::UringWorker(const WorkerEnv& env) : Worker(env) {}

UringWorker::~UringWorker() {
  if (ring_ready_) {
    if (buf_ring_registered_) io_uring_unregister_buf_ring(&ring_, kBufferGroup);
    io_uring_queue_exit(&ring_);
  }
  if (buf_ring_ != nullptr) munmap(buf_ring_, buf_ring_bytes_);
  if (buffers_ != nullptr) munmap(buffers_, buffers_bytes_);
}

absl::Status UringWorker::SetUp() {
  const int rc = InitRing(&ring_, &setup_flags_);
  if (rc < 0) return absl::ErrnoToStatus(-rc, "io_uring_queue_init");
  ring_ready_ = true;
  logger_->Log(2, "worker %d: io_uring with %s", index_,
               (setup_flags_ & IORING_SETUP_DEFER_TASKRUN)   ? "SINGLE_ISSUER|DEFER_TASKRUN"
               : (setup_flags_ & IORING_SETUP_SINGLE_ISSUER) ? "SINGLE_ISSUER|COOP_TASKRUN"
                                                             : "COOP_TASKRUN");
  // Optional: saves an fd lookup per enter where the kernel supports it.
  if (io_uring_register_ring_fd(&ring_) < 0) {
    logger_->Log(2, "worker %d: io_uring_register_ring_fd unsupported", index_);
  }

  buf_size_ = options_.recv_buffer_size;
  buf_count_ = static_cast<unsigned>(options_.recv_buffers);
  if (buf_count_ == 0 || (buf_count_ & (buf_count_ - 1)) != 0 || buf_count_ > 32768) {
    return absl::InvalidArgumentError("recv_buffers must be a power of two <= 32768");
  }
  buf_ring_bytes_ = buf_count_ * sizeof(io_uring_buf);
  buffers_bytes_ = buf_count_ * buf_size_;
  buf_ring_ = static_cast<io_uring_buf_ring*>(MapAnon(buf_ring_bytes_));
  buffers_ = static_cast<char*>(MapAnon(buffers_bytes_));
  if (buf_ring_ == nullptr || buffers_ == nullptr) {
    return absl::ResourceExhaustedError("mmap of receive buffers");
  }
  io_uring_buf_ring_init(buf_ring_);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(buf_ring_);
  reg.ring_entries = buf_count_;
  reg.bgid = kBufferGroup;
  if (int r = io_uring_register_buf_ring(&ring_, &reg, 0); r < 0) {
    return absl::ErrnoToStatus(-r, "io_uring_register_buf_ring");
  }
  buf_ring_registered_ = true;
  const int mask = io_uring_buf_ring_mask(buf_count_);
  for (unsigned i = 0; i < buf_count_; ++i) {
    io_uring_buf_ring_add(buf_ring_, buffers_ + i * buf_size_, static_cast<unsigned>(buf_size_),
                          static_cast<unsigned short>(i), mask, static_cast<int>(i));
  }
  io_uring_buf_ring_advance(buf_ring_, static_cast<int>(buf_count_));

  iov_pool_.resize(kIovPool);
  msg_pool_.resize(kMsgPool);
  acceptors_.reserve(sockets_.size());
  for (const ListenSocket& ls : sockets_) {
    if (ls.transport == Transport::kUdp) {
      auto u = std::make_unique<UdpSocket>();
      u->socket = &ls;
      u->buffer.reset(new char[kUdpBuffer]);
      udp_.push_back(std::move(u));
    } else {
      acceptors_.push_back(Acceptor{&ls});
    }
  }
  return absl::OkStatus();
}

io_uring_sqe* UringWorker::GetSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  // A full SQ is handed to the kernel; with SUBMIT_ALL it takes everything,
  // so one retry is the norm and a persistent refusal is fatal.
  for (int attempt = 0; sqe == nullptr && attempt < 1000; ++attempt) {
    SubmitNow();
    sqe = io_uring_get_sqe(&ring_);
  }
  if (sqe == nullptr) {
    logger_->Error("worker %d: the kernel accepts no more io_uring submissions", index_);
    std::abort();
  }
  return sqe;
}

void UringWorker::SubmitNow() {
  io_uring_submit(&ring_);
  CountEntries();
  RecyclePools();
}

void UringWorker::RecyclePools() {
  // The kernel copied the msghdrs/iovecs of submitted SQEs; those still in
  // the SQ (a submission cut short) keep theirs until a later enter.
  if (io_uring_sq_ready(&ring_) > 0) return;
  iov_used_ = 0;
  msg_used_ = 0;
}

void UringWorker::CancelOp(uint64_t user_data) {
  io_uring_sqe* sqe = GetSqe();
  io_uring_prep_cancel64(sqe, user_data, 0);
  sqe->user_data = kOpNone;
  sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
}

void UringWorker::CloseFd(int fd) {
  io_uring_sqe* sqe = GetSqe();
  io_uring_prep_close(sqe, fd);
  sqe->user_data = kOpNone;
  sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
}

void UringWorker::ArmRecv(Conn* c) {
  io_uring_sqe* sqe = GetSqe();
  io_uring_prep_recv_multishot(sqe, c->info_.fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kBufferGroup;
  sqe->user_data = Tag(c, kOpRecv);
  c->recv_armed_ = true;
  ++c->ops_;
}

void UringWorker::StartReading(Conn* c) {
  // A recv being cancelled is still armed; its last completion re-arms it.
  if (!c->recv_armed_) ArmRecv(c);
}

void UringWorker::StopReading(Conn* c) {
  if (c->recv_armed_) CancelOp(Tag(c, kOpRecv));
}

void UringWorker::StartSend(Conn* c) {
  iovec local[kMaxSendIov];
  const int n = c->out_.Gather(local, kMaxSendIov, kMaxSendBytes);
  auto pools_have_room = [&] {
    return iov_used_ + static_cast<size_t>(n) <= iov_pool_.size() && msg_used_ < msg_pool_.size();
  };
  if (n > 1 && !pools_have_room()) SubmitNow();
  // Taking the SQE may submit too (recycling the pools); slots are reserved
  // only after it, so no submission can recycle them before they are used.
  io_uring_sqe* sqe = GetSqe();
  size_t bytes = 0;
  if (n > 1 && pools_have_room()) {
    iovec* iov = &iov_pool_[iov_used_];
    iov_used_ += static_cast<size_t>(n);
    std::memcpy(iov, local, sizeof(iovec) * static_cast<size_t>(n));
    msghdr* msg = &msg_pool_[msg_used_++];
    *msg = msghdr{};
    msg->msg_iov = iov;
    msg->msg_iovlen = static_cast<size_t>(n);
    io_uring_prep_sendmsg(sqe, c->info_.fd, msg, kSendFlags);
    for (int i = 0; i < n; ++i) bytes += local[i].iov_len;
  } else {
    // One contiguous run; or the kernel left SQEs unsubmitted and the pools
    // are still busy: the first segment alone needs no pooled iovecs.
    io_uring_prep_send(sqe, c->info_.fd, local[0].iov_base, local[0].iov_len, kSendFlags);
    bytes = local[0].iov_len;
  }
  sqe->user_data = Tag(c, kOpSend);
  c->send_in_flight_ = true;
  c->send_bytes_ = bytes;
  c->send_turn_ = turn_;
  ++c->ops_;
  if (!c->slow_sender_) ++sends_queued_;
  Bump(stats_->sends);
}

void UringWorker::Teardown(Conn* c) {
  if (c->ops_ == 0) {
    Free(c);
    return;
  }
  io_uring_sqe* sqe = GetSqe();
  io_uring_prep_cancel_fd(sqe, c->info_.fd, IORING_ASYNC_CANCEL_ALL);
  sqe->user_data = kOpNone;
  sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
}

void UringWorker::ArmAccept(Acceptor* a) {
  io_uring_sqe* sqe = GetSqe();
  // Accepted sockets stay blocking: io_uring polls them itself, and the
  // occasional direct send (a rejection) passes MSG_DONTWAIT.
  io_uring_prep_multishot_accept(sqe, a->socket->fd, nullptr, nullptr, SOCK_CLOEXEC);
  sqe->user_data = Tag(a, kOpAccept);
  a->armed = true;
  ++other_ops_;
}

void UringWorker::SetListening(bool on) {
  listening_ = on;
  for (Acceptor& a : acceptors_) {
    if (on && !a.armed) ArmAccept(&a);
    if (!on && a.armed) CancelOp(Tag(&a, kOpAccept));
  }
}

void UringWorker::ArmUdp(UdpSocket* u) {
  u->iov = {u->buffer.get(), kUdpBuffer};
  u->msg = msghdr{};
  u->msg.msg_name = &u->peer;
  u->msg.msg_namelen = sizeof(u->peer);
  u->msg.msg_iov = &u->iov;
  u->msg.msg_iovlen = 1;
  io_uring_sqe* sqe = GetSqe();
  io_uring_prep_recvmsg(sqe, u->socket->fd, &u->msg, 0);
  sqe->user_data = Tag(u, kOpUdp);
  u->armed = true;
  ++other_ops_;
}

void UringWorker::ArmWake() {
  io_uring_sqe* sqe = GetSqe();
  io_uring_prep_read(sqe, posts_->fd(), &wake_value_, sizeof(wake_value_), 0);
  sqe->user_data = Tag(&wake_value_, kOpWake);
  wake_armed_ = true;
  ++other_ops_;
}

void UringWorker::ScheduleTick() {
  const int64_t in = NanosToNextTimer();
  if (in < 0) return;
  const int64_t at = now_ns() + in;
  if (tick_at_ != 0 && tick_at_ <= at) return;  // an early enough tick is armed
  if (tick_at_ != 0) {
    // Replaced by an earlier one; the remove runs before the new timeout is
    // armed (SQE order), so it finds the old one.
    io_uring_sqe* sqe = GetSqe();
    io_uring_prep_timeout_remove(sqe, Tag(&tick_ts_, kOpTick), 0);
    sqe->user_data = kOpNone;
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
  }
  io_uring_sqe* sqe = GetSqe();
  // The kernel reads the timespec when the SQE is submitted.
  tick_ts_ = {at / 1'000'000'000, at % 1'000'000'000};
  io_uring_prep_timeout(sqe, &tick_ts_, 0, IORING_TIMEOUT_ABS);
  sqe->user_data = Tag(&tick_ts_, kOpTick);
  tick_at_ = at;
  ++other_ops_;
}

void UringWorker::ReturnBuffer(uint32_t bid) {
  io_uring_buf_ring_add(buf_ring_, buffers_ + bid * buf_size_, static_cast<unsigned>(buf_size_),
                        static_cast<unsigned short>(bid), io_uring_buf_ring_mask(buf_count_),
                        buffers_returned_++);
}

void UringWorker::OnRecv(Conn* c, const io_uring_cqe* cqe) {
  const bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
  if (!more) {
    c->recv_armed_ = false;
    --c->ops_;
  }
  const int res = cqe->res;
  if (res > 0) {
    const uint32_t bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
    Bump(stats_->recv_completions);
    Bump(stats_->bytes_read, static_cast<uint64_t>(res));
    Deliver(c, std::string_view(buffers_ + bid * buf_size_, static_cast<size_t>(res)));
    ReturnBuffer(bid);
    if (!more && c->WantsInput() && !c->recv_armed_) ArmRecv(c);
  } else {
    if (cqe->flags & IORING_CQE_F_BUFFER) ReturnBuffer(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
    if (res == 0) {
      OnEof(c, /*error=*/false);
    } else if (res == -ENOBUFS) {
      // The ring ran dry this turn; buffers come back before the re-arm.
      Bump(stats_->recv_buffer_shortages);
      if (c->WantsInput()) rearm_.push_back(c);
    } else if (res == -ECANCELED) {
      if (c->WantsInput() && !c->recv_armed_) ArmRecv(c);  // resumed while cancelling
    } else {
      OnEof(c, /*error=*/true);
    }
  }
  if (c->closing_ && c->ops_ == 0) Free(c);
}

void UringWorker::OnSendDone(Conn* c, const io_uring_cqe* cqe) {
  --c->ops_;
  c->send_in_flight_ = false;
  // A send completes in the turn after the one that queued it unless the
  // socket was full; such a peer's next send is not counted on to complete
  // at once when choosing how many completions to wait for.
  c->slow_sender_ = turn_ > c->send_turn_ + 1;
  if (cqe->res >= 0) {
    OnSent(c, static_cast<size_t>(cqe->res));
  } else if (!c->closing_) {
    Close(c);  // EPIPE, ECONNRESET, ...: the peer is gone
  }
  if (c->closing_ && c->ops_ == 0) Free(c);
}

void UringWorker::OnAccept(Acceptor* a, const io_uring_cqe* cqe) {
  if (!(cqe->flags & IORING_CQE_F_MORE)) {
    a->armed = false;
    --other_ops_;
  }
  const int res = cqe->res;
  if (res >= 0) {
    Admit(res, *a->socket);
  } else if (res == -EMFILE || res == -ENFILE) {
    logger_->Log(1, "Too many open connections");
    AcceptStarved();
  } else if (res != -ECANCELED && listening_) {
    // (Not listening: the socket was shut down for a drain or stop.)
    logger_->Log(1, "accept: %s", std::strerror(-res));
  }
  if (!a->armed && listening_ && !exiting_) ArmAccept(a);
}

void UringWorker::OnUdp(UdpSocket* u, const io_uring_cqe* cqe) {
  u->armed = false;
  --other_ops_;
  if (cqe->res >= 0) {
    DeliverDatagram(*u->socket, u->peer, u->msg.msg_namelen,
                    std::string_view(u->buffer.get(), static_cast<size_t>(cqe->res)));
  }
  if (cqe->res != -ECANCELED && !exiting_) ArmUdp(u);
}

void UringWorker::Dispatch(const io_uring_cqe* cqe) {
  const uint64_t data = cqe->user_data;
  void* object = reinterpret_cast<void*>(data & ~kOpMask);
  switch (data & kOpMask) {
    case kOpRecv:
      OnRecv(static_cast<Conn*>(object), cqe);
      break;
    case kOpSend:
      OnSendDone(static_cast<Conn*>(object), cqe);
      break;
    case kOpAccept:
      OnAccept(static_cast<Acceptor*>(object), cqe);
      break;
    case kOpWake:
      wake_armed_ = false;
      --other_ops_;
      wake_fired_ = true;
      break;
    case kOpUdp:
      OnUdp(static_cast<UdpSocket*>(object), cqe);
      break;
    case kOpTick:
      --other_ops_;
      if (cqe->res == -ETIME) tick_at_ = 0;  // -ECANCELED: one replaced by an earlier tick
      break;
    default:
      break;  // a cancel or close that found nothing to do
  }
}

void UringWorker::Loop() {
  ArmWake();
  for (auto& u : udp_) ArmUdp(u.get());
  const int64_t batch_wait_ns = static_cast<int64_t>(options_.batch_wait_us) * 1000;
  while (!ShouldExit()) {
    // One kernel entry per turn: submit what the last turn queued and wait.
    // Batching (target > 1): wait for the sends just queued (they normally
    // complete during the submission) plus target more completions, for at
    // most batch_wait_us, so a guess that was too high (a send that could
    // not complete) costs at most that. Otherwise wait for one completion
    // with no timer at all: arming one costs microseconds on virtual
    // machines, more than a second kernel entry for a lone client.
    const bool block = CanBlock();
    unsigned wait_nr = 0;
    bool batching = false;
    if (block) {
      batching = batch_wait_ns > 0 && batch_.batching();
      wait_nr = batching ? sends_queued_ + batch_.target() : 1;
      hooks_->BeforeBlock();
      if (batching) {
        io_uring_cqe* cqe = nullptr;
        __kernel_timespec ts{0, batch_wait_ns};
        io_uring_submit_and_wait_timeout(&ring_, &cqe, wait_nr, &ts, nullptr);
      } else {
        io_uring_submit_and_wait(&ring_, wait_nr);
      }
      hooks_->AfterWake();
    } else {
      io_uring_submit_and_get_events(&ring_);
    }
    CountEntries();
    RecyclePools();
    const unsigned waited_for = wait_nr;
    sends_queued_ = 0;

    unsigned head;
    io_uring_cqe* cqe;
    // Look ahead: every connection's new bytes, before any is handled, so
    // the handlers' memory loads for the whole batch overlap.
    io_uring_for_each_cqe(&ring_, head, cqe) {
      if ((cqe->user_data & kOpMask) != kOpRecv || cqe->res <= 0 ||
          (cqe->flags & IORING_CQE_F_BUFFER) == 0) {
        continue;
      }
      Conn* c = reinterpret_cast<Conn*>(cqe->user_data & ~kOpMask);
      if (c->closing_ || c->handler_ == nullptr) continue;
      const uint32_t bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
      c->handler_->OnDataSoon(
          std::string_view(buffers_ + bid * buf_size_, static_cast<size_t>(cqe->res)));
    }
    hooks_->AfterDataSoon();

    hooks_->OnTurnStart();
    StartTurn();
    unsigned seen = 0;
    const uint64_t recvs_before = stats_->recv_completions.load(std::memory_order_relaxed);
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      Dispatch(cqe);
    }
    io_uring_cq_advance(&ring_, seen);
    if (buffers_returned_ > 0) {
      io_uring_buf_ring_advance(buf_ring_, buffers_returned_);
      buffers_returned_ = 0;
    }
    for (Conn* c : rearm_) {
      if (c->WantsInput() && !c->recv_armed_) ArmRecv(c);
    }
    rearm_.clear();
    if (wake_fired_) {
      wake_fired_ = false;
      HandleControl();
      if (!wake_armed_) ArmWake();
    }
    EndOfTurn();
    ScheduleTick();
    hooks_->OnTurnEnd();

    // Batching: grow while batches outrun the target, halve on a timeout.
    const uint64_t recvs = stats_->recv_completions.load(std::memory_order_relaxed) - recvs_before;
    batch_.Update(batching, seen < waited_for, block, recvs,
                  static_cast<unsigned>(std::min<size_t>(open_conns() / 2, BatchTarget::kMax)));
  }
  Quiesce();
}

void UringWorker::Quiesce() {
  exiting_ = true;
  if (other_ops_ > 0) {
    io_uring_sqe* sqe = GetSqe();
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
    sqe->user_data = kOpNone;
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
  }
  // Completions still due refer to this worker's objects: wait for them
  // (cancelled operations complete at once) before the ring goes away.
  for (int round = 0; round < 100 && other_ops_ > 0; ++round) {
    io_uring_cqe* cqe = nullptr;
    __kernel_timespec ts{0, 10'000'000};
    io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    CountEntries();
    unsigned head;
    unsigned seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      Dispatch(cqe);
    }
    io_uring_cq_advance(&ring_, seen);
  }
  io_uring_submit(&ring_);  // queued closes
  CountEntries();
}

}  // namespace ringcache::io
