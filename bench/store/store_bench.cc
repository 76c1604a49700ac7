// Google Benchmarks of the store's hot operations: GET hit, GET miss and SET,
// with one and two threads, on 12-byte keys and 32-byte values (the issue's
// item shape).
//
// Two key-set sizes show both regimes: 1,000 keys stay in the CPU caches
// (the cost of the code path itself); 1,000,000 keys do not (each GET then
// pays DRAM misses for the bucket head and the item). Threads quiesce every
// 64 operations, as a worker does at the end of an event-loop turn.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "ringcache/storage/store.h"

namespace ringcache::storage {
namespace {

constexpr size_t kValueSize = 32;
constexpr int kTurn = 64;

std::string Key(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key:%08llu", static_cast<unsigned long long>(i));
  return buf;  // 12 bytes
}

// One store per key-set size, loaded once and shared by every benchmark.
struct Loaded {
  std::unique_ptr<Store> store;
  std::vector<std::string> keys;
  std::vector<std::string> absent;
};

Loaded& Dataset(int64_t n) {
  static std::unique_ptr<Loaded> small, large;
  std::unique_ptr<Loaded>& slot = n <= 1000 ? small : large;
  if (slot != nullptr) return *slot;
  slot = std::make_unique<Loaded>();
  StoreConfig c;
  c.memory_limit = size_t{1} << 30;
  c.workers = 2;
  slot->store = std::move(*Store::Create(c));
  auto t = std::move(*slot->store->RegisterThread(0));
  const std::string value(kValueSize, 'v');
  for (int64_t i = 0; i < n; ++i) {
    slot->keys.push_back(Key(static_cast<uint64_t>(i)));
    slot->absent.push_back(Key(static_cast<uint64_t>(i + 100000000)));
    NewItem item;
    if (t->Allocate(slot->keys.back(), 0, 0, kValueSize, 100, &item) != AllocResult::kOk) abort();
    std::memcpy(item.value().first, value.data(), kValueSize);
    t->Store(std::move(item), {}, 100, nullptr);
    if (i % kTurn == 0) t->Quiesce();
  }
  return *slot;
}

// A cheap, thread-private sequence over the key set that defeats prefetching.
class Picker {
 public:
  Picker(size_t n, uint64_t seed) : n_(n), x_(seed * 0x9e3779b97f4a7c15ULL | 1) {}
  size_t Next() {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 7;
    x_ ^= x_ << 17;
    return x_ % n_;
  }

 private:
  size_t n_;
  uint64_t x_;
};

void BM_GetHit(benchmark::State& state) {
  Loaded& d = Dataset(state.range(0));
  auto t = std::move(*d.store->RegisterThread(0));
  Picker pick(d.keys.size(), state.thread_index() + 1);
  int op = 0;
  uint64_t bytes = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    GetResult r = t->Get(d.keys[pick.Next()], 100);
    bytes += r.item.value().first.size();
    if (++op == kTurn) {
      op = 0;
      t->Quiesce();
    }
  }
  benchmark::DoNotOptimize(bytes);
  t->Offline();
  state.SetItemsProcessed(state.iterations());
}

void BM_GetMiss(benchmark::State& state) {
  Loaded& d = Dataset(state.range(0));
  auto t = std::move(*d.store->RegisterThread(0));
  Picker pick(d.absent.size(), state.thread_index() + 1);
  int op = 0;
  uint64_t misses = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    misses += t->Get(d.absent[pick.Next()], 100).item ? 0 : 1;
    if (++op == kTurn) {
      op = 0;
      t->Quiesce();
    }
  }
  benchmark::DoNotOptimize(misses);
  t->Offline();
  state.SetItemsProcessed(state.iterations());
}

// Overwrites existing keys (the cache stays the same size): allocate, fill,
// link in place of the old item, retire the old one.
void BM_Set(benchmark::State& state) {
  Loaded& d = Dataset(state.range(0));
  auto t = std::move(*d.store->RegisterThread(0));
  Picker pick(d.keys.size(), state.thread_index() + 7);
  const std::string value(kValueSize, 's');
  int op = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    NewItem item;
    t->Allocate(d.keys[pick.Next()], 0, 0, kValueSize, 100, &item);
    std::memcpy(item.value().first, value.data(), kValueSize);
    benchmark::DoNotOptimize(t->Store(std::move(item), {}, 100, nullptr));
    if (++op == kTurn) {
      op = 0;
      t->Quiesce();
    }
  }
  t->Offline();
  state.SetItemsProcessed(state.iterations());
}

// A pipelined batch of 16 GET hits as a connection handles it, without and
// with the prefetch hints (bucket heads first, then the items they name):
// the batch's cache misses overlap instead of being paid one by one.
void GetBatch(benchmark::State& state, bool prefetch) {
  Loaded& d = Dataset(state.range(0));
  auto t = std::move(*d.store->RegisterThread(0));
  Picker pick(d.keys.size(), state.thread_index() + 3);
  constexpr int kBatch = 16;
  uint64_t bytes = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    const std::string* keys[kBatch];
    for (auto& k : keys) k = &d.keys[pick.Next()];
    if (prefetch) {
      uint64_t hashes[kBatch];
      for (int i = 0; i < kBatch; ++i) hashes[i] = t->PrefetchBucket(*keys[i]);
      t->PrefetchItems(hashes, kBatch);
    }
    for (auto* k : keys) bytes += t->Get(*k, 100).item.value().first.size();
    t->Quiesce();
  }
  benchmark::DoNotOptimize(bytes);
  t->Offline();
  state.SetItemsProcessed(state.iterations() * kBatch);
}
void BM_GetHitBatch16(benchmark::State& state) { GetBatch(state, false); }
void BM_GetHitBatch16Prefetched(benchmark::State& state) { GetBatch(state, true); }

BENCHMARK(BM_GetHit)->Arg(1000)->Arg(1000000)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_GetHitBatch16)->Arg(1000000)->UseRealTime();
BENCHMARK(BM_GetHitBatch16Prefetched)->Arg(1000000)->UseRealTime();
BENCHMARK(BM_GetMiss)->Arg(1000)->Arg(1000000)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Set)->Arg(1000)->Arg(1000000)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace ringcache::storage

BENCHMARK_MAIN();
