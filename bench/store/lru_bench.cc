// Google Benchmarks of the LRU's bookkeeping structures: a queue's push and
// pop, and the stale-entry table's record and take at the sizes a stripe
// sees (a few hundred records fit the CPU caches; a hundred thousand do not).
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "lru_queue.h"
#include "stale_set.h"

namespace ringcache::storage {
namespace {

void BM_LruQueuePushPop(benchmark::State& state) {
  LruQueue q;
  const auto depth = static_cast<uint32_t>(state.range(0));
  for (uint32_t i = 1; i <= depth; ++i) q.PushNewest({i});
  uint32_t next = depth + 1;
  for (auto _ : state) {
    q.PushNewest({next});
    ++next;
    benchmark::DoNotOptimize(q.PeekOldest());
    q.PopOldest();
  }
}
BENCHMARK(BM_LruQueuePushPop)->Arg(1000)->Arg(100'000);

// Steady churn: each iteration records one entry and takes the oldest record
// back, with `range(0)` records held; the take's slot is prefetched
// `range(1)` iterations ahead (0: not at all), as a sweep does.
void BM_StaleSetChurn(benchmark::State& state) {
  const auto held = static_cast<size_t>(state.range(0));
  const auto ahead = static_cast<size_t>(state.range(1));
  std::mt19937 rng(1);
  std::vector<LruEntry> ring(held + 1);
  for (LruEntry& e : ring) e = {1 + static_cast<uint32_t>(rng())};
  StaleSet s;
  for (size_t i = 0; i < held; ++i) s.Add(ring[i]);
  size_t add = held;
  size_t take = 0;
  for (auto _ : state) {
    s.Add(ring[add]);
    add = add == held ? 0 : add + 1;
    if (ahead > 0) s.Prefetch(ring[(take + ahead) % ring.size()]);
    benchmark::DoNotOptimize(s.Take(ring[take]));
    take = take == held ? 0 : take + 1;
  }
}
BENCHMARK(BM_StaleSetChurn)
    ->Args({300, 0})
    ->Args({100'000, 0})
    ->Args({100'000, 16})
    ->Args({1'000'000, 16});

}  // namespace
}  // namespace ringcache::storage

BENCHMARK_MAIN();
