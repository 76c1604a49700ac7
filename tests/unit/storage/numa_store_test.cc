// NUMA: with an injected two-node topology (the build machines have one
// node), each thread's items come from its node's arena and partition.
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "gtest/gtest.h"

#include "ringcache/memory/item_heap.h"
#include "ringcache/memory/numa.h"
#include "store_fixture.h"
#include "store_impl.h"

namespace ringcache::storage {
namespace {

using testing::TestConfig;
using testing::ValueOf;

class NumaStoreTest : public ::testing::Test {
 protected:
  NumaStoreTest() {
    char tmpl[] = "/tmp/rc_numa_store_XXXXXX";
    root_ = mkdtemp(tmpl);
    Write("online", "0-1\n");
    Write("node0/cpulist", "0\n");
    Write("node1/cpulist", "1-3\n");
  }
  ~NumaStoreTest() override { std::filesystem::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    const std::filesystem::path p = std::filesystem::path(root_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::string root_;
};

TEST_F(NumaStoreTest, ThreadsAllocateFromTheirNodesPartition) {
  StoreConfig c = TestConfig();
  c.numa_sysfs_root = root_;
  c.numa_bind = false;  // this machine has no node 1 to bind to
  auto store = std::move(*Store::Create(c));
  EXPECT_EQ(store->impl()->heap()->nodes(), 2);
  StoreStats stats;
  store->CollectStats(&stats);
  EXPECT_EQ(stats.numa_nodes, 2);

  auto t0 = std::move(*store->RegisterThread(0));
  EXPECT_FALSE(store->RegisterThread(2).ok());
  EXPECT_EQ(t0->numa_node(), 0);
  const memory::ItemHeap* heap = store->impl()->heap();
  auto put = [&](StoreThread* t, const std::string& key) {
    NewItem item;
    ASSERT_EQ(t->Allocate(key, 0, 0, 3, 100, &item), AllocResult::kOk);
    std::memcpy(item.value().first, "abc", 3);
    ASSERT_EQ(t->Store(std::move(item), {}, 100, nullptr), StoreResult::kStored);
  };
  for (int i = 0; i < 200; ++i) put(t0.get(), "n0-" + std::to_string(i));
  std::thread([&] {
    auto t1 = std::move(*store->RegisterThread(1));
    EXPECT_EQ(t1->numa_node(), 1);
    for (int i = 0; i < 200; ++i) put(t1.get(), "n1-" + std::to_string(i));
    // Reads cross nodes freely.
    EXPECT_EQ(ValueOf(t1->Get("n0-5", 100).item), "abc");
  }).join();
  for (int i = 0; i < 200; ++i) {
    GetResult g0 = t0->Get("n0-" + std::to_string(i), 100);
    GetResult g1 = t0->Get("n1-" + std::to_string(i), 100);
    ASSERT_TRUE(g0.item && g1.item);
    ASSERT_EQ(heap->NodeOf(g0.item.item()), 0);
    ASSERT_EQ(heap->NodeOf(g1.item.item()), 1);
  }
  // Node 1's items deleted on node 0 go back to node 1's arena.
  for (int i = 0; i < 200; ++i) t0->Delete("n1-" + std::to_string(i), {}, 100);
  for (int i = 0; i < 10; ++i) t0->Quiesce();
  for (int i = 0; i < 200; ++i) put(t0.get(), "again" + std::to_string(i));
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(heap->NodeOf(t0->Get("again" + std::to_string(i), 100).item.item()), 0);
  }
}

TEST_F(NumaStoreTest, DefaultNodeFollowsTheCallingCpu) {
  StoreConfig c = TestConfig();
  c.numa_sysfs_root = root_;
  c.numa_bind = false;
  auto store = std::move(*Store::Create(c));
  std::thread([&] {
    ASSERT_TRUE(memory::PinCurrentThreadToCpu(0).ok());
    auto t = std::move(*store->RegisterThread(-1));
    EXPECT_EQ(t->numa_node(), 0);
  }).join();
  if (std::thread::hardware_concurrency() > 1) {
    std::thread([&] {
      ASSERT_TRUE(memory::PinCurrentThreadToCpu(1).ok());
      auto t = std::move(*store->RegisterThread(-1));
      EXPECT_EQ(t->numa_node(), 1);  // CPU 1 is on node 1 in the fake tree
    }).join();
  }
}

}  // namespace
}  // namespace ringcache::storage
