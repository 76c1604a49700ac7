// Google Benchmarks of the io layer's hot parts:
//   - InputCarry: assembling a request that spans receive buffers, and the
//     sliding window of a pipelining client (partial request at each end);
//   - the engine end to end over loopback TCP: a client thread keeps `depth`
//     requests in flight on one connection to a line-echo handler, on each
//     backend; the worker is pinned to the first allowed CPU and the client
//     to the second (when there is one). Items/s is requests/s; it includes
//     the kernel's TCP cost and the client's, so compare backends and depths
//     within one run.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchmark/benchmark.h"

#include "input_carry.h"
#include "ringcache/base/logger.h"
#include "ringcache/io/cpus.h"
#include "ringcache/io/engine.h"

namespace ringcache::io {
namespace {

// Assembles a 1 MiB request from `piece`-byte receives. Cold: a fresh carry
// each time (growth, allocation and first-touch page faults included); warm:
// one carry whose buffer has already grown (one byte stays, so it is kept),
// i.e. the copying alone. Linear cost: the time per MiB does not depend on
// the piece size beyond per-call overhead.
void BM_CarryAssembleLargeRequest(benchmark::State& state) {
  const size_t piece = static_cast<size_t>(state.range(0));
  const bool warm = state.range(1) != 0;
  const std::string bytes(piece, 'v');
  const size_t total = 1 << 20;
  InputCarry kept;
  for (auto _ : state) {
    InputCarry fresh;
    InputCarry& carry = warm ? kept : fresh;
    for (size_t n = 0; n < total; n += piece) {
      if (!carry.Append(bytes, 4 * total)) state.SkipWithError("limit");
    }
    benchmark::DoNotOptimize(carry.view().data());
    carry.Consume(carry.size() - (warm ? 1 : 0));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * total));
}
BENCHMARK(BM_CarryAssembleLargeRequest)
    ->ArgNames({"piece", "warm"})
    ->ArgsProduct({{1500, 16384}, {0, 1}});

void BM_CarrySlidingWindow(benchmark::State& state) {
  // Each receive ends mid-request: the tail is kept and completed next time.
  const std::string chunk = std::string(4000, 'r') + "get partial-ke";
  InputCarry carry;
  for (auto _ : state) {
    if (!carry.Append(chunk, 1 << 20)) state.SkipWithError("limit");
    carry.Consume(carry.size() - 14);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * chunk.size()));
}
BENCHMARK(BM_CarrySlidingWindow);

class Echo final : public ConnectionHandler {
 public:
  DataResult OnData(Connection& conn, std::string_view data) override {
    const size_t end = data.rfind('\n');
    if (end == std::string_view::npos) return {0, false};
    conn.out().Append(data.substr(0, end + 1));
    return {end + 1, false};
  }
};

class EchoHooks final : public WorkerHooks {
 public:
  std::unique_ptr<ConnectionHandler> OnAccept(const ConnInfo&) override {
    return std::make_unique<Echo>();
  }
};

void BM_EngineRoundTrip(benchmark::State& state) {
  const auto kind = static_cast<EngineKind>(state.range(0));
  const int depth = static_cast<int>(state.range(1));
  EngineOptions o;
  o.kind = kind;
  o.tcp.push_back(ListenAddress{"127.0.0.1", 0});
  // Read once, before this thread pins itself below.
  static const std::vector<int> cpus = AllowedCpus().value_or(std::vector<int>{});
  if (cpus.size() >= 2) {
    o.cpus = {cpus[0]};
    cpu_set_t client;
    CPU_ZERO(&client);
    CPU_SET(cpus[1], &client);
    pthread_setaffinity_np(pthread_self(), sizeof(client), &client);
  }
  base::Logger logger;
  auto engine = Engine::Create(
      o, [](int) -> std::unique_ptr<WorkerHooks> { return std::make_unique<EchoHooks>(); },
      &logger);
  if (!engine.ok()) {
    state.SkipWithError("engine");
    return;
  }
  std::thread runner([&] { (void)(*engine)->Run(); });
  const auto& bound = reinterpret_cast<const sockaddr_in&>((*engine)->bound()[0].addr);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&bound), sizeof(bound)) != 0) {
    state.SkipWithError("connect");
  }
  const std::string request = "get bench-key-01\n";
  std::string batch;
  for (int i = 0; i < depth; ++i) batch += request;
  char buf[65536];
  for (auto _ : state) {
    if (send(fd, batch.data(), batch.size(), 0) != static_cast<ssize_t>(batch.size())) {
      state.SkipWithError("send");
      break;
    }
    size_t got = 0;
    while (got < batch.size()) {
      const ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) {
        state.SkipWithError("recv");
        break;
      }
      got += static_cast<size_t>(n);
    }
  }
  state.SetItemsProcessed(state.iterations() * depth);
  ::close(fd);
  (*engine)->Stop();
  runner.join();
}
BENCHMARK(BM_EngineRoundTrip)
    ->ArgNames({"engine", "depth"})
    ->Args({static_cast<int>(EngineKind::kUring), 1})
    ->Args({static_cast<int>(EngineKind::kEpoll), 1})
    ->Args({static_cast<int>(EngineKind::kUring), 16})
    ->Args({static_cast<int>(EngineKind::kEpoll), 16})
    ->UseRealTime();

}  // namespace
}  // namespace ringcache::io

BENCHMARK_MAIN();
