#include "ringcache/memory/item_heap.h"

#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

#include "ringcache/memory/heap_cache.h"

namespace ringcache::memory {
namespace {

std::unique_ptr<ItemHeap> MakeHeap(std::vector<int> node_ids, size_t region = size_t{1} << 30) {
  ItemHeapOptions o;
  o.region_bytes = region;
  o.node_ids = std::move(node_ids);
  absl::StatusOr<std::unique_ptr<ItemHeap>> heap = ItemHeap::Create(o);
  EXPECT_TRUE(heap.ok()) << heap.status();
  return heap.ok() ? std::move(*heap) : nullptr;
}

TEST(ItemHeapTest, ReferencesRoundTripAndAreNeverZero) {
  auto heap = MakeHeap({-1});
  ASSERT_NE(heap, nullptr);
  HeapCache cache(heap.get(), 0);
  std::vector<std::pair<void*, size_t>> blocks;
  for (size_t n : {13, 20, 64, 80, 1000, 1024, 5000, 40000, 300000}) {
    for (int i = 0; i < 50; ++i) {
      void* p = cache.Allocate(n);
      ASSERT_NE(p, nullptr);
      ASSERT_TRUE(heap->Contains(p));
      ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % ItemHeap::kRefUnit, 0u) << n;
      const uint32_t ref = heap->ToRef(p);
      ASSERT_NE(ref, 0u);
      ASSERT_EQ(heap->FromRef(ref), p);
      std::memset(p, 0x5a, n);
      blocks.emplace_back(p, n);
    }
  }
  for (auto [p, n] : blocks) cache.Free(p, n);
  EXPECT_GT(heap->carved_bytes(), 0u);
}

TEST(ItemHeapTest, AllocationSizeIsTheJemallocClass) {
  EXPECT_EQ(ItemHeap::AllocationSize(64), 64u);
  EXPECT_EQ(ItemHeap::AllocationSize(63), 64u);
  EXPECT_EQ(ItemHeap::AllocationSize(65), 80u);
  EXPECT_EQ(ItemHeap::AllocationSize(1040), 1280u);
}

TEST(ItemHeapTest, EachNodeAllocatesFromItsOwnPartition) {
  auto heap = MakeHeap({-1, -1});
  ASSERT_NE(heap, nullptr);
  ASSERT_EQ(heap->nodes(), 2);
  EXPECT_NE(heap->arena_index(0), heap->arena_index(1));
  // Each cache lives on its own thread, as in the store.
  std::vector<void*> node1_blocks;
  std::thread t1([&] {
    HeapCache c1(heap.get(), 1);
    for (int i = 0; i < 1000; ++i) {
      void* p = c1.Allocate(64);
      ASSERT_EQ(heap->NodeOf(p), 1);
      node1_blocks.push_back(p);
    }
  });
  t1.join();
  HeapCache c0(heap.get(), 0);
  // Node 1's blocks freed on node 0 must go home, not into node 0's cache.
  for (void* p : node1_blocks) c0.Free(p, 64);
  for (int i = 0; i < 2000; ++i) {
    void* p = c0.Allocate(64);
    ASSERT_EQ(heap->NodeOf(p), 0);
    c0.Free(p, 64);
  }
}

TEST(ItemHeapTest, ExhaustedRegionReturnsNull) {
  auto heap = MakeHeap({-1}, size_t{16} << 20);
  ASSERT_NE(heap, nullptr);
  HeapCache cache(heap.get(), 0);
  std::vector<void*> blocks;
  while (blocks.size() < 100) {
    void* p = cache.Allocate(size_t{1} << 20);
    if (p == nullptr) break;
    blocks.push_back(p);
  }
  EXPECT_LT(blocks.size(), 16u);
  EXPECT_GT(blocks.size(), 0u);
  EXPECT_LE(heap->carved_bytes(), heap->region_bytes());
  for (void* p : blocks) cache.Free(p, size_t{1} << 20);
}

TEST(ItemHeapTest, BindingToAMissingNodeIsReportedNotFatal) {
  auto heap = MakeHeap({-1, 1000});
  ASSERT_NE(heap, nullptr);
  EXPECT_EQ(heap->bind_failures(), 1);
  HeapCache cache(heap.get(), 1);
  void* p = cache.Allocate(100);
  ASSERT_NE(p, nullptr);
  cache.Free(p, 100);
}

TEST(ItemHeapTest, RejectsBadRegions) {
  ItemHeapOptions o;
  o.region_bytes = ItemHeap::kMaxRegionBytes + 4096;
  EXPECT_FALSE(ItemHeap::Create(o).ok());
  o.region_bytes = 4096;
  EXPECT_FALSE(ItemHeap::Create(o).ok());
  o.region_bytes = size_t{1} << 30;
  o.node_ids.clear();
  EXPECT_FALSE(ItemHeap::Create(o).ok());
}

TEST(ItemHeapTest, FreeUncachedReturnsBlocks) {
  auto heap = MakeHeap({-1});
  HeapCache cache(heap.get(), 0);
  std::set<void*> seen;
  for (int i = 0; i < 100; ++i) {
    void* p = cache.Allocate(48);
    seen.insert(p);
    HeapCache::FreeUncached(p, 48);
  }
  EXPECT_GE(seen.size(), 1u);
}

}  // namespace
}  // namespace ringcache::memory
