// The server's request path without sockets: pipelined text GETs and SETs
// handed to real Connection handlers of a real WorkerContext and store, the
// way the io_uring worker hands them over in one turn (OnDataSoon for every
// connection of the batch, then OnData for each), replies consumed as a send
// would. What it measures is the user-space CPU a request costs the worker,
// which bench/compare cannot separate from the kernel's TCP path and the
// host's noise.
//
// Arguments: key count, connections per turn. Every connection carries 16
// requests per turn (ringload's --pipeline 16); keys are 12 bytes, drawn
// uniformly; values 32 bytes; every GET hits.
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"

#include "host_worker.h"
#include "ringcache/io/handler.h"
#include "worker_context.h"

namespace ringcache::server {
namespace {

using hosted::HostConnection;
using hosted::HostedConn;
using hosted::HostWorker;

constexpr int kDepth = 16;
constexpr int kValueBytes = 32;
// Distinct turns generated up front, so the key draws cost nothing while timed.
constexpr int kTurnsGenerated = 512;

std::string Key(uint64_t i) { return absl::StrFormat("k%011d", i); }

// Sets `keys` keys through the request path itself.
void Preload(HostWorker& w, int keys) {
  HostedConn conn(w, /*id=*/1);
  const std::string value(kValueBytes, 'v');
  for (int i = 0; i < keys; ++i) {
    conn.Turn(absl::StrFormat("set %s 0 0 %d noreply\r\n%s\r\n", Key(i), kValueBytes, value),
              /*look_ahead=*/false);
  }
}

// Turns of `conns` buffers of kDepth requests each; `set` picks SET or GET.
std::vector<std::vector<std::string>> MakeTurns(int keys, int conns, bool set) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<uint64_t> pick(0, static_cast<uint64_t>(keys) - 1);
  const std::string value(kValueBytes, 'w');
  std::vector<std::vector<std::string>> turns(kTurnsGenerated);
  for (auto& turn : turns) {
    for (int c = 0; c < conns; ++c) {
      std::string buf;
      for (int r = 0; r < kDepth; ++r) {
        const std::string key = Key(pick(rng));
        buf += set ? absl::StrFormat("set %s 0 0 %d\r\n%s\r\n", key, kValueBytes, value)
                   : absl::StrFormat("get %s\r\n", key);
      }
      turn.push_back(std::move(buf));
    }
  }
  return turns;
}

// One event-loop turn as the io_uring worker runs it: the look-ahead for
// every connection of the batch, then each connection's data, then the
// sends (here: the replies are consumed).
inline bool Turn(WorkerContext& wc, const std::vector<std::unique_ptr<HostConnection>>& hosts,
                 const std::vector<std::unique_ptr<io::ConnectionHandler>>& handlers,
                 const std::vector<std::string>& turn) {
  const size_t conns = turn.size();
  wc.OnTurnStart();
  for (size_t c = 0; c < conns; ++c) handlers[c]->OnDataSoon(turn[c]);
  wc.AfterDataSoon();
  for (size_t c = 0; c < conns; ++c) {
    const io::DataResult r = handlers[c]->OnData(*hosts[c], turn[c]);
    if (r.consumed != turn[c].size() || hosts[c]->closed()) return false;
    base::OutBuffer& out = hosts[c]->out();
    out.Consume(out.size());
  }
  wc.OnTurnEnd();
  return true;
}

// The measured turns, and the warm-up ones before them: not inlined, so a
// profiler can tell them apart (valgrind --toggle-collect=*ServeTurn*).
[[gnu::noinline]] bool ServeTurn(
    WorkerContext& wc, const std::vector<std::unique_ptr<HostConnection>>& hosts,
    const std::vector<std::unique_ptr<io::ConnectionHandler>>& handlers,
    const std::vector<std::string>& turn) {
  return Turn(wc, hosts, handlers, turn);
}
[[gnu::noinline]] bool WarmUpTurn(
    WorkerContext& wc, const std::vector<std::unique_ptr<HostConnection>>& hosts,
    const std::vector<std::unique_ptr<io::ConnectionHandler>>& handlers,
    const std::vector<std::string>& turn) {
  return Turn(wc, hosts, handlers, turn);
}

void RunTurns(benchmark::State& state, bool set) {
  const int keys = static_cast<int>(state.range(0));
  const int conns = static_cast<int>(state.range(1));
  HostWorker w;
  Preload(w, keys);
  WorkerContext& wc = w.context();
  std::vector<std::unique_ptr<HostConnection>> hosts;
  std::vector<std::unique_ptr<io::ConnectionHandler>> handlers;
  for (int c = 0; c < conns; ++c) {
    hosts.push_back(std::make_unique<HostConnection>(w.pool(), /*id=*/2 + c));
    handlers.push_back(wc.OnAccept(hosts.back()->info()));
  }
  const std::vector<std::vector<std::string>> turns = MakeTurns(keys, conns, set);
  size_t t = 0;
  // Overwrites leave tombstones in the LRU queues, and sparse queue blocks
  // are merged only once they thin out: before measuring, overwrite every
  // key about twice, so the measured turns pay the steady state's merges.
  const size_t warm_turns = set ? 2 * static_cast<size_t>(keys) / (conns * kDepth) + 1 : 0;
  for (size_t i = 0; i < warm_turns; ++i) {
    if (!WarmUpTurn(wc, hosts, handlers, turns[t++ % turns.size()])) {
      state.SkipWithError("a request was not consumed whole");
      return;
    }
  }
  for (auto _ : state) {
    if (!ServeTurn(wc, hosts, handlers, turns[t++ % turns.size()])) {
      state.SkipWithError("a request was not consumed whole");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * conns * kDepth);
  for (int c = 0; c < conns; ++c) handlers[c]->OnClose(*hosts[c]);
}

void BM_Get16(benchmark::State& state) { RunTurns(state, /*set=*/false); }
void BM_Set16(benchmark::State& state) { RunTurns(state, /*set=*/true); }

// 1000 keys stay in the caches; 100k is bench/compare's key space; 1M is not
// cached at all.
BENCHMARK(BM_Get16)
    ->Args({1000, 27})
    ->Args({100'000, 1})
    ->Args({100'000, 27})
    ->Args({1'000'000, 27});
BENCHMARK(BM_Set16)->Args({1000, 27})->Args({100'000, 27})->Args({1'000'000, 27});

}  // namespace
}  // namespace ringcache::server

BENCHMARK_MAIN();
