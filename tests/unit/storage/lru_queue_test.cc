#include "lru_queue.h"

#include <algorithm>
#include <deque>
#include <random>
#include <unordered_map>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::storage {
namespace {

// Stands in for the items: remembers each reference's position as the queue
// reports it.
struct Positions {
  std::unordered_map<uint32_t, uint32_t> at;
  size_t moves = 0;
  void Hint(uint32_t /*ref*/) {}
  void Move(uint32_t ref, uint32_t pos) {
    ASSERT_TRUE(at.count(ref)) << "moved a dead entry " << ref;
    at[ref] = pos;
    ++moves;
  }
};

int64_t Push(LruQueue& q, Positions& p, uint32_t ref) {
  uint32_t pos;
  const int64_t bytes = q.PushNewest(ref, &pos, p);
  p.at[ref] = pos;
  return bytes;
}

// The live references from the tail, popping everything.
std::vector<uint32_t> Drain(LruQueue& q) {
  std::vector<uint32_t> out;
  while (const uint32_t* e = q.PeekOldest()) {
    if (*e != 0) out.push_back(*e);
    q.PopOldest();
  }
  return out;
}

TEST(LruQueueTest, FifoOrderAcrossBlocksWithStablePositions) {
  LruQueue q;
  Positions p;
  int64_t allocated = 0;
  for (uint32_t i = 1; i <= 2000; ++i) allocated += Push(q, p, i);
  EXPECT_EQ(q.size(), 2000u);
  EXPECT_EQ(allocated, static_cast<int64_t>(q.bytes()));
  EXPECT_GE(q.bytes(), 2000 * sizeof(uint32_t));
  EXPECT_EQ(*q.PeekOldest(), 1u);
  for (const auto& [ref, pos] : p.at) ASSERT_EQ(q.At(pos), ref);
  const std::vector<uint32_t> order = Drain(q);
  ASSERT_EQ(order.size(), 2000u);
  for (uint32_t i = 0; i < 2000; ++i) ASSERT_EQ(order[i], i + 1);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(LruQueueTest, PeekFromOldestCountsFromTheTailAcrossBlocks) {
  LruQueue q;
  Positions p;
  for (uint32_t i = 1; i <= 1500; ++i) Push(q, p, i);
  q.PopOldest();
  for (size_t k = 0; k < 1499; ++k) {
    const uint32_t* e = q.PeekFromOldest(k);
    ASSERT_NE(e, nullptr) << k;
    ASSERT_EQ(*e, k + 2);
  }
  EXPECT_EQ(q.PeekFromOldest(1499), nullptr);
}

TEST(LruQueueTest, TombstonesArePoppedAndEmptyBlocksFreed) {
  LruQueue q;
  Positions p;
  for (uint32_t i = 1; i <= 3000; ++i) Push(q, p, i);
  const size_t before = q.bytes();
  // Every entry of the second block, in batches: its block goes at once.
  std::vector<uint32_t> second;
  for (uint32_t i = 1; i <= 3000; ++i) {
    if ((p.at[i] >> LruQueue::kIndexBits) == (p.at[1500] >> LruQueue::kIndexBits)) {
      second.push_back(i);
    }
  }
  ASSERT_GT(second.size(), 500u);
  size_t freed = 0;
  for (size_t k = 0; k < second.size(); k += 16) {
    uint32_t pos[16];
    int n = 0;
    for (size_t j = k; j < std::min(second.size(), k + 16); ++j) pos[n++] = p.at[second[j]];
    for (size_t j = k; j < k + n; ++j) p.at.erase(second[j]);
    freed += q.Tombstone(pos, n, p);
  }
  EXPECT_EQ(freed, LruQueue::kBlockBytes);
  EXPECT_EQ(q.bytes(), before - LruQueue::kBlockBytes);
  EXPECT_EQ(p.moves, 0u);  // its neighbours were full: nothing merged
  const std::vector<uint32_t> order = Drain(q);
  ASSERT_EQ(order.size(), 3000 - second.size());
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  EXPECT_EQ(order.front(), 1u);
  EXPECT_EQ(order.back(), 3000u);
}

TEST(LruQueueTest, SparseBlocksMergeKeepingOrderAndPositions) {
  LruQueue q;
  Positions p;
  for (uint32_t i = 1; i <= 10000; ++i) Push(q, p, i);
  const size_t full = q.bytes();
  // Kill seven in eight, spread over every block.
  std::vector<uint32_t> doomed;
  for (uint32_t i = 1; i <= 10000; ++i) {
    if (i % 8 != 0) doomed.push_back(i);
  }
  for (size_t k = 0; k < doomed.size(); k += 16) {
    uint32_t pos[16];
    int n = 0;
    for (size_t j = k; j < std::min(doomed.size(), k + 16); ++j) {
      pos[n++] = p.at[doomed[j]];
      p.at.erase(doomed[j]);
    }
    q.Tombstone(pos, n, p);
  }
  EXPECT_GT(p.moves, 0u);
  EXPECT_LE(q.bytes(), full / 3);
  for (const auto& [ref, pos] : p.at) ASSERT_EQ(q.At(pos), ref) << ref;
  const std::vector<uint32_t> order = Drain(q);
  ASSERT_EQ(order.size(), 1250u);
  for (size_t i = 0; i < order.size(); ++i) ASSERT_EQ(order[i], 8 * (i + 1));
}

// Random pushes, tombstones of random live entries and pops, against a model
// of the live order; positions must follow every move, and memory stays
// within a small multiple of the live entries.
TEST(LruQueueTest, ChurnMatchesAModelAndStaysCompact) {
  LruQueue q;
  Positions p;
  std::mt19937 rng(5);
  std::deque<uint32_t> model;  // live references, oldest first
  std::vector<uint32_t> live;  // the same, in no order, for picking
  std::unordered_map<uint32_t, size_t> slot;
  uint32_t next = 1;
  size_t worst_bytes_per_live = 0;
  for (int step = 0; step < 300000; ++step) {
    const uint32_t r = rng() % 100;
    if (r < 50 || live.size() < 100) {
      Push(q, p, next);
      model.push_back(next);
      slot[next] = live.size();
      live.push_back(next);
      ++next;
    } else if (r < 97) {
      // A batch of up to 16 deaths, as the stripe writes them.
      uint32_t pos[16];
      int n = 0;
      const int want = 1 + static_cast<int>(rng() % 16);
      while (n < want && !live.empty()) {
        const size_t k = rng() % live.size();
        const uint32_t ref = live[k];
        live[k] = live.back();
        slot[live[k]] = k;
        live.pop_back();
        slot.erase(ref);
        pos[n++] = p.at[ref];
        p.at.erase(ref);
        model.erase(std::find(model.begin(), model.end(), ref));
      }
      q.Tombstone(pos, n, p);
    } else {
      // The tail: tombstones go, the first live entry is consumed.
      while (const uint32_t* e = q.PeekOldest()) {
        const uint32_t ref = *e;
        q.PopOldest();
        if (ref == 0) continue;
        ASSERT_EQ(ref, model.front()) << step;
        model.pop_front();
        const size_t k = slot[ref];
        live[k] = live.back();
        slot[live[k]] = k;
        live.pop_back();
        slot.erase(ref);
        p.at.erase(ref);
        break;
      }
    }
    if (step % 5000 == 0 && !model.empty()) {
      for (const auto& [ref, pos] : p.at) ASSERT_EQ(q.At(pos), ref) << step;
      std::vector<uint32_t> seen;
      q.ScanFromOldest(SIZE_MAX, [&](uint32_t ref, uint32_t) {
        if (ref != 0) seen.push_back(ref);
        return false;
      });
      ASSERT_TRUE(std::equal(seen.begin(), seen.end(), model.begin(), model.end())) << step;
      if (model.size() > 20000) {
        worst_bytes_per_live = std::max(worst_bytes_per_live, q.bytes() / model.size());
      }
    }
  }
  // Four bytes an entry; merges keep blocks over a quarter full on average.
  EXPECT_LE(worst_bytes_per_live, 16u);
  // An entry moves less than once in its life on average.
  EXPECT_LT(p.moves, static_cast<size_t>(next));
}

TEST(LruQueueTest, PrefetchFromOldestStaysWithinTheQueue) {
  LruQueue q;
  Positions p;
  q.PrefetchFromOldest(0, 100);  // empty: nothing to hint
  for (uint32_t i = 0; i < 1500; ++i) Push(q, p, i + 1);
  q.PrefetchFromOldest(0, 64);
  q.PrefetchFromOldest(1000, 2000);  // runs past the head
  q.PrefetchFromOldest(5000, 10);    // starts past the head
  EXPECT_EQ(q.size(), 1500u);
}

}  // namespace
}  // namespace ringcache::storage
