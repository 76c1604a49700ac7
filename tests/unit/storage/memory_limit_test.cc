// -m as an exact bound on everything the store holds, cache_memlimit, and
// eviction across stripes for items larger than one stripe holds.
#include <random>
#include <string>
#include <thread>

#include "gtest/gtest.h"

#include "store_fixture.h"

namespace ringcache::storage {
namespace {

using testing::StoreFixture;
using testing::TestConfig;

using MemoryLimitTest = StoreFixture;

// A queue block charged while a stripe lock is held may overdraw the budget
// by one block until the next credit repays it.
constexpr uint64_t kOverdraftSlack = 4096;

TEST_F(MemoryLimitTest, ChargedBytesStayWithinTheLimitUnderChurn) {
  StoreConfig c = TestConfig(size_t{4} << 20);
  c.stripes_log2 = 3;
  Open(c);
  std::mt19937 rng(42);
  uint64_t worst = 0;
  for (int op = 0; op < 60000; ++op) {
    const std::string key = "k" + std::to_string(rng() % 20000);
    const int r = static_cast<int>(rng() % 10);
    if (r < 7) {
      const size_t len = (rng() % 8 == 0) ? 2000 + rng() % 30000 : rng() % 300;
      ASSERT_EQ(Put(key, std::string(len, 'x')), StoreResult::kStored);
    } else if (r < 9) {
      t_->Delete(key, {}, 100);
    } else {
      ArithOptions a;
      a.delta = 1;
      t_->Arith(key, a, 100);
    }
    if (op % 97 == 0) {
      t_->Quiesce();
      const StoreStats s = Stats();
      worst = std::max(worst, s.total_malloced);
      ASSERT_LE(s.total_malloced, s.limit_maxbytes + kOverdraftSlack) << op;
      ASSERT_LE(s.bytes + s.hash_bytes + s.lru_queue_bytes, s.total_malloced + kOverdraftSlack);
    }
  }
  EXPECT_GT(Stats().evictions, 0u);
  EXPECT_GT(worst, (size_t{4} << 20) * 9 / 10) << "the cache should fill its limit";
}

TEST_F(MemoryLimitTest, AMegabyteItemEvictsAcrossStripes) {
  StoreConfig c = TestConfig(size_t{8} << 20);
  c.stripes_log2 = 6;  // 64 stripes of ~128 KB each
  Open(c);
  for (int i = 0; i < 20000; ++i) Set("small" + std::to_string(i), std::string(400, 's'));
  const std::string big((1 << 20) - 100, 'B');
  ASSERT_EQ(Set("big", big), StoreResult::kStored);
  EXPECT_EQ(Value("big"), big);
  EXPECT_LE(Stats().total_malloced, Stats().limit_maxbytes + kOverdraftSlack);
}

TEST_F(MemoryLimitTest, LargeItemsAreEvictedInLruOrderAcrossStripes) {
  // 400 KB items in 32 stripes: each stripe holds two or three of them, so
  // evicting from the written key's own stripe would drop recent items while
  // older ones survive elsewhere. Evictions take the oldest COLD tail of all
  // stripes instead: the survivors are exactly the newest items.
  StoreConfig c = TestConfig(size_t{32} << 20);
  c.stripes_log2 = 5;
  Open(c);
  const std::string big(400 * 1024, 'x');
  for (int i = 0; i < 150; ++i) {
    ASSERT_EQ(Put("item_" + std::to_string(i), big, {}, 0, 0, 100 + i), StoreResult::kStored);
  }
  ASSERT_GT(Stats().evictions, 0u);
  GetOptions peek;
  peek.bump = false;
  int first_alive = -1;
  for (int i = 0; i < 150; ++i) {
    const bool alive = static_cast<bool>(t_->Get("item_" + std::to_string(i), 300, peek).item);
    if (alive && first_alive < 0) first_alive = i;
    if (first_alive >= 0) {
      EXPECT_TRUE(alive) << "item_" << i << " evicted before older ones";
    }
  }
  EXPECT_GT(first_alive, 50);
  EXPECT_EQ(static_cast<uint64_t>(150 - first_alive), Stats().curr_items);
}

TEST_F(MemoryLimitTest, RaisingTheLimitLetsMoreIn) {
  Open(TestConfig(size_t{2} << 20));
  for (int i = 0; i < 5000; ++i) Set("k" + std::to_string(i), std::string(900, 'x'));
  const uint64_t before = Stats().curr_items;
  ASSERT_TRUE(store_->SetMemoryLimit(size_t{8} << 20).ok());
  EXPECT_EQ(store_->memory_limit(), size_t{8} << 20);
  const uint64_t evictions = Stats().evictions;
  for (int i = 5000; i < 9000; ++i) Set("k" + std::to_string(i), std::string(900, 'x'));
  EXPECT_EQ(Stats().evictions, evictions);  // room for all of them now
  EXPECT_EQ(Stats().curr_items, before + 4000);
}

TEST_F(MemoryLimitTest, LoweringTheLimitShrinksTheCacheAsItIsWritten) {
  Open(TestConfig(size_t{8} << 20));
  for (int i = 0; i < 7000; ++i) Set("k" + std::to_string(i), std::string(900, 'x'));
  ASSERT_TRUE(store_->SetMemoryLimit(size_t{4} << 20).ok());
  const uint64_t before = Stats().total_malloced;
  // memcached never fails a write because the limit went down: writers
  // evict, and while the budget is overdrawn they evict about twice what
  // they store, so the cache shrinks as it is written.
  for (int i = 7000; i < 9000; ++i) {
    ASSERT_EQ(Set("k" + std::to_string(i), std::string(900, 'x')), StoreResult::kStored) << i;
  }
  const StoreStats s = Stats();
  EXPECT_EQ(s.limit_maxbytes, size_t{4} << 20);
  EXPECT_LT(s.total_malloced, before - (size_t{1} << 20));
}

TEST_F(MemoryLimitTest, LimitOutsideTheRegionIsRefused) {
  EXPECT_FALSE(store_->SetMemoryLimit(0).ok());
  EXPECT_FALSE(store_->SetMemoryLimit(TestConfig().region_bytes).ok());
}

TEST_F(MemoryLimitTest, BudgetHeldByAnotherThreadIsNotStranded) {
  StoreConfig c = TestConfig(size_t{1} << 20);
  c.evict = false;
  c.workers = 1;  // big per-thread chunks: 16 KB of 1 MB
  Open(c);
  // Another thread takes a chunk of budget into its pool and idles.
  std::unique_ptr<StoreThread> other;
  std::thread([&] {
    other = std::move(*store_->RegisterThread(0));
    NewItem item;
    ASSERT_EQ(other->Allocate("other", 0, 0, 10, 100, &item), AllocResult::kOk);
    Fill(&item, "0123456789");
    ASSERT_EQ(other->Store(std::move(item), {}, 100, nullptr), StoreResult::kStored);
  }).join();
  // This thread fills memory to the limit; with -M it gets every byte that
  // is not in use, including what sits in the idle thread's pool.
  int stored = 0;
  NewItem item;
  while (t_->Allocate("k" + std::to_string(stored), 0, 0, 1000, 100, &item) == AllocResult::kOk) {
    Fill(&item, std::string(1000, 'x'));
    ASSERT_EQ(t_->Store(std::move(item), {}, 100, nullptr), StoreResult::kStored);
    ++stored;
  }
  const StoreStats s = Stats();
  EXPECT_GT(s.total_malloced, s.limit_maxbytes - 2048);
  std::thread([&] { other.reset(); }).join();
}

}  // namespace
}  // namespace ringcache::storage
