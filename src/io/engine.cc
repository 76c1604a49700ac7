// Engine: binds, picks the backend, runs one thread per worker.
#include "ringcache/io/engine.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include <pthread.h>
#include <sched.h>

#include "absl/strings/str_cat.h"

#include "epoll_worker.h"
#include "post_queue.h"
#include "sockets.h"
#include "uring_worker.h"
#include "worker.h"

namespace ringcache::io {

const char* EngineKindName(EngineKind kind) {
  switch (kind) {
    case EngineKind::kUring:
      return "uring";
    case EngineKind::kEpoll:
      return "epoll";
    case EngineKind::kAuto:
      break;
  }
  return "auto";
}

namespace {

class EngineImpl final : public Engine {
 public:
  EngineImpl(const EngineOptions& options, HooksFactory hooks, const base::Logger* logger,
             EngineKind kind, std::unique_ptr<BoundSockets> sockets,
             std::vector<std::unique_ptr<PostQueue>> posts)
      : options_(options),
        hooks_factory_(std::move(hooks)),
        logger_(logger),
        kind_(kind),
        sockets_(std::move(sockets)),
        posts_(std::move(posts)),
        stats_(static_cast<size_t>(options.workers)) {}

  ~EngineImpl() override {
    Stop();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  EngineKind kind() const override { return kind_; }
  const std::vector<BoundSocket>& bound() const override { return sockets_->bound(); }
  int workers() const override { return options_.workers; }
  const WorkerStats& stats(int worker) const override { return stats_[worker]; }

  absl::Status Run() override;

  void Stop() override {
    control_.stop.store(true, std::memory_order_release);
    WakeAll();
  }
  void Drain() override {
    control_.drain.store(true, std::memory_order_release);
    WakeAll();
  }
  void Post(int worker, std::function<void()> fn) override { posts_[worker]->Push(std::move(fn)); }
  void SetAccepting(bool accepting) override {
    const bool was = control_.accepting.exchange(accepting, std::memory_order_acq_rel);
    if (was && !accepting) Bump(stats_[0].listen_disabled_num);
    if (was != accepting) WakeAll();
  }

 private:
  void WakeAll() {
    for (auto& q : posts_) q->Wake();
  }
  void WorkerMain(int index);

  const EngineOptions options_;
  const HooksFactory hooks_factory_;
  const base::Logger* const logger_;
  const EngineKind kind_;
  std::unique_ptr<BoundSockets> sockets_;
  std::vector<std::unique_ptr<PostQueue>> posts_;
  std::vector<WorkerStats> stats_;
  EngineControl control_;
  std::vector<std::thread> threads_;

  // Start-up handshake: every worker reports its SetUp() result, then waits
  // for the verdict. (std::mutex: ThreadSanitizer sees it.)
  std::mutex start_mu_;
  std::condition_variable start_cv_;
  int started_ = 0;           // guarded by start_mu_
  absl::Status start_error_;  // guarded by start_mu_
  bool go_ = false;           // guarded by start_mu_
};

void PinToCpu(int cpu, const base::Logger* logger, int index) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  const int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  if (rc != 0) logger->Log(1, "worker %d: cannot pin to CPU %d (error %d)", index, cpu, rc);
}

void EngineImpl::WorkerMain(int index) {
  const std::string name = absl::StrCat("rc-worker-", index);
  pthread_setname_np(pthread_self(), name.c_str());
  if (!options_.cpus.empty()) {
    PinToCpu(options_.cpus[static_cast<size_t>(index) % options_.cpus.size()], logger_, index);
  }
  WorkerEnv env;
  env.index = index;
  env.workers = options_.workers;
  env.options = &options_;
  env.control = &control_;
  env.stats = &stats_[index];
  env.sockets = &sockets_->of_worker(index);
  env.posts = posts_[index].get();
  env.logger = logger_;
  std::unique_ptr<Worker> worker;
  if (kind_ == EngineKind::kUring) {
    worker = std::make_unique<UringWorker>(env);
  } else {
    worker = std::make_unique<EpollWorker>(env);
  }
  // Set up on this thread (SINGLE_ISSUER binds the ring to its creator),
  // then wait until every worker is ready or one failed.
  absl::Status status = worker->SetUp();
  bool go;
  {
    std::unique_lock<std::mutex> lock(start_mu_);
    ++started_;
    if (!status.ok() && start_error_.ok()) {
      start_error_ =
          absl::Status(status.code(), absl::StrCat("worker ", index, ": ", status.message()));
    }
    start_cv_.notify_all();
    start_cv_.wait(lock, [this] { return go_; });
    go = start_error_.ok();
  }
  if (go) worker->Run(hooks_factory_(index));
  posts_[index]->Close();
}

absl::Status EngineImpl::Run() {
  const int n = options_.workers;
  threads_.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this, i] { WorkerMain(i); });
  absl::Status start_status;
  {
    std::unique_lock<std::mutex> lock(start_mu_);
    start_cv_.wait(lock, [this, n] { return started_ == n; });
    go_ = true;
    start_status = start_error_;
  }
  start_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  sockets_->CloseAll();
  return start_status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const EngineOptions& options,
                                                       HooksFactory hooks,
                                                       const base::Logger* logger) {
  if (options.workers < 1) return absl::InvalidArgumentError("workers must be >= 1");
  // No listener at all is valid (memcached's -p 0 without -U): the workers
  // run and serve nobody, as memcached does.
  if (options.recv_buffers < 1 || (options.recv_buffers & (options.recv_buffers - 1)) != 0) {
    return absl::InvalidArgumentError("recv_buffers must be a power of two");
  }
  if (options.recv_buffer_size < 512) {
    return absl::InvalidArgumentError("recv_buffer_size must be at least 512");
  }
  EngineKind kind = options.kind;
  if (kind != EngineKind::kEpoll) {
    const absl::Status probe = ProbeUring();
    if (!probe.ok()) {
      if (kind == EngineKind::kUring) {
        return absl::Status(probe.code(),
                            absl::StrCat("io_engine=uring: io_uring unusable: ", probe.message()));
      }
      logger->Error("io_uring unavailable (%s); using epoll", probe.message());
      kind = EngineKind::kEpoll;
    } else {
      kind = EngineKind::kUring;
    }
  }
  auto sockets = BoundSockets::Bind(options);
  if (!sockets.ok()) return sockets.status();
  std::vector<std::unique_ptr<PostQueue>> posts;
  for (int i = 0; i < options.workers; ++i) {
    auto q = PostQueue::Create();
    if (!q.ok()) return q.status();
    posts.push_back(*std::move(q));
  }
  return std::unique_ptr<Engine>(new EngineImpl(options, std::move(hooks), logger, kind,
                                                *std::move(sockets), std::move(posts)));
}

}  // namespace ringcache::io
