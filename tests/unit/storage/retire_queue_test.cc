#include "retire_queue.h"

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::storage {
namespace {

// The queue never dereferences its objects: 16-byte aligned addresses do.
void* Object(size_t i) { return reinterpret_cast<void*>(uintptr_t{0x10000} + 16 * i); }

TEST(RetireQueueTest, EntriesSayWhatTheyHold) {
  const RetireQueue::Entry item = RetireQueue::Entry::ForItem(7, Object(1));
  EXPECT_EQ(item.tag, 7u);
  EXPECT_EQ(item.ptr(), Object(1));
  EXPECT_FALSE(item.directory());
  const RetireQueue::Entry dir = RetireQueue::Entry::ForDirectory(8, Object(2));
  EXPECT_EQ(dir.tag, 8u);
  EXPECT_EQ(dir.ptr(), Object(2));
  EXPECT_TRUE(dir.directory());
}

TEST(RetireQueueTest, EmptyQueueOwnsNothing) {
  RetireQueue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.capacity(), 0u);
  q.push_back(RetireQueue::Entry::ForItem(1, Object(0)));
  EXPECT_EQ(q.capacity(), RetireQueue::kInitialCapacity);
  EXPECT_EQ(q.front().ptr(), Object(0));
  EXPECT_EQ(q.back().ptr(), Object(0));
}

// Against std::deque: random runs of pushes and pops that wrap the ring
// around and grow it while it is wrapped.
TEST(RetireQueueTest, BehavesAsAFifoThroughWrapsAndGrowth) {
  RetireQueue q;
  std::deque<RetireQueue::Entry> model;
  std::mt19937 rng(7);
  uint64_t next = 0;
  for (int round = 0; round < 2000; ++round) {
    const int pushes = static_cast<int>(rng() % 300);
    for (int i = 0; i < pushes; ++i) {
      const auto e = next % 5 == 0 ? RetireQueue::Entry::ForDirectory(next, Object(next))
                                   : RetireQueue::Entry::ForItem(next, Object(next));
      ++next;
      q.push_back(e);
      model.push_back(e);
      ASSERT_EQ(q.back().tag, e.tag);
    }
    const int pops = static_cast<int>(rng() % 300);
    for (int i = 0; i < pops && !model.empty(); ++i) {
      ASSERT_FALSE(q.empty());
      ASSERT_EQ(q.front().tag, model.front().tag);
      ASSERT_EQ(q.front().word, model.front().word);
      q.pop_front();
      model.pop_front();
    }
    ASSERT_EQ(q.size(), model.size());
    ASSERT_LE(q.size(), q.capacity());
    ASSERT_EQ(q.capacity() & (q.capacity() - 1), 0u);
  }
  std::vector<uint64_t> seen;
  q.ForEach([&](const RetireQueue::Entry& e) { seen.push_back(e.tag); });
  ASSERT_EQ(seen.size(), model.size());
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], model[i].tag);
}

TEST(RetireQueueTest, TrimReleasesOnlyARingABurstGrewWhenEmpty) {
  RetireQueue q;
  for (size_t i = 0; i < 1000; ++i) q.push_back(RetireQueue::Entry::ForItem(i, Object(i)));
  while (!q.empty()) q.pop_front();
  const size_t usual = q.capacity();
  q.Trim();
  EXPECT_EQ(q.capacity(), usual);  // small rings stay

  for (size_t i = 0; i <= RetireQueue::kKeepCapacity; ++i) {
    q.push_back(RetireQueue::Entry::ForItem(i, Object(i)));
  }
  EXPECT_GT(q.capacity(), RetireQueue::kKeepCapacity);
  q.Trim();
  EXPECT_GT(q.capacity(), RetireQueue::kKeepCapacity);  // not empty: kept
  while (!q.empty()) q.pop_front();
  q.Trim();
  EXPECT_EQ(q.capacity(), 0u);
  q.push_back(RetireQueue::Entry::ForItem(1, Object(1)));
  EXPECT_EQ(q.front().tag, 1u);
  EXPECT_EQ(q.size(), 1u);
}

TEST(RetireQueueTest, ClearDropsEverything) {
  RetireQueue q;
  for (size_t i = 0; i < 100; ++i) q.push_back(RetireQueue::Entry::ForItem(i, Object(i)));
  q.clear();
  EXPECT_TRUE(q.empty());
  q.push_back(RetireQueue::Entry::ForItem(5, Object(5)));
  EXPECT_EQ(q.front().tag, 5u);
}

}  // namespace
}  // namespace ringcache::storage
