#include "post_queue.h"

#include <cstdint>
#include <utility>

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace ringcache::io {

absl::StatusOr<std::unique_ptr<PostQueue>> PostQueue::Create() {
  // Blocking on purpose: an io_uring read of a nonblocking file fails with
  // EAGAIN instead of waiting. Nobody blocks on it in practice: the worker
  // reads only when it is readable (epoll) or through the ring, and writers
  // never overflow the counter (one write per wake-up).
  const int fd = eventfd(0, EFD_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "eventfd");
  return std::unique_ptr<PostQueue>(new PostQueue(fd));
}

PostQueue::~PostQueue() { ::close(fd_); }

void PostQueue::Push(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    tasks_.push_back(std::move(fn));
  }
  Wake();
}

void PostQueue::Wake() {
  if (signaled_.exchange(true, std::memory_order_acq_rel)) return;
  const uint64_t one = 1;
  while (::write(fd_, &one, sizeof(one)) < 0 && errno == EINTR) {
  }
}

size_t PostQueue::RunAll() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_.swap(tasks_);
  }
  const size_t n = running_.size();
  for (auto& fn : running_) fn();
  running_.clear();
  return n;
}

void PostQueue::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  tasks_.clear();
}

}  // namespace ringcache::io
