#include "chain_index.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

#include "ringcache/memory/heap_cache.h"
#include "ringcache/memory/item_heap.h"

namespace ringcache::storage {
namespace {

class ChainIndexTest : public ::testing::Test {
 protected:
  ChainIndexTest() : hash_(11, 22) {
    memory::ItemHeapOptions o;
    o.region_bytes = size_t{1} << 30;
    heap_ = std::move(*memory::ItemHeap::Create(o));
    cache_ = std::make_unique<memory::HeapCache>(heap_.get(), 0);
  }
  ~ChainIndexTest() override {
    for (auto [p, n] : blocks_) cache_->Free(p, n);
  }

  Item* Make(const std::string& key) {
    const size_t n = Item::HeaderSize(0) + key.size();
    void* mem = cache_->Allocate(n);
    blocks_.emplace_back(mem, n);
    return Item::Init(mem, 0, key, 0);
  }
  uint32_t H(std::string_view key) const { return static_cast<uint32_t>(hash_(key)); }
  // Inserts and grows as the stripe does after each link.
  void Insert(ChainIndex& idx, Item* item) {
    idx.InsertHead(item, H(item->key()));
    while (idx.WantsSplit()) {
      ChainIndex::Retired r = idx.Split();
      if (r.directory != nullptr) retired_dirs_.push_back(r.directory);
    }
  }
  void FreeRetired() {
    for (void* d : retired_dirs_) ChainIndex::FreeDirectory(d);
    retired_dirs_.clear();
  }

  base::KeyedHash hash_;
  std::unique_ptr<memory::ItemHeap> heap_;
  std::unique_ptr<memory::HeapCache> cache_;
  std::vector<std::pair<void*, size_t>> blocks_;
  std::vector<void*> retired_dirs_;
};

TEST_F(ChainIndexTest, InsertFindLocateReplaceRemove) {
  ChainIndex idx(heap_.get(), &hash_, 10, 1.5);
  std::vector<Item*> items;
  for (int i = 0; i < 500; ++i) {
    items.push_back(Make("key" + std::to_string(i)));
    Insert(idx, items.back());
  }
  EXPECT_EQ(idx.items(), 500u);
  for (Item* it : items) {
    const ChainIndex::FindResult f = idx.Find(it->key(), H(it->key()));
    ASSERT_EQ(f.lookup, ChainIndex::Lookup::kFound);
    ASSERT_EQ(f.item, it);
    ASSERT_EQ(idx.Locate(it->key(), H(it->key())).item, it);
    ASSERT_EQ(idx.LocateRef(heap_->ToRef(it), H(it->key())).item, it);
  }
  EXPECT_EQ(idx.Find("nope", H("nope")).lookup, ChainIndex::Lookup::kAbsent);
  EXPECT_EQ(idx.Locate("nope", H("nope")).item, nullptr);

  Item* replacement = Make("key7");
  idx.Replace(idx.Locate("key7", H("key7")), replacement);
  EXPECT_EQ(idx.Find("key7", H("key7")).item, replacement);
  EXPECT_EQ(idx.LocateRef(heap_->ToRef(items[7]), H("key7")).item, nullptr);

  idx.Remove(idx.Locate("key8", H("key8")));
  EXPECT_EQ(idx.Find("key8", H("key8")).lookup, ChainIndex::Lookup::kAbsent);
  EXPECT_EQ(idx.items(), 499u);
  EXPECT_EQ(idx.Find("key9", H("key9")).item, items[9]);
}

TEST_F(ChainIndexTest, LinearHashingKeepsTheLoadAtTargetAndFindsEverything) {
  ChainIndex idx(heap_.get(), &hash_, 10, 1.5);
  const uint64_t initial = idx.buckets();
  std::vector<Item*> items;
  for (int i = 0; i < 100000; ++i) {
    items.push_back(Make("k:" + std::to_string(i)));
    Insert(idx, items.back());
    if (i % 9973 == 0) {
      // Between growth steps the load stays close to the target.
      ASSERT_LE(static_cast<double>(idx.items()), 1.5 * idx.buckets() + 1);
    }
  }
  EXPECT_GT(idx.buckets(), initial);
  EXPECT_NEAR(static_cast<double>(idx.items()) / idx.buckets(), 1.5, 0.01);
  for (Item* it : items) {
    ASSERT_EQ(idx.Find(it->key(), H(it->key())).item, it) << it->key();
  }
  // Every item sits in exactly one bucket's chain.
  size_t seen = 0;
  for (uint64_t b = 0; b < idx.buckets(); ++b) {
    for (Item* it = idx.BucketHead(b); it != nullptr; it = idx.NextInChain(it)) ++seen;
  }
  EXPECT_EQ(seen, items.size());
  EXPECT_GE(idx.bytes(), idx.buckets() * sizeof(uint32_t));
  FreeRetired();
}

TEST_F(ChainIndexTest, FrozenIndexDoesNotGrowAndExpandCanBeOff) {
  ChainIndex idx(heap_.get(), &hash_, 10, 1.5);
  idx.Freeze();
  for (int i = 0; i < 3000; ++i)
    idx.InsertHead(Make("f" + std::to_string(i)), H("f" + std::to_string(i)));
  EXPECT_FALSE(idx.WantsSplit());
  idx.Unfreeze();
  EXPECT_TRUE(idx.WantsSplit());
  idx.set_expand(false);
  EXPECT_FALSE(idx.WantsSplit());
}

// Readers look up keys that are always present while a writer inserts,
// removes and splits buckets under them: they may be told to retry, never
// that a present key is absent.
TEST_F(ChainIndexTest, ConcurrentReadersNeverMissPresentKeys) {
  ChainIndex idx(heap_.get(), &hash_, 10, 1.5);
  std::vector<Item*> stable;
  for (int i = 0; i < 2000; ++i) {
    stable.push_back(Make("stable" + std::to_string(i)));
    Insert(idx, stable.back());
  }
  // Pre-allocate the churn items: the writer only links and unlinks.
  std::vector<Item*> churn;
  churn.reserve(60000);
  for (int i = 0; i < 60000; ++i) churn.push_back(Make("churn" + std::to_string(i)));
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> absent{0}, retries{0}, found{0};
  std::vector<std::thread> readers;
  readers.reserve(2);
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      size_t i = r;
      while (!stop.load(std::memory_order_relaxed)) {
        Item* want = stable[i++ % stable.size()];
        const ChainIndex::FindResult f = idx.Find(want->key(), H(want->key()));
        if (f.lookup == ChainIndex::Lookup::kAbsent) absent.fetch_add(1);
        if (f.lookup == ChainIndex::Lookup::kRetry) retries.fetch_add(1);
        if (f.lookup == ChainIndex::Lookup::kFound && f.item == want) found.fetch_add(1);
      }
    });
  }
  for (Item* it : churn) Insert(idx, it);
  for (size_t i = 0; i < churn.size(); i += 2)
    idx.Remove(idx.Locate(churn[i]->key(), H(churn[i]->key())));
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(absent.load(), 0u);
  EXPECT_GT(found.load(), 0u);
  FreeRetired();
}

}  // namespace
}  // namespace ringcache::storage
