// RunServer: the server's lifecycle, in memcached's order.
//
//   store -> engine (binds every socket) -> port file, pid file, user switch
//   -> background maintainer -> workers run until a signal or `shutdown`
//   -> workers stop -> background stops -> engine, then store, go away.
//
// Signals: every thread blocks SIGINT, SIGTERM, SIGUSR1 and SIGHUP before
// the first thread starts; one signal thread takes them with sigtimedwait.
// SIGINT and SIGTERM stop at once, SIGUSR1 drains (stop accepting, flush,
// stop), SIGHUP is for reloading the auth file. SIGPIPE is ignored: a peer
// that vanished is an ordinary send error.
#include "ringcache/server/server.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

#include "ringcache/base/clock.h"
#include "ringcache/base/logger.h"
#include "ringcache/io/cpus.h"
#include "ringcache/io/engine.h"
#include "ringcache/server/config.h"
#include "ringcache/server/process.h"
#include "ringcache/storage/store.h"
#include "sd_notify.h"
#include "server_context.h"
#include "worker_context.h"

namespace ringcache::server {
namespace {

storage::StoreConfig StoreConfigFrom(const Config& config) {
  storage::StoreConfig s;
  s.memory_limit = config.max_bytes;
  s.item_size_max = static_cast<size_t>(config.item_size_max);
  s.evict = config.evict_to_free;
  s.cas_enabled = config.use_cas;
  s.workers = config.num_threads;
  if (config.hashpower_init > 0) s.hashpower = config.hashpower_init;
  s.hash_expand = config.hash_expand;
  s.lru.hot_lru_pct = config.hot_lru_pct;
  s.lru.warm_lru_pct = config.warm_lru_pct;
  s.lru.hot_max_factor = config.hot_max_factor;
  s.lru.warm_max_factor = config.warm_max_factor;
  s.lru.segmented = config.lru_segmented;
  s.lru.temp_lru = config.temp_lru;
  s.lru.temporary_ttl = config.temporary_ttl;
  s.lru_maintainer = config.lru_maintainer;
  s.lru_crawler = config.lru_crawler;
  s.crawler_sleep_us = static_cast<uint32_t>(config.lru_crawler_sleep);
  s.crawler_tocrawl = config.lru_crawler_tocrawl;
  return s;
}

io::EngineOptions EngineOptionsFrom(const Config& config) {
  io::EngineOptions e;
  e.kind = config.io_engine;
  e.workers = config.num_threads;
  if (config.pin_threads) {
    // Without an affinity mask to read, workers run unpinned.
    if (absl::StatusOr<std::vector<int>> cpus = io::AllowedCpus(); cpus.ok()) e.cpus = *cpus;
  }
  for (const ListenerSpec& l : config.listeners) {
    // memcached's -p -1 (ephemeral) is port 0 for the kernel.
    io::ListenAddress a{l.host, l.port < 0 ? 0 : l.port};
    (l.transport == io::Transport::kUdp ? e.udp : e.tcp).push_back(a);
  }
  e.unix_path = config.unix_socket;
  e.unix_mask = config.unix_mask;
  e.backlog = config.backlog;
  e.max_connections = config.max_connections;
  e.reject_message = "ERROR Too many open connections\r\n";
  e.idle_timeout_seconds = config.idle_timeout;
  return e;
}

// Waits for the process-directed signals every other thread blocks.
class SignalThread {
 public:
  SignalThread(io::Engine& engine, const base::Logger& logger, AuthFile* auth)
      : engine_(engine), logger_(logger), auth_(auth) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~SignalThread() {
    done_.store(true, std::memory_order_relaxed);
    thread_.join();
  }

 private:
  void Loop() {
    sigset_t set = HandledSignals();
    const timespec tick{0, 100 * 1000 * 1000};
    while (!done_.load(std::memory_order_relaxed)) {
      const int sig = sigtimedwait(&set, nullptr, &tick);
      switch (sig) {
        case SIGINT:
        case SIGTERM:
          logger_.Log(1, "Signal handled: %s.", sig == SIGINT ? "Interrupt" : "Terminated");
          NotifySystemd("STOPPING=1");
          engine_.Stop();
          break;
        case SIGUSR1:
          logger_.Log(1, "Graceful shutdown signal handled: User defined signal 1.");
          NotifySystemd("STOPPING=1");
          engine_.Drain();
          break;
        case SIGHUP:
          // memcached re-reads the -Y authfile; a failed reload keeps the
          // entries in force.
          if (auth_ != nullptr) {
            int err;
            const AuthFile::LoadResult r = auth_->Load(&err);
            if (r != AuthFile::LoadResult::kOk) {
              logger_.Log(1, "%s", auth_->FailureMessage(r, err));
            }
          }
          break;
        default:
          break;  // timeout or EINTR: check done_
      }
    }
  }

 public:
  static sigset_t HandledSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGHUP);
    return set;
  }

 private:
  io::Engine& engine_;
  const base::Logger& logger_;
  AuthFile* auth_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

int RunServer(const Config& config) {
  base::Logger logger(config.verbosity);
  const base::ProcessClock clock = base::ProcessClock::StartingNow();

  // Before any thread exists: signals go to the signal thread only.
  const sigset_t handled = SignalThread::HandledSignals();
  pthread_sigmask(SIG_BLOCK, &handled, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // memcached loads the authfile before anything is bound.
  std::unique_ptr<AuthFile> auth;
  if (!config.auth_file.empty()) {
    auth = std::make_unique<AuthFile>(config.auth_file);
    int err;
    const AuthFile::LoadResult r = auth->Load(&err);
    if (r != AuthFile::LoadResult::kOk) {
      const std::string message = auth->FailureMessage(r, err);
      fputs(message.c_str(), stderr);
      return EXIT_FAILURE;
    }
  }

  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::Store::Create(StoreConfigFrom(config));
  if (!store.ok()) {
    logger.Error("failed to create the cache: %s", store.status().message());
    return EXIT_FAILURE;
  }
  ServerContext context(config, logger, **store, clock, time(nullptr));
  context.auth = auth.get();

  absl::StatusOr<std::unique_ptr<io::Engine>> engine = io::Engine::Create(
      EngineOptionsFrom(config),
      [&context](int) { return std::make_unique<WorkerContext>(context); }, &logger);
  if (!engine.ok()) {
    logger.Error("%s", engine.status().message());
    return 71;  // memcached exits with EX_OSERR when it cannot listen
  }
  context.engine = engine->get();
  context.watch.set_engine(engine->get());
  EvictionWatch eviction_watch(context.watch);
  (*store)->SetEvictionListener(&eviction_watch);

  if (const char* port_file = getenv("MEMCACHED_PORT_FILENAME");
      port_file != nullptr && config.unix_socket.empty()) {
    WritePortFile(port_file, (*engine)->bound()).Print();
  }
  if (!config.pid_file.empty()) WritePidFile(config.pid_file, getpid()).Print();
  if (const Outcome o = SwitchUser(config); o.exit_code()) {
    o.Print();
    return *o.exit_code();
  }

  if (absl::Status s = (*store)->StartBackground([&clock] { return clock.Now(); }); !s.ok()) {
    logger.Error("failed to start the LRU maintainer: %s", s.message());
    return EXIT_FAILURE;
  }

  absl::Status run;
  {
    SignalThread signals(**engine, logger, auth.get());
    // The sockets are bound and the workers start within Run: from here a
    // client that connects is served.
    NotifySystemd("READY=1");
    run = (*engine)->Run();
  }
  (*store)->StopBackground();
  engine->reset();
  (*store)->SetEvictionListener(nullptr);
  if (config.daemonize && !config.pid_file.empty()) RemovePidFile(config.pid_file).Print();
  if (!run.ok()) {
    logger.Error("%s", run.message());
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}

}  // namespace ringcache::server
