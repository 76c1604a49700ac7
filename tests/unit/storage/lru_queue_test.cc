#include "lru_queue.h"

#include <algorithm>
#include <deque>
#include <random>
#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::storage {
namespace {

std::vector<uint32_t> Drain(LruQueue& q) {
  std::vector<uint32_t> out;
  while (auto e = q.PeekOldest()) {
    out.push_back(e->ref);
    q.PopOldest();
  }
  return out;
}

TEST(LruQueueTest, FifoOrderAcrossBlocks) {
  LruQueue q;
  size_t allocated = 0;
  for (uint32_t i = 1; i <= 2000; ++i) allocated += q.PushNewest({i});
  EXPECT_EQ(q.size(), 2000u);
  EXPECT_EQ(allocated, q.bytes());
  EXPECT_GE(q.bytes(), 2000 * sizeof(LruEntry));
  EXPECT_EQ(q.PeekOldest()->ref, 1u);
  const std::vector<uint32_t> order = Drain(q);
  ASSERT_EQ(order.size(), 2000u);
  for (uint32_t i = 0; i < 2000; ++i) ASSERT_EQ(order[i], i + 1);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(LruQueueTest, PeekFromOldestCountsFromTheTailAcrossBlocks) {
  LruQueue q;
  EXPECT_EQ(q.PeekFromOldest(0), nullptr);
  for (uint32_t i = 1; i <= 1500; ++i) q.PushNewest({i});
  for (int i = 0; i < 300; ++i) q.PopOldest();  // the tail block starts mid-way
  for (size_t k : {size_t{0}, size_t{1}, size_t{200}, size_t{250}, size_t{900}, size_t{1199}}) {
    const LruEntry* e = q.PeekFromOldest(k);
    ASSERT_NE(e, nullptr) << k;
    EXPECT_EQ(e->ref, 301 + k) << k;
  }
  EXPECT_EQ(q.PeekFromOldest(1200), nullptr);
  EXPECT_EQ(q.PeekFromOldest(0), q.PeekOldest());
}

TEST(LruQueueTest, PushOldestPutsBackAtTheTail) {
  LruQueue q;
  q.PushNewest({2});
  q.PushNewest({3});
  q.PushOldest({1});
  for (uint32_t i = 0; i < 1000; ++i) q.PushOldest({0});  // spills into new blocks
  q.PopOldest();
  std::vector<uint32_t> order = Drain(q);
  ASSERT_EQ(order.size(), 1002u);
  EXPECT_EQ(order[998], 0u);
  EXPECT_EQ(order[999], 1u);
  EXPECT_EQ(order[1000], 2u);
  EXPECT_EQ(order[1001], 3u);
}

TEST(LruQueueTest, PopReturnsTheBytesOfFreedBlocks) {
  LruQueue q;
  for (uint32_t i = 0; i < 1000; ++i) q.PushNewest({i});
  size_t freed = 0;
  while (!q.empty()) freed += q.PopOldest();
  EXPECT_GT(freed, 0u);
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(LruQueueTest, SweepDropsRejectedEntriesAndKeepsOrder) {
  LruQueue q;
  for (uint32_t i = 0; i < 5000; ++i) q.PushNewest({i});
  const size_t before = q.bytes();
  size_t freed = 0;
  // Keep multiples of 5, in budgets that end mid-block.
  for (int step = 0; step < 200; ++step) {
    freed += q.Sweep(37, [](const LruEntry& e) { return e.ref % 5 == 0; });
  }
  EXPECT_EQ(q.size(), 1000u);
  EXPECT_EQ(before - q.bytes(), freed);
  EXPECT_LT(q.bytes(), before / 3);  // sparse blocks were merged
  const std::vector<uint32_t> order = Drain(q);
  ASSERT_EQ(order.size(), 1000u);
  for (uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(order[i], i * 5);
}

TEST(LruQueueTest, ScanFromSweepVisitsWhatTheNextSweepChecks) {
  LruQueue q;
  for (uint32_t i = 0; i < 3000; ++i) q.PushNewest({i});
  // Blocks emptied and folded along the way; 60 steps of 45 stay short of a wrap.
  for (int step = 0; step < 60; ++step) {
    std::vector<uint32_t> ahead, checked;
    q.ScanFromSweep(45, [&](const LruEntry& e) { ahead.push_back(e.ref); });
    q.Sweep(45, [&](const LruEntry& e) {
      checked.push_back(e.ref);
      return e.ref % 3 == 0;
    });
    ASSERT_EQ(ahead, checked) << step;
    if (step == 0) {
      EXPECT_EQ(ahead.front(), 0u);  // before any sweep: from the tail
    }
  }
}

TEST(LruQueueTest, SweepInterleavedWithPushAndPopMatchesAModel) {
  std::mt19937 rng(7);
  LruQueue q;
  std::deque<uint32_t> model;  // exactly the queue's entries, oldest first
  std::set<uint32_t> dead;
  uint32_t next = 1;
  for (int op = 0; op < 200000; ++op) {
    const int r = static_cast<int>(rng() % 100);
    if (r < 45) {
      q.PushNewest({next});
      model.push_back(next++);
    } else if (r < 55 && !model.empty()) {
      ASSERT_EQ(q.PeekOldest()->ref, model.front());
      q.PopOldest();
      model.pop_front();
    } else if (r < 60) {
      q.PushOldest({next});
      model.push_front(next++);
    } else if (r < 80 && !model.empty()) {
      dead.insert(model[rng() % model.size()]);
    } else {
      std::set<uint32_t> dropped;
      q.Sweep(rng() % 50, [&](const LruEntry& e) {
        if (dead.count(e.ref) == 0) return true;
        dropped.insert(e.ref);
        return false;
      });
      std::erase_if(model, [&](uint32_t v) { return dropped.count(v) != 0; });
    }
    ASSERT_EQ(q.size(), model.size()) << op;
  }
  const std::vector<uint32_t> got = Drain(q);
  EXPECT_EQ(got, std::vector<uint32_t>(model.begin(), model.end()));
}

TEST(LruQueueTest, PrefetchFromOldestStaysWithinTheQueue) {
  // A hint reads nothing, but its walk over blocks must stay in bounds at
  // every offset and length (ASan checks the addresses it forms).
  LruQueue q;
  for (uint32_t i = 0; i < 1500; ++i) q.PushNewest({i + 1});
  for (int i = 0; i < 300; ++i) q.PopOldest();  // a partly consumed first block
  for (size_t from = 0; from < q.size() + 10; from += 37) {
    for (size_t count : {size_t{1}, size_t{8}, size_t{16}, size_t{600}, size_t{5000}}) {
      q.PrefetchFromOldest(from, count);
    }
  }
  EXPECT_EQ(q.size(), 1200u);
}

}  // namespace
}  // namespace ringcache::storage
