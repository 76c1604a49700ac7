#include "uring_ring.h"

#include <thread>

#include <errno.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace ringcache::io {

// Sets up `ring` with the best flags the kernel takes (see the header).
int InitRing(io_uring* ring, unsigned* flags_out) {
  const unsigned base = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE;
  const unsigned choices[] = {
      base | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,  // 6.1+
      base | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN,   // 6.0
      base | IORING_SETUP_COOP_TASKRUN,                                // 5.19
  };
  int rc = -EINVAL;
  for (unsigned flags : choices) {
    io_uring_params p{};
    p.flags = flags;
    p.cq_entries = kCqEntries;
    rc = io_uring_queue_init_params(kSqEntries, ring, &p);
    if (rc == 0) {
      *flags_out = flags;
      return 0;
    }
    if (rc != -EINVAL) return rc;  // EPERM, ENOSYS, ENOMEM: no point trying less
  }
  return rc;
}

namespace {

absl::Status ProbeOnThisThread() {
  io_uring ring;
  unsigned flags = 0;
  int rc = InitRing(&ring, &flags);
  if (rc < 0) return absl::ErrnoToStatus(-rc, "io_uring_queue_init");
  absl::Status status;
  const size_t ring_bytes = 8 * sizeof(io_uring_buf);
  void* br_mem =
      mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (br_mem == MAP_FAILED) br_mem = nullptr;
  static char buffers[8][64];
  int sv[2] = {-1, -1};
  if (br_mem == nullptr) {
    status = absl::ResourceExhaustedError("mmap");
  } else {
    auto* br = static_cast<io_uring_buf_ring*>(br_mem);
    io_uring_buf_ring_init(br);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<uint64_t>(br);
    reg.ring_entries = 8;
    reg.bgid = 0;
    rc = io_uring_register_buf_ring(&ring, &reg, 0);
    if (rc < 0) {
      status = absl::ErrnoToStatus(-rc, "io_uring_register_buf_ring");
    } else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      status = absl::ErrnoToStatus(errno, "socketpair");
    } else {
      for (int i = 0; i < 8; ++i) {
        io_uring_buf_ring_add(br, buffers[i], sizeof(buffers[i]), i, io_uring_buf_ring_mask(8), i);
      }
      io_uring_buf_ring_advance(br, 8);
      io_uring_sqe* sqe = io_uring_get_sqe(&ring);
      io_uring_prep_recv_multishot(sqe, sv[0], nullptr, 0, 0);
      sqe->flags |= IOSQE_BUFFER_SELECT;
      sqe->buf_group = 0;
      sqe->user_data = 1;
      if (::write(sv[1], "x", 1) != 1) status = absl::ErrnoToStatus(errno, "write");
      io_uring_cqe* cqe = nullptr;
      __kernel_timespec ts{1, 0};
      if (status.ok()) {
        rc = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, nullptr);
        if (rc < 0 || cqe == nullptr) {
          status = absl::ErrnoToStatus(rc < 0 ? -rc : ETIME, "multishot recv");
        } else if (cqe->res != 1 || !(cqe->flags & IORING_CQE_F_BUFFER) ||
                   !(cqe->flags & IORING_CQE_F_MORE)) {
          status = absl::UnimplementedError(
              absl::StrCat("multishot recv unsupported (res ", cqe->res, ")"));
        }
      }
      // Leave nothing in flight: a request still pending at exit is torn
      // down asynchronously, with task work that interrupts this thread's
      // next blocking syscall (EINTR).
      if (cqe != nullptr) io_uring_cqe_seen(&ring, cqe);
      sqe = io_uring_get_sqe(&ring);
      io_uring_prep_cancel64(sqe, 1, IORING_ASYNC_CANCEL_ALL);
      sqe->user_data = 2;
      io_uring_submit(&ring);
      for (int pending = 2; pending > 0;) {
        __kernel_timespec wait{1, 0};
        if (io_uring_wait_cqe_timeout(&ring, &cqe, &wait) != 0) break;
        const bool final_recv = cqe->user_data == 1 && !(cqe->flags & IORING_CQE_F_MORE);
        if (final_recv || cqe->user_data == 2) --pending;
        io_uring_cqe_seen(&ring, cqe);
      }
      io_uring_unregister_buf_ring(&ring, 0);
    }
  }
  io_uring_queue_exit(&ring);
  if (sv[0] >= 0) ::close(sv[0]);
  if (sv[1] >= 0) ::close(sv[1]);
  if (br_mem != nullptr) munmap(br_mem, ring_bytes);
  return status;
}

}  // namespace

absl::Status ProbeUring() {
  // On a thread of its own: closing a ring makes the kernel send task work
  // to the thread that used it, which would interrupt a blocking syscall of
  // the caller (EINTR); an exiting thread just drops it.
  absl::Status status;
  std::thread([&status] { status = ProbeOnThisThread(); }).join();
  return status;
}

}  // namespace ringcache::io
