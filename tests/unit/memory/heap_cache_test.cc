#include "ringcache/memory/heap_cache.h"

#include <cstdio>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

#include "ringcache/memory/sanitizers.h"

namespace ringcache::memory {
namespace {

std::unique_ptr<ItemHeap> MakeHeap(std::vector<int> node_ids = {-1}) {
  ItemHeapOptions o;
  o.region_bytes = size_t{1} << 30;
  o.node_ids = std::move(node_ids);
  absl::StatusOr<std::unique_ptr<ItemHeap>> heap = ItemHeap::Create(o);
  EXPECT_TRUE(heap.ok()) << heap.status();
  return heap.ok() ? std::move(*heap) : nullptr;
}

// Bytes of small allocations live in `arena` by jemalloc's statistics (blocks
// held by a tcache count as allocated); -1 when jemalloc keeps no statistics.
long SmallAllocated(unsigned arena) {
  bool stats = false;
  size_t len = sizeof(stats);
  if (mallctl("config.stats", &stats, &len, nullptr, 0) != 0 || !stats) return -1;
  uint64_t epoch = 1;
  len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, sizeof(epoch));
  char name[64];
  std::snprintf(name, sizeof(name), "stats.arenas.%u.small.allocated", arena);
  size_t allocated = 0;
  len = sizeof(allocated);
  if (mallctl(name, &allocated, &len, nullptr, 0) != 0) return -1;
  return static_cast<long>(allocated);
}

TEST(HeapCacheTest, AFreedBlockIsTheNextOneOfItsClass) {
  auto heap = MakeHeap();
  HeapCache cache(heap.get(), 0);
  void* a = cache.Allocate(60);
  void* b = cache.Allocate(64);
  cache.Free(a, 60);
  cache.Free(b, 64);
  EXPECT_EQ(cache.cached_blocks(), 2u);
  EXPECT_EQ(cache.cached_bytes(), 128u);
  // Last in, first out, and any request of the 64-byte class takes them.
  EXPECT_EQ(cache.Allocate(49), b);
  EXPECT_EQ(cache.Allocate(64), a);
  EXPECT_EQ(cache.cached_blocks(), 0u);
  EXPECT_EQ(cache.cached_bytes(), 0u);
  // Another class does not.
  cache.Free(a, 64);
  void* c = cache.Allocate(80);
  EXPECT_NE(c, a);
  EXPECT_EQ(cache.cached_blocks(), 1u);
  cache.Free(c, 80);
  cache.Free(b, 64);
}

TEST(HeapCacheTest, ReusedBlocksAreWholeClassBlocks) {
  auto heap = MakeHeap();
  HeapCache cache(heap.get(), 0);
  for (size_t n : {1, 8, 9, 100, 1000, 1040, 2049, 4096}) {
    void* p = cache.Allocate(n);
    ASSERT_NE(p, nullptr);
    cache.Free(p, n);
    void* q = cache.Allocate(n);
    EXPECT_EQ(q, p) << n;
    // The whole class is usable, as from jemalloc.
    std::memset(q, 0x5a, ItemHeap::AllocationSize(n));
    cache.Free(q, n);
  }
}

TEST(HeapCacheTest, EachClassHoldsAtMostMaxBlocks) {
  auto heap = MakeHeap();
  HeapCacheLimits limits;
  limits.max_blocks = 8;
  HeapCache cache(heap.get(), 0, limits);
  std::vector<void*> blocks;
  for (int i = 0; i < 20; ++i) blocks.push_back(cache.Allocate(64));
  for (void* p : blocks) cache.Free(p, 64);
  EXPECT_EQ(cache.cached_blocks(), 8u);
  // The first eight freed filled the stack; the rest went to jemalloc.
  for (int i = 7; i >= 0; --i) EXPECT_EQ(cache.Allocate(64), blocks[i]);
  EXPECT_EQ(cache.cached_blocks(), 0u);
  for (int i = 0; i < 8; ++i) cache.Free(blocks[i], 64);
}

TEST(HeapCacheTest, AllClassesHoldAtMostMaxBytes) {
  auto heap = MakeHeap();
  HeapCacheLimits limits;
  limits.max_bytes = 1024;
  HeapCache cache(heap.get(), 0, limits);
  std::vector<void*> small;
  for (int i = 0; i < 20; ++i) small.push_back(cache.Allocate(64));
  for (void* p : small) cache.Free(p, 64);
  EXPECT_EQ(cache.cached_blocks(), 16u);
  EXPECT_EQ(cache.cached_bytes(), 1024u);
  // Full: a block of another class goes to jemalloc.
  void* big = cache.Allocate(128);
  cache.Free(big, 128);
  EXPECT_EQ(cache.cached_bytes(), 1024u);
  // Room made by allocations is usable by any class.
  void* p = cache.Allocate(64);
  void* q = cache.Allocate(64);
  EXPECT_EQ(cache.cached_bytes(), 896u);
  big = cache.Allocate(128);
  cache.Free(big, 128);
  EXPECT_EQ(cache.cached_bytes(), 1024u);
  EXPECT_EQ(cache.Allocate(128), big);
  cache.Free(big, 128);
  cache.Free(p, 64);
  cache.Free(q, 64);
}

TEST(HeapCacheTest, LargeBlocksAreNotCached) {
  auto heap = MakeHeap();
  HeapCacheLimits limits;
  limits.max_block_size = 256;
  HeapCache cache(heap.get(), 0, limits);
  for (size_t n : {257, 320, 4096, 5000, 100000}) {
    void* p = cache.Allocate(n);
    ASSERT_NE(p, nullptr);
    cache.Free(p, n);
    EXPECT_EQ(cache.cached_blocks(), 0u) << n;
  }
  void* p = cache.Allocate(256);
  cache.Free(p, 256);
  EXPECT_EQ(cache.cached_blocks(), 1u);
  // Nothing above 4 KB whatever the limit says.
  limits.max_block_size = 1 << 20;
  HeapCache wide(heap.get(), 0, limits);
  void* q = wide.Allocate(8192);
  wide.Free(q, 8192);
  EXPECT_EQ(wide.cached_blocks(), 0u);
}

TEST(HeapCacheTest, ZeroBytesDisablesTheCache) {
  auto heap = MakeHeap();
  HeapCacheLimits limits;
  limits.max_bytes = 0;
  HeapCache cache(heap.get(), 0, limits);
  void* p = cache.Allocate(64);
  cache.Free(p, 64);
  EXPECT_EQ(cache.cached_blocks(), 0u);
}

TEST(HeapCacheTest, BlocksOfAnotherNodeAreNeverCached) {
  auto heap = MakeHeap({-1, -1});
  ASSERT_NE(heap, nullptr);
  std::vector<void*> node1_blocks;
  std::thread t1([&] {
    HeapCache c1(heap.get(), 1);
    for (int i = 0; i < 100; ++i) node1_blocks.push_back(c1.Allocate(64));
  });
  t1.join();
  HeapCache c0(heap.get(), 0);
  std::set<void*> remote(node1_blocks.begin(), node1_blocks.end());
  for (void* p : node1_blocks) c0.Free(p, 64);
  EXPECT_EQ(c0.cached_blocks(), 0u);
  for (int i = 0; i < 200; ++i) {
    void* p = c0.Allocate(64);
    ASSERT_EQ(heap->NodeOf(p), 0);
    ASSERT_EQ(remote.count(p), 0u);
    c0.Free(p, 64);
  }
  EXPECT_EQ(c0.cached_blocks(), 1u);
}

TEST(HeapCacheTest, AnyThreadOfTheNodeReusesWhatItFrees) {
  auto heap = MakeHeap();
  std::vector<void*> blocks;
  std::thread producer([&] {
    HeapCache c(heap.get(), 0);
    for (int i = 0; i < 100; ++i) {
      blocks.push_back(c.Allocate(48));
      std::memset(blocks.back(), 1, 48);
    }
  });
  producer.join();
  HeapCache mine(heap.get(), 0);
  void* own = mine.Allocate(48);  // the class is one this thread allocates
  for (void* p : blocks) mine.Free(p, 48);
  EXPECT_EQ(mine.cached_blocks(), 100u);
  for (int i = 99; i >= 0; --i) {
    void* p = mine.Allocate(48);
    ASSERT_EQ(p, blocks[i]);
    std::memset(p, 2, 48);
  }
  for (void* p : blocks) mine.Free(p, 48);
  mine.Free(own, 48);
}

TEST(HeapCacheTest, OnlyClassesTheThreadAllocatesAreCached) {
  auto heap = MakeHeap();
  std::vector<void*> blocks;
  {
    HeapCache producer(heap.get(), 0);
    for (int i = 0; i < 100; ++i) blocks.push_back(producer.Allocate(64));
    blocks.push_back(producer.Allocate(128));
  }
  // A thread that only frees (the maintainer) keeps nothing.
  HeapCache freer(heap.get(), 0);
  for (int i = 0; i < 50; ++i) freer.Free(blocks[i], 64);
  EXPECT_EQ(freer.cached_blocks(), 0u);
  // Once it allocates a class, it keeps that class's blocks only.
  void* own = freer.Allocate(64);
  for (int i = 50; i < 100; ++i) freer.Free(blocks[i], 64);
  freer.Free(blocks[100], 128);
  EXPECT_EQ(freer.cached_blocks(), 50u);
  EXPECT_EQ(freer.cached_bytes(), 50u * 64);
  freer.Free(own, 64);
}

TEST(HeapCacheTest, FlushAndDestructionGiveBlocksBackToJemalloc) {
  auto heap = MakeHeap();
  const unsigned arena = heap->arena_index(0);
  if (SmallAllocated(arena) < 0) GTEST_SKIP() << "jemalloc built without statistics";
  {
    HeapCache cache(heap.get(), 0);
    std::vector<void*> blocks;
    for (int i = 0; i < 100; ++i) blocks.push_back(cache.Allocate(64));
    for (void* p : blocks) cache.Free(p, 64);
    EXPECT_EQ(cache.cached_blocks(), 100u);
    EXPECT_GE(SmallAllocated(arena), 100 * 64);
    cache.Flush();
    EXPECT_EQ(cache.cached_blocks(), 0u);
    EXPECT_EQ(cache.cached_bytes(), 0u);
    for (int i = 0; i < 100; ++i) blocks[i] = cache.Allocate(64);
    for (void* p : blocks) cache.Free(p, 64);
    EXPECT_EQ(cache.cached_blocks(), 100u);
  }
  // The cache, then the tcache, were flushed into the arena.
  EXPECT_EQ(SmallAllocated(arena), 0);
}

TEST(HeapCacheTest, CachedBlocksArePoisonedLikeFreedOnes) {
#ifndef RC_ASAN
  GTEST_SKIP() << "needs AddressSanitizer";
#else
  auto heap = MakeHeap();
  HeapCache cache(heap.get(), 0);
  char* p = static_cast<char*>(cache.Allocate(64));
  EXPECT_FALSE(__asan_address_is_poisoned(p));
  EXPECT_FALSE(__asan_address_is_poisoned(p + 63));
  cache.Free(p, 64);
  ASSERT_EQ(cache.cached_blocks(), 1u);
  EXPECT_TRUE(__asan_address_is_poisoned(p));
  EXPECT_TRUE(__asan_address_is_poisoned(p + 63));
  EXPECT_EQ(cache.Allocate(50), p);
  EXPECT_FALSE(__asan_address_is_poisoned(p));
  EXPECT_FALSE(__asan_address_is_poisoned(p + 63));
  cache.Free(p, 50);
#endif
}

}  // namespace
}  // namespace ringcache::memory
