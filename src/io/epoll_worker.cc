#include "epoll_worker.h"

#include <algorithm>
#include <cstring>

#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace ringcache::io {
namespace {

constexpr int kMaxEvents = 256;
constexpr int kReadsPerEvent = 4;
// Connections per turn whose first receive is staged and announced ahead
// (StageReads): with 16 KB buffers, 1 MB per worker, touched as used.
constexpr int kStagedReads = 64;
// Events on a connection that call for reading it (EOF and errors included).
constexpr uint32_t kReadableEvents = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
constexpr int kMaxSendIov = 64;
constexpr size_t kMaxSendBytes = 4 << 20;
constexpr int kDatagramsPerEvent = 32;
constexpr size_t kUdpBuffer = 64 << 10;

uint64_t Pack(const void* object, uint64_t kind) {
  return reinterpret_cast<uint64_t>(object) | kind;
}

}  // namespace

EpollWorker::EpollWorker(const WorkerEnv& env) : Worker(env) {}

EpollWorker::~EpollWorker() {
  if (epfd_ >= 0) ::close(epfd_);
}

absl::Status EpollWorker::SetUp() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return absl::ErrnoToStatus(errno, "epoll_create1");
  buffer_size_ = options_.recv_buffer_size;
  buffer_.reset(new char[buffer_size_]);
  stage_.reset(new char[kStagedReads * buffer_size_]);
  staged_.reserve(kStagedReads);
  bool udp = false;
  for (const ListenSocket& ls : sockets_) udp |= ls.transport == Transport::kUdp;
  if (udp) datagram_.reset(new char[kUdpBuffer]);
  events_.resize(kMaxEvents);
  events_staged_.resize(kMaxEvents);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = Pack(nullptr, kWake);
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, posts_->fd(), &ev) != 0) {
    return absl::ErrnoToStatus(errno, "epoll_ctl(eventfd)");
  }
  for (const ListenSocket& ls : sockets_) {
    if (ls.transport != Transport::kUdp) continue;
    ev.events = EPOLLIN;
    ev.data.u64 = Pack(&ls, kUdp);
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, ls.fd, &ev) != 0) {
      return absl::ErrnoToStatus(errno, "epoll_ctl(udp)");
    }
  }
  return absl::OkStatus();
}

void EpollWorker::SetListening(bool on) {
  listening_ = on;
  for (const ListenSocket& ls : sockets_) {
    if (ls.transport == Transport::kUdp) continue;
    if (on) {
      epoll_event ev{};
      // One wake-up per connection on a listener every worker shares.
      ev.events = EPOLLIN | (ls.shared ? static_cast<uint32_t>(EPOLLEXCLUSIVE) : 0u);
      ev.data.u64 = Pack(&ls, kListener);
      epoll_ctl(epfd_, EPOLL_CTL_ADD, ls.fd, &ev);
    } else {
      epoll_ctl(epfd_, EPOLL_CTL_DEL, ls.fd, nullptr);
    }
    CountEntries();
  }
}

void EpollWorker::CloseFd(int fd) {
  ::close(fd);
  CountEntries();
}

void EpollWorker::StartReading(Conn* c) {
  if (!c->recv_armed_) {
    // Registered once for the connection's life, edge-triggered.
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = Pack(c, kConn);
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, c->info_.fd, &ev) != 0) {
      CountEntries();
      Close(c);
      return;
    }
    CountEntries();
    c->recv_armed_ = true;
    c->maybe_readable_ = true;  // data may have arrived before registration
  }
  // Resuming after a pause: the edge that announced waiting bytes is gone.
  if (c->maybe_readable_) read_again_.push_back(c);
}

void EpollWorker::StopReading(Conn* c) {
  // Nothing to tell the kernel: ReadConn checks the pause, and the edge
  // machinery re-reads on resume.
  (void)c;
}

void EpollWorker::Teardown(Conn* c) {
  // read_again_ outlives the turn; the connection's memory does not.
  read_again_.erase(std::remove(read_again_.begin(), read_again_.end(), c), read_again_.end());
  Free(c);  // closing the fd also removes it from the epoll set
}

void EpollWorker::StartSend(Conn* c) { TrySend(c); }

void EpollWorker::TrySend(Conn* c) {
  while (!c->out_.empty() && !c->closing_) {
    iovec iov[kMaxSendIov];
    const int n = c->out_.Gather(iov, kMaxSendIov, kMaxSendBytes);
    size_t want = 0;
    for (int i = 0; i < n; ++i) want += iov[i].iov_len;
    ssize_t sent;
    if (n == 1) {
      sent = ::send(c->info_.fd, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    } else {
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<size_t>(n);
      sent = ::sendmsg(c->info_.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    CountEntries();
    Bump(stats_->sends);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        c->send_in_flight_ = true;  // until the output edge
        return;
      }
      Close(c);
      return;
    }
    c->send_in_flight_ = false;
    OnSent(c, static_cast<size_t>(sent));
    if (static_cast<size_t>(sent) < want) {
      c->send_in_flight_ = true;  // the socket is full: wait for the edge
      return;
    }
  }
}

void EpollWorker::StageReads(int events) {
  staged_.clear();
  for (int i = 0; i < events; ++i) {
    events_staged_[i] = -1;
    const epoll_event& ev = events_[i];
    if ((ev.data.u64 & kKindMask) != kConn || staged_.size() == kStagedReads ||
        (ev.events & kReadableEvents) == 0) {
      continue;
    }
    auto* c = reinterpret_cast<Conn*>(ev.data.u64 & ~kKindMask);
    if (!c->WantsInput()) continue;
    char* buf = stage_.get() + staged_.size() * buffer_size_;
    StagedRead r;
    r.data = buf;
    r.n = ::recv(c->info_.fd, buf, buffer_size_, MSG_DONTWAIT);
    r.error = r.n < 0 ? errno : 0;
    CountEntries();
    events_staged_[i] = static_cast<int>(staged_.size());
    staged_.push_back(r);
    if (r.n > 0 && c->handler_ != nullptr) {
      c->handler_->OnDataSoon(std::string_view(buf, static_cast<size_t>(r.n)));
    }
  }
}

void EpollWorker::ReadConn(Conn* c, bool peer_shut, const StagedRead* staged) {
  for (int i = 0; i < kReadsPerEvent; ++i) {
    const char* data = buffer_.get();
    ssize_t n;
    int error = 0;
    if (i == 0 && staged != nullptr) {
      // Read before the turn, under the same conditions as below.
      data = staged->data;
      n = staged->n;
      error = staged->error;
    } else {
      if (!c->WantsInput()) return;  // maybe_readable_ stays set: a resume reads again
      n = ::recv(c->info_.fd, buffer_.get(), buffer_size_, MSG_DONTWAIT);
      if (n < 0) error = errno;
      CountEntries();
    }
    if (n > 0) {
      Bump(stats_->recv_completions);
      Bump(stats_->bytes_read, static_cast<uint64_t>(n));
      Deliver(c, std::string_view(data, static_cast<size_t>(n)));
      // A short read drained the socket, unless the peer also shut down:
      // its FIN raises no new edge, so read on until recv reports it.
      if (static_cast<size_t>(n) < buffer_size_ && !peer_shut) {
        c->maybe_readable_ = false;
        return;
      }
      continue;
    }
    if (n == 0) {
      c->maybe_readable_ = false;
      OnEof(c, /*error=*/false);
      return;
    }
    if (error == EINTR) continue;
    if (error == EAGAIN || error == EWOULDBLOCK) {
      c->maybe_readable_ = false;
      return;
    }
    OnEof(c, /*error=*/true);
    return;
  }
  read_again_.push_back(c);  // still more: next turn, after the others
}

void EpollWorker::AcceptFrom(const ListenSocket& ls) {
  // A bounded number per event keeps a connection storm from starving
  // established connections; the listener is level-triggered.
  for (int i = 0; i < 64 && listening_; ++i) {
    const int fd = accept4(ls.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    CountEntries();
    if (fd >= 0) {
      Admit(fd, ls);
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EMFILE || errno == ENFILE) {
      logger_->Log(1, "Too many open connections");
      AcceptStarved();
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      logger_->Log(1, "accept: %s", std::strerror(errno));
    }
    return;
  }
}

void EpollWorker::ReadUdp(const ListenSocket& ls) {
  for (int i = 0; i < kDatagramsPerEvent; ++i) {
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof(peer);
    const ssize_t n = ::recvfrom(ls.fd, datagram_.get(), kUdpBuffer, MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&peer), &peer_len);
    CountEntries();
    if (n < 0) {
      if (errno == EINTR || errno == ECONNREFUSED) continue;
      return;
    }
    DeliverDatagram(ls, peer, peer_len, std::string_view(datagram_.get(), static_cast<size_t>(n)));
  }
}

void EpollWorker::Loop() {
  while (!ShouldExit()) {
    int timeout_ms = -1;
    const bool block = CanBlock() && read_again_.empty();
    if (block) {
      const int64_t ns = NanosToNextTimer();
      if (ns >= 0) timeout_ms = static_cast<int>((ns + 999'999) / 1'000'000);
      hooks_->BeforeBlock();
    } else {
      timeout_ms = 0;
    }
    const int n = epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
    CountEntries();
    if (block) hooks_->AfterWake();
    // Look ahead, as the io_uring engine does with its completions: every
    // readable connection's first bytes, before any is handled.
    StageReads(n);
    hooks_->AfterDataSoon();

    hooks_->OnTurnStart();
    StartTurn();
    bool wake = false;
    for (int i = 0; i < n; ++i) {
      const uint64_t data = events_[i].data.u64;
      const uint32_t mask = events_[i].events;
      void* object = reinterpret_cast<void*>(data & ~kKindMask);
      switch (data & kKindMask) {
        case kConn: {
          auto* c = static_cast<Conn*>(object);
          if (c->closing_) break;
          if (mask & kReadableEvents) {
            c->maybe_readable_ = true;
            const int k = events_staged_[i];
            ReadConn(c, (mask & (EPOLLRDHUP | EPOLLHUP)) != 0, k >= 0 ? &staged_[k] : nullptr);
          }
          if ((mask & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && c->send_in_flight_ && !c->closing_) {
            c->send_in_flight_ = false;
            TrySend(c);
          }
          break;
        }
        case kListener:
          if (listening_) AcceptFrom(*static_cast<const ListenSocket*>(object));
          break;
        case kUdp:
          ReadUdp(*static_cast<const ListenSocket*>(object));
          break;
        case kWake: {
          uint64_t value;
          (void)!::read(posts_->fd(), &value, sizeof(value));
          CountEntries();
          wake = true;
          break;
        }
      }
    }
    if (!read_again_.empty()) {
      reading_.swap(read_again_);
      for (Conn* c : reading_) {
        if (!c->closing_) ReadConn(c, /*peer_shut=*/true);
      }
      reading_.clear();
    }
    if (wake) HandleControl();
    EndOfTurn();
    hooks_->OnTurnEnd();
  }
}

}  // namespace ringcache::io
