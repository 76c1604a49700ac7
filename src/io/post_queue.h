// The one way into a worker from other threads: tasks (Engine::Post) and
// wake-ups for control changes (Stop, Drain, SetAccepting).
//
// Producers push under a mutex and ring the worker's eventfd only when it is
// not already rung (an atomic flag), so a burst of posts costs one write(2)
// and one wake-up. The worker watches the eventfd in its own loop (an io_uring
// read, or epoll), calls Acknowledge() when it fires, and then runs the tasks
// and re-reads the control flags. Acknowledge() clears the flag with an
// acquire-release exchange, so anything a producer stored before ringing is
// visible to the worker afterwards.
//
// Threading: Push/Wake from any thread; Acknowledge/RunAll on the worker.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"

namespace ringcache::io {

class PostQueue {
 public:
  static absl::StatusOr<std::unique_ptr<PostQueue>> Create();
  ~PostQueue();
  PostQueue(const PostQueue&) = delete;
  PostQueue& operator=(const PostQueue&) = delete;

  // The eventfd the worker waits on.
  int fd() const { return fd_; }

  // Queues `fn`; dropped (never run) once the queue is closed.
  void Push(std::function<void()> fn);
  // Rings the eventfd unless it is already rung.
  void Wake();

  // Worker side: the eventfd fired (its counter was read).
  void Acknowledge() { signaled_.exchange(false, std::memory_order_acq_rel); }
  // Runs every queued task; returns how many ran.
  size_t RunAll();
  // Runs nothing more; later pushes are dropped.
  void Close();

 private:
  explicit PostQueue(int fd) : fd_(fd) {}

  const int fd_;
  std::atomic<bool> signaled_{false};
  // A std::mutex rather than absl::Mutex: ThreadSanitizer understands it
  // without an instrumented absl.
  std::mutex mu_;
  std::vector<std::function<void()>> tasks_;    // guarded by mu_
  bool closed_ = false;                         // guarded by mu_
  std::vector<std::function<void()>> running_;  // worker only
};

}  // namespace ringcache::io
