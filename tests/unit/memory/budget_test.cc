#include "ringcache/memory/budget.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::memory {
namespace {

TEST(MemoryBudgetTest, TakeAndGiveRespectTheLimit) {
  MemoryBudget b(1000);
  EXPECT_TRUE(b.TryTake(600));
  EXPECT_FALSE(b.TryTake(401));
  EXPECT_TRUE(b.TryTake(400));
  EXPECT_EQ(b.available(), 0);
  b.Give(100);
  EXPECT_EQ(b.TakeBetween(50, 500), 100u);
  EXPECT_EQ(b.TakeBetween(1, 10), 0u);
  EXPECT_EQ(b.taken(), 1000);
}

TEST(MemoryBudgetTest, LoweringTheLimitBelowUseGoesNegative) {
  MemoryBudget b(1000);
  ASSERT_TRUE(b.TryTake(800));
  b.SetLimit(500);
  EXPECT_EQ(b.available(), -300);
  EXPECT_FALSE(b.TryTake(1));
  b.Give(800);
  EXPECT_EQ(b.available(), 500);
  b.SetLimit(2000);
  EXPECT_EQ(b.available(), 2000);
}

TEST(BudgetPoolTest, ChargesComeFromThePoolAndRefillInChunks) {
  MemoryBudget global(10000);
  BudgetPool pool(&global, 1000);
  EXPECT_TRUE(pool.Take(100));
  // The shortfall plus one chunk of headroom was fetched.
  EXPECT_EQ(global.available(), 10000 - 1100);
  EXPECT_EQ(pool.held(), 1000u);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(pool.Take(100));
  EXPECT_EQ(pool.held(), 0u);
  EXPECT_EQ(global.taken(), 1100);
}

TEST(BudgetPoolTest, GiveTrimsToOneChunk) {
  MemoryBudget global(10000);
  BudgetPool pool(&global, 1000);
  ASSERT_TRUE(pool.Take(5000));
  pool.Give(5000);
  EXPECT_LE(pool.held(), 2000u);
  pool.Drain();
  EXPECT_EQ(global.available(), 10000);
}

TEST(BudgetPoolTest, ExactLimitIsReachableAndNotExceeded) {
  MemoryBudget global(1000);
  BudgetPool pool(&global, 300);
  size_t charged = 0;
  while (pool.Take(64)) charged += 64;
  EXPECT_EQ(charged, 960u);  // 15 x 64; the 16th would exceed 1000
  EXPECT_LE(charged + pool.held(), 1000u);
  EXPECT_TRUE(pool.Take(1000 - charged));
}

TEST(BudgetPoolTest, StealingCollectsOtherPools) {
  MemoryBudget global(1000);
  BudgetPool idle(&global, 500);
  BudgetPool busy(&global, 500);
  ASSERT_TRUE(idle.Take(10));  // idle now holds 500, global 490
  ASSERT_TRUE(busy.Take(490));
  EXPECT_FALSE(busy.Take(400));
  EXPECT_EQ(busy.StealFrom(&idle), 500u);
  EXPECT_EQ(idle.held(), 0u);
  EXPECT_TRUE(busy.Take(400));
  EXPECT_EQ(busy.StealFrom(&busy), 0u);
}

TEST(BudgetPoolTest, ConcurrentChargesNeverExceedTheLimit) {
  MemoryBudget global(1 << 20);
  std::vector<std::unique_ptr<BudgetPool>> pools;
  pools.reserve(4);
  for (int i = 0; i < 4; ++i) pools.push_back(std::make_unique<BudgetPool>(&global, 4096));
  std::atomic<int64_t> charged{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 200000; ++k) {
        const size_t n = 16 + (k % 7) * 16;
        if (pools[i]->Take(n)) {
          charged.fetch_add(static_cast<int64_t>(n));
          if (k % 3 == 0) {
            pools[i]->Give(n);
            charged.fetch_sub(static_cast<int64_t>(n));
          }
        } else {
          pools[i]->StealFrom(pools[(i + 1) % 4].get());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  int64_t held = 0;
  for (auto& p : pools) held += static_cast<int64_t>(p->held());
  EXPECT_LE(charged.load(), 1 << 20);
  EXPECT_EQ(charged.load() + held, global.taken());
}

}  // namespace
}  // namespace ringcache::memory
