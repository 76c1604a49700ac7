// Walks over all live items (lru_crawler metadump, snapshots).
#include <map>
#include <set>
#include <string>

#include "gtest/gtest.h"

#include "store_fixture.h"

namespace ringcache::storage {
namespace {

using testing::StoreFixture;
using testing::ValueOf;

using WalkTest = StoreFixture;

TEST_F(WalkTest, VisitsEveryLiveItemOnceAndSkipsDeadOnes) {
  for (int i = 0; i < 5000; ++i) Set("k" + std::to_string(i), std::to_string(i));
  Put("expired", "x", {}, 0, 150);
  Put("later", "x", {}, 0, 5000);
  std::map<std::string, int> seen;
  WalkCursor cursor;
  int calls = 0;
  while (t_->Walk(&cursor, 64, 200, [&](ItemView v) {
    ++seen[std::string(v.key())];
    if (v.key().substr(0, 1) == "k") {
      EXPECT_EQ(ValueOf(v), std::string(v.key().substr(1)));
    }
  })) {
    ++calls;
    t_->Quiesce();  // views are valid until here
  }
  EXPECT_TRUE(cursor.done());
  EXPECT_GT(calls, 50);
  EXPECT_EQ(seen.size(), 5001u);  // 5000 + "later"; "expired" is skipped
  for (const auto& [key, n] : seen) ASSERT_EQ(n, 1) << key;
  EXPECT_EQ(seen.count("expired"), 0u);
  // A finished cursor stays finished.
  EXPECT_FALSE(t_->Walk(&cursor, 64, 200, [](ItemView) { FAIL(); }));
}

TEST_F(WalkTest, ItemsPresentThroughoutAreSeenExactlyOnceDespiteWrites) {
  for (int i = 0; i < 3000; ++i) Set("stable" + std::to_string(i), "s");
  std::map<std::string, int> seen;
  WalkCursor cursor;
  int round = 0;
  while (t_->Walk(&cursor, 50, 100, [&](ItemView v) { ++seen[std::string(v.key())]; })) {
    // Writes between batches grow the index (in stripes the cursor is not in)
    // and churn other keys.
    for (int i = 0; i < 40; ++i) Set("new" + std::to_string(round * 40 + i), "n");
    t_->Delete("new" + std::to_string(round * 40), {}, 100);
    ++round;
    t_->Quiesce();
  }
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(seen["stable" + std::to_string(i)], 1) << i;
  for (const auto& [key, n] : seen) ASSERT_LE(n, 1) << key;
}

TEST_F(WalkTest, FlushedItemsAreSkipped) {
  for (int i = 0; i < 100; ++i) Set("k" + std::to_string(i), "v", 100);
  store_->FlushAll(100, 100);
  Set("after", "v", 101);
  std::set<std::string> seen;
  WalkCursor cursor;
  while (t_->Walk(&cursor, 1000, 101, [&](ItemView v) { seen.insert(std::string(v.key())); })) {
  }
  EXPECT_EQ(seen, std::set<std::string>{"after"});
}

TEST_F(WalkTest, AbandonedCursorReleasesItsStripe) {
  for (int i = 0; i < 100000; ++i) Set("k" + std::to_string(i), "v");
  {
    WalkCursor cursor;
    t_->Walk(&cursor, 10, 100, [](ItemView) {});
    EXPECT_FALSE(cursor.done());
    // The cursor's stripe does not grow while it is there...
    for (int i = 200000; i < 260000; ++i) Set("k" + std::to_string(i), "v");
    EXPECT_TRUE(Stats().hash_is_expanding);
  }
  // ...and grows again once the cursor is gone.
  for (int i = 100000; i < 200000; ++i) Set("k" + std::to_string(i), "v");
  EXPECT_FALSE(Stats().hash_is_expanding);
  WalkCursor moved;
  {
    WalkCursor first;
    t_->Walk(&first, 10, 100, [](ItemView) {});
    moved = std::move(first);
  }
  size_t n = 0;
  while (t_->Walk(&moved, 10000, 100, [&](ItemView) { ++n; })) {
  }
  EXPECT_GT(n, 190000u);
}

}  // namespace
}  // namespace ringcache::storage
