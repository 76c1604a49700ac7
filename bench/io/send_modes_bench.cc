// Which send to use for replies: plain IORING_OP_SEND, zero-copy SEND_ZC from
// ordinary memory, or SEND_ZC from a registered (fixed) buffer. On the
// kernels this project targets, registered buffers are accepted only by the
// zero-copy sends (a plain SEND with IORING_RECVSEND_FIXED_BUF fails with
// EINVAL, checked by BM_FixedBufferPlainSendIsRejected), so "use registered
// buffers for output" means "send zero-copy". This measures the cost per send
// on loopback TCP for reply sizes from a small GET hit to a large value; a
// thread on another CPU drains the receiving socket. CPU time is the sending
// thread's (user + kernel).
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchmark/benchmark.h"

namespace {

enum Mode { kPlain = 0, kZeroCopy = 1, kZeroCopyFixed = 2 };

struct Pair {
  int tx = -1;
  int rx = -1;
};

Pair Connect() {
  const int l = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  bind(l, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  listen(l, 1);
  getsockname(l, reinterpret_cast<sockaddr*>(&a), &len);
  Pair p;
  p.tx = socket(AF_INET, SOCK_STREAM, 0);
  connect(p.tx, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  p.rx = accept(l, nullptr, nullptr);
  close(l);
  return p;
}

void BM_Send(benchmark::State& state) {
  const auto mode = static_cast<Mode>(state.range(0));
  const size_t size = static_cast<size_t>(state.range(1));
  io_uring ring;
  io_uring_params params{};
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  if (io_uring_queue_init_params(64, &ring, &params) != 0) {
    state.SkipWithError("io_uring");
    return;
  }
  // Eight buffers in rotation: a zero-copy buffer is reusable only once its
  // notification arrived.
  constexpr int kBuffers = 8;
  std::vector<char> memory(kBuffers * size, 'z');
  iovec reg{memory.data(), memory.size()};
  if (mode == kZeroCopyFixed && io_uring_register_buffers(&ring, &reg, 1) != 0) {
    state.SkipWithError("register_buffers");
    return;
  }
  const Pair p = Connect();
  std::atomic<bool> done{false};
  std::thread drain([&] {
    std::vector<char> buf(1 << 20);
    while (recv(p.rx, buf.data(), buf.size(), 0) > 0) {
    }
    done = true;
  });
  int busy[kBuffers] = {};  // notifications outstanding per buffer
  int next = 0;
  for (auto _ : state) {
    while (busy[next] > 0) {
      io_uring_cqe* cqe;
      io_uring_wait_cqe(&ring, &cqe);
      if (cqe->flags & IORING_CQE_F_NOTIF) --busy[cqe->user_data];
      io_uring_cqe_seen(&ring, cqe);
    }
    char* data = memory.data() + next * size;
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (mode == kPlain) {
      io_uring_prep_send(sqe, p.tx, data, size, MSG_WAITALL);
    } else if (mode == kZeroCopy) {
      io_uring_prep_send_zc(sqe, p.tx, data, size, MSG_WAITALL, 0);
    } else {
      io_uring_prep_send_zc_fixed(sqe, p.tx, data, size, MSG_WAITALL, 0, 0);
    }
    sqe->user_data = static_cast<uint64_t>(next);
    if (mode != kPlain) ++busy[next];
    io_uring_submit_and_wait(&ring, 1);
    // Reap the send's completion (and any notifications already there).
    bool sent = false;
    while (!sent) {
      io_uring_cqe* cqe;
      io_uring_wait_cqe(&ring, &cqe);
      if (cqe->flags & IORING_CQE_F_NOTIF) {
        --busy[cqe->user_data];
      } else {
        if (cqe->res != static_cast<int>(size)) state.SkipWithError("short send");
        sent = true;
      }
      io_uring_cqe_seen(&ring, cqe);
    }
    next = (next + 1) % kBuffers;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  shutdown(p.tx, SHUT_WR);
  drain.join();
  close(p.tx);
  close(p.rx);
  io_uring_queue_exit(&ring);
}
BENCHMARK(BM_Send)
    ->ArgNames({"mode", "bytes"})
    ->ArgsProduct({{kPlain, kZeroCopy, kZeroCopyFixed}, {64, 1024, 16384, 262144}});

void BM_FixedBufferPlainSendIsRejected(benchmark::State& state) {
  io_uring ring;
  io_uring_queue_init(8, &ring, 0);
  static char buf[64];
  iovec reg{buf, sizeof(buf)};
  io_uring_register_buffers(&ring, &reg, 1);
  const Pair p = Connect();
  int res = 0;
  for (auto _ : state) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_send(sqe, p.tx, buf, sizeof(buf), 0);
    sqe->ioprio |= IORING_RECVSEND_FIXED_BUF;
    sqe->buf_index = 0;
    io_uring_submit_and_wait(&ring, 1);
    io_uring_cqe* cqe;
    io_uring_wait_cqe(&ring, &cqe);
    res = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
  }
  state.counters["result"] = res;  // -22 (EINVAL) where unsupported
  close(p.tx);
  close(p.rx);
  io_uring_queue_exit(&ring);
}
BENCHMARK(BM_FixedBufferPlainSendIsRejected)->Iterations(1);

}  // namespace
