// Google Benchmarks of the LRU queue's bookkeeping: a push and a pop at the
// tail, and the overwrite pattern (a push at the head, a tombstone at a
// random live position, merges of sparse blocks) at the queue sizes a stripe
// sees (a thousand entries fit the CPU caches; a million do not).
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "lru_queue.h"

namespace ringcache::storage {
namespace {

// Positions by reference, as the items would hold them.
struct Positions {
  std::vector<uint32_t> at;
  void Hint(uint32_t ref) { __builtin_prefetch(&at[ref], 1); }
  void Move(uint32_t ref, uint32_t pos) { at[ref] = pos; }
};

void BM_LruQueuePushPop(benchmark::State& state) {
  LruQueue q;
  Positions p;
  const auto depth = static_cast<uint32_t>(state.range(0));
  p.at.resize(depth + 2);
  uint32_t pos;
  for (uint32_t i = 1; i <= depth; ++i) q.PushNewest(i, &pos, p);
  uint32_t next = depth + 1;
  for (auto _ : state) {
    q.PushNewest(next, &pos, p);
    next = next == depth + 1 ? 1 : next + 1;
    benchmark::DoNotOptimize(q.PeekOldest());
    q.PopOldest();
  }
}
BENCHMARK(BM_LruQueuePushPop)->Arg(1000)->Arg(100'000);

// Steady overwrites of `range(0)` keys: each iteration buries a random key's
// entry (batches of 16, as the stripe writes them) and pushes it anew.
void BM_LruQueueOverwrite(benchmark::State& state) {
  const auto keys = static_cast<uint32_t>(state.range(0));
  LruQueue q;
  Positions p;
  p.at.resize(keys + 1);
  for (uint32_t i = 1; i <= keys; ++i) q.PushNewest(i, &p.at[i], p);
  std::mt19937 rng(1);
  uint32_t batch[16];
  uint32_t refs[16];
  int n = 0;
  for (auto _ : state) {
    uint32_t ref = 1 + rng() % keys;
    // A key buried in this batch already is not buried twice.
    for (int k = 0; k < n; ++k) {
      if (refs[k] == ref) ref = 0;
    }
    if (ref == 0) continue;
    batch[n] = p.at[ref];
    refs[n++] = ref;
    if (n == 16) {
      q.Tombstone(batch, n, p);
      for (int k = 0; k < n; ++k) q.PushNewest(refs[k], &p.at[refs[k]], p);
      n = 0;
    }
  }
  state.counters["bytes_per_key"] = static_cast<double>(q.bytes()) / keys;
}
BENCHMARK(BM_LruQueueOverwrite)->Arg(1000)->Arg(100'000)->Arg(1'000'000);

}  // namespace
}  // namespace ringcache::storage

BENCHMARK_MAIN();
