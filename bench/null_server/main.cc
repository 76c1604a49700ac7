// null_server: the io engine with a handler that stores nothing (see
// null_handler.h); the ceiling ringcached is measured against.
//
//   null_server [-p PORT] [-l ADDR] [-t THREADS] [-c MAXCONNS]
//               [-o io_engine=uring|epoll|auto] [-o batch_wait_us=N]
//               [-o recv_buffer_size=N] [-o recv_buffers=N]
//
// Workers are pinned to the CPUs the process may use (taskset). SIGINT and
// SIGTERM stop it; on exit it prints the engine counters to stderr, among
// them kernel entries per request.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "null_handler.h"
#include "ringcache/base/logger.h"
#include "ringcache/io/cpus.h"
#include "ringcache/io/engine.h"

namespace ringcache::bench {
namespace {

struct alignas(64) PaddedCounter {
  std::atomic<uint64_t> value{0};
};

class NullHooks final : public io::WorkerHooks {
 public:
  NullHooks(std::atomic<uint64_t>* requests, std::function<std::string()> stats)
      : requests_(requests), stats_(std::move(stats)) {}
  std::unique_ptr<io::ConnectionHandler> OnAccept(const io::ConnInfo&) override {
    return std::make_unique<NullHandler>(requests_, stats_);
  }

 private:
  std::atomic<uint64_t>* requests_;
  std::function<std::string()> stats_;
};

int Usage() {
  std::fprintf(stderr,
               "usage: null_server [-p PORT] [-l ADDR] [-t THREADS] [-c MAXCONNS]\n"
               "                   [-o io_engine=uring|epoll|auto] [-o batch_wait_us=N]\n"
               "                   [-o recv_buffer_size=N] [-o recv_buffers=N]\n");
  return 2;
}

bool ParseOption(absl::string_view opt, io::EngineOptions* o) {
  for (absl::string_view kv : absl::StrSplit(opt, ',')) {
    const std::pair<absl::string_view, absl::string_view> p = absl::StrSplit(kv, '=');
    int n = 0;
    if (p.first == "io_engine") {
      if (p.second == "uring") {
        o->kind = io::EngineKind::kUring;
      } else if (p.second == "epoll") {
        o->kind = io::EngineKind::kEpoll;
      } else if (p.second == "auto") {
        o->kind = io::EngineKind::kAuto;
      } else {
        return false;
      }
    } else if (p.first == "batch_wait_us" && absl::SimpleAtoi(p.second, &n) && n >= 0) {
      o->batch_wait_us = n;
    } else if (p.first == "recv_buffer_size" && absl::SimpleAtoi(p.second, &n) && n > 0) {
      o->recv_buffer_size = static_cast<size_t>(n);
    } else if (p.first == "recv_buffers" && absl::SimpleAtoi(p.second, &n) && n > 0) {
      o->recv_buffers = n;
    } else {
      return false;
    }
  }
  return true;
}

uint64_t Sum(const io::Engine& e, std::atomic<uint64_t> io::WorkerStats::*field) {
  uint64_t s = 0;
  for (int w = 0; w < e.workers(); ++w) s += (e.stats(w).*field).load(std::memory_order_relaxed);
  return s;
}

int Main(int argc, char** argv) {
  io::EngineOptions options;
  std::string host = "";
  int port = 11211;
  int threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) return Usage();
    const char* v = argv[++i];
    if (a == "-p") {
      if (!absl::SimpleAtoi(v, &port)) return Usage();
    } else if (a == "-l") {
      host = v;
    } else if (a == "-t") {
      if (!absl::SimpleAtoi(v, &threads) || threads < 1) return Usage();
    } else if (a == "-c") {
      if (!absl::SimpleAtoi(v, &options.max_connections)) return Usage();
    } else if (a == "-o") {
      if (!ParseOption(v, &options)) return Usage();
    } else {
      return Usage();
    }
  }
  auto cpus = io::AllowedCpus();
  if (!cpus.ok()) {
    std::fprintf(stderr, "null_server: %s\n", std::string(cpus.status().message()).c_str());
    return 1;
  }
  options.cpus = *cpus;
  options.workers = threads > 0 ? threads : static_cast<int>(cpus->size());
  options.tcp.push_back(io::ListenAddress{host, port});

  // Signals are taken by a thread of their own (sigwait), never by a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<PaddedCounter> requests(static_cast<size_t>(options.workers));
  base::Logger logger(1);
  io::Engine* engine_ptr = nullptr;
  auto stats_text = [&]() {
    std::string s;
    if (engine_ptr == nullptr) return s;
    uint64_t reqs = 0;
    for (const auto& r : requests) reqs += r.value.load(std::memory_order_relaxed);
    absl::StrAppend(&s, "STAT requests ", reqs, "\r\n");
    absl::StrAppend(&s, "STAT kernel_entries ", Sum(*engine_ptr, &io::WorkerStats::kernel_entries),
                    "\r\n");
    absl::StrAppend(&s, "STAT turns ", Sum(*engine_ptr, &io::WorkerStats::turns), "\r\n");
    absl::StrAppend(&s, "STAT sends ", Sum(*engine_ptr, &io::WorkerStats::sends), "\r\n");
    absl::StrAppend(&s, "STAT recv_completions ",
                    Sum(*engine_ptr, &io::WorkerStats::recv_completions), "\r\n");
    absl::StrAppend(&s, "STAT curr_connections ",
                    Sum(*engine_ptr, &io::WorkerStats::curr_connections), "\r\n");
    return s;
  };
  auto engine = io::Engine::Create(
      options,
      [&](int worker) -> std::unique_ptr<io::WorkerHooks> {
        return std::make_unique<NullHooks>(&requests[static_cast<size_t>(worker)].value,
                                           stats_text);
      },
      &logger);
  if (!engine.ok()) {
    std::fprintf(stderr, "null_server: %s\n", std::string(engine.status().message()).c_str());
    return 1;
  }
  engine_ptr = engine->get();
  std::fprintf(stderr, "null_server: %d worker(s), io_engine=%s, port %d\n", options.workers,
               io::EngineKindName((*engine)->kind()), port);
  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    (*engine)->Stop();
  });
  const absl::Status st = (*engine)->Run();
  // Wake the signal thread if Run ended for another reason.
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  uint64_t reqs = 0;
  for (const auto& r : requests) reqs += r.value.load();
  const uint64_t entries = Sum(**engine, &io::WorkerStats::kernel_entries);
  std::fprintf(stderr,
               "null_server: requests %llu, kernel entries %llu (%.4f per request), turns %llu, "
               "sends %llu, receives %llu\n",
               static_cast<unsigned long long>(reqs), static_cast<unsigned long long>(entries),
               reqs > 0 ? static_cast<double>(entries) / static_cast<double>(reqs) : 0.0,
               static_cast<unsigned long long>(Sum(**engine, &io::WorkerStats::turns)),
               static_cast<unsigned long long>(Sum(**engine, &io::WorkerStats::sends)),
               static_cast<unsigned long long>(Sum(**engine, &io::WorkerStats::recv_completions)));
  if (!st.ok()) {
    std::fprintf(stderr, "null_server: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace ringcache::bench

int main(int argc, char** argv) { return ringcache::bench::Main(argc, argv); }
