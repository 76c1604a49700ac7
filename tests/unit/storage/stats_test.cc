// What `stats`, `stats items`, `stats slabs` and `stats sizes` read.
#include <string>

#include "gtest/gtest.h"

#include "store_fixture.h"

namespace ringcache::storage {
namespace {

using testing::StoreFixture;
using testing::TestConfig;

using StatsTest = StoreFixture;

TEST_F(StatsTest, GeneralCounters) {
  const StoreStats empty = Stats();
  EXPECT_EQ(empty.curr_items, 0u);
  EXPECT_EQ(empty.limit_maxbytes, size_t{64} << 20);
  EXPECT_GT(empty.hash_bytes, 0u);
  EXPECT_GE(empty.hash_power_level, 16u);  // -o hashpower default
  EXPECT_GT(empty.total_malloced, 0u);     // the index is charged
  EXPECT_GT(empty.stripes, 1);

  for (int i = 0; i < 10; ++i) Set("k" + std::to_string(i), "value");
  Set("k0", "again");
  t_->Get("k1", 100);
  t_->Get("nope", 100);
  t_->Delete("k2", {}, 100);
  const StoreStats s = Stats();
  EXPECT_EQ(s.curr_items, 9u);
  EXPECT_EQ(s.total_items, 11u);
  EXPECT_EQ(s.cmd_set, 11u);
  EXPECT_EQ(s.get_hits, 1u);
  EXPECT_EQ(s.delete_hits, 1u);
  EXPECT_EQ(s.bytes, 9u * 32);  // 12 + 8 + 2 + 5 bytes: the 32-byte class
  EXPECT_FALSE(s.lru_crawler_running);
}

TEST_F(StatsTest, ClassStatsPerSizeClass) {
  for (int i = 0; i < 30; ++i) Set("ifoo" + std::to_string(i), "ok");
  Set("mid", std::string(600, 'm'));  // 627 bytes in the 640 class: not split
  t_->Get("mid", 100);
  std::vector<ClassStats> classes;
  store_->CollectClassStats(&classes, 100);
  ASSERT_EQ(classes.size(), 2u);
  EXPECT_EQ(classes[0].id, 1);
  EXPECT_EQ(classes[0].number(), 30u);
  EXPECT_EQ(classes[0].used_chunks, 30u);
  EXPECT_EQ(classes[0].cmd_set, 30u);
  EXPECT_GT(classes[0].chunks_per_page, 1u);
  EXPECT_EQ(classes[0].chunk_size, 32u);
  EXPECT_GT(classes[1].id, 1);
  EXPECT_EQ(classes[1].get_hits, 1u);
  EXPECT_EQ(classes[1].mem_requested, 600u + 16 + 8 + 3);
  EXPECT_EQ(t_->Get("mid", 100).item.total_size(), 600u + 16 + 8 + 3);
  t_->Delete("ifoo0", {}, 100);
  store_->CollectClassStats(&classes, 100);
  EXPECT_EQ(classes[0].used_chunks, 29u);
  EXPECT_EQ(store_->ClassId(t_->Get("ifoo1", 100).item), 1);
}

TEST_F(StatsTest, StatsSizesCountsItemsLinkedAfterEnabling) {
  SizesHistogram h;
  store_->CollectSizes(&h);
  EXPECT_EQ(h.status, SizesHistogram::Status::kDisabled);
  Set("before", "x");
  EXPECT_EQ(store_->EnableSizes(true), SizesHistogram::Status::kEnabled);
  Set("a", std::string(10, 'a'));   // 12 + 8 + 1 + 10 = 31 -> bucket 32
  Set("b", std::string(100, 'b'));  // 121 -> 128
  Set("c", std::string(100, 'c'));
  t_->Delete("before", {}, 100);  // linked before: not counted either way
  store_->CollectSizes(&h);
  ASSERT_EQ(h.status, SizesHistogram::Status::kEnabled);
  ASSERT_EQ(h.buckets.size(), 2u);
  EXPECT_EQ(h.buckets[0], std::make_pair(size_t{32}, uint64_t{1}));
  EXPECT_EQ(h.buckets[1], std::make_pair(size_t{128}, uint64_t{2}));
  t_->Delete("c", {}, 100);
  store_->CollectSizes(&h);
  EXPECT_EQ(h.buckets[1].second, 1u);
  EXPECT_EQ(store_->EnableSizes(false), SizesHistogram::Status::kDisabled);
  store_->CollectSizes(&h);
  EXPECT_TRUE(h.buckets.empty());
}

TEST_F(StatsTest, StatsSizesNeedsCas) {
  StoreConfig c = TestConfig();
  c.cas_enabled = false;
  Open(c);
  EXPECT_EQ(store_->EnableSizes(true), SizesHistogram::Status::kCasDisabled);
}

TEST_F(StatsTest, DepartedThreadsKeepTheirCounts) {
  {
    auto other = std::move(*store_->RegisterThread(0));
    NewItem item;
    ASSERT_EQ(other->Allocate("x", 0, 0, 1, 100, &item), AllocResult::kOk);
    item.value().first[0] = 'y';
    ASSERT_EQ(other->Store(std::move(item), {}, 100, nullptr), StoreResult::kStored);
    other->Get("x", 100);
  }
  const StoreStats s = Stats();
  EXPECT_EQ(s.cmd_set, 1u);
  EXPECT_EQ(s.get_hits, 1u);
  EXPECT_EQ(s.curr_items, 1u);
}

}  // namespace
}  // namespace ringcache::storage
