// The background LRU maintainer and crawler, driven by an injected clock.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "gtest/gtest.h"

#include "store_fixture.h"

namespace ringcache::storage {
namespace {

using testing::StoreFixture;
using testing::TestConfig;

class BackgroundTest : public StoreFixture {
 protected:
  void StartAt(base::RelTime t) {
    now_.store(t);
    ASSERT_TRUE(store_->StartBackground([this] { return now_.load(); }).ok());
  }
  // Polls `pred` for up to five seconds.
  template <typename Pred>
  bool Eventually(Pred pred) {
    for (int i = 0; i < 500; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  }
  int ClassIdOf(const std::string& key) { return store_->ClassId(t_->Get(key, now_.load()).item); }

  std::atomic<base::RelTime> now_{100};
};

TEST_F(BackgroundTest, ExpiredTailItemsAreReclaimedWithoutAnyWrite) {
  // lru-maintainer.t: ten items with a TTL of 1 are reclaimed on their own.
  for (int i = 0; i < 10; ++i) Put("ifoo" + std::to_string(i), "ok", {}, 0, 101);
  StartAt(100);
  now_.store(103);
  EXPECT_TRUE(Eventually([&] { return Stats().reclaimed == 10; })) << Stats().reclaimed;
  EXPECT_EQ(Stats().curr_items, 0u);
  EXPECT_GT(Stats().lru_maintainer_juggles, 0u);
}

TEST_F(BackgroundTest, CrawlReclaimsExpiredItemsOfTheRequestedClasses) {
  StoreConfig c = TestConfig();
  c.lru_maintainer = false;  // only the crawler may reclaim here
  c.autocrawl_interval = 100000;
  Open(c);
  for (int i = 0; i < 30; ++i) Put("ifoo" + std::to_string(i), "ok", {}, 0, 0);
  for (int i = 0; i < 30; ++i) Put("lfoo" + std::to_string(i), "ok", {}, 0, 3700);
  for (int i = 0; i < 30; ++i) Put("sfoo" + std::to_string(i), "ok", {}, 0, 101);
  Put("bigexp", std::string(5000, 'x'), {}, 0, 101);
  StartAt(100);
  const int small = ClassIdOf("ifoo0");
  EXPECT_EQ(small, 1);  // small items are in class 1, as in memcached
  const int big = ClassIdOf("bigexp");
  ASSERT_NE(big, small);
  now_.store(104);
  const int ids[] = {small};
  ASSERT_EQ(store_->StartCrawl(ids), CrawlStart::kOk);
  EXPECT_TRUE(store_->crawler_running());  // visible at once
  EXPECT_TRUE(Eventually([&] { return !store_->crawler_running(); }));
  std::vector<ClassStats> classes;
  store_->CollectClassStats(&classes, 104);
  uint64_t reclaimed_small = 0, reclaimed_big = 0, used_small = 0, checked = 0;
  for (const ClassStats& cs : classes) {
    if (cs.id == small) {
      reclaimed_small = cs.crawler_reclaimed;
      used_small = cs.used_chunks;
      checked = cs.crawler_items_checked;
    }
    if (cs.id == big) reclaimed_big = cs.crawler_reclaimed;
  }
  EXPECT_EQ(reclaimed_small, 30u);
  EXPECT_EQ(used_small, 60u);
  EXPECT_GE(checked, 90u);
  EXPECT_EQ(reclaimed_big, 0u);  // not asked for
  EXPECT_EQ(Stats().crawler_reclaimed, 30u);
  EXPECT_EQ(Stats().expired_unfetched, 30u);
  EXPECT_GE(Stats().lru_crawler_starts, 1u);
}

TEST_F(BackgroundTest, CrawlRequestOutcomes) {
  StoreConfig c = TestConfig();
  c.lru_crawler = false;
  Open(c);
  const int all[] = {1};
  EXPECT_EQ(store_->StartCrawl(all), CrawlStart::kDisabled);  // no background thread
  StartAt(100);
  EXPECT_EQ(store_->StartCrawl(all), CrawlStart::kDisabled);  // lru_crawler disable
  store_->SetCrawlerEnabled(true);
  EXPECT_TRUE(store_->crawler_enabled());
  EXPECT_EQ(store_->StartCrawl({}), CrawlStart::kNotStarted);  // nothing to crawl
  Set("x", "y");
  const int bad[] = {0};
  EXPECT_EQ(store_->StartCrawl(bad), CrawlStart::kBadClass);
  const int too_big[] = {store_->class_count() + 1};
  EXPECT_EQ(store_->StartCrawl(too_big), CrawlStart::kBadClass);
  store_->SetCrawlerSleep(1000000);  // a crawl that takes a while...
  for (int i = 0; i < 3000; ++i) Set("k" + std::to_string(i), "v");
  ASSERT_EQ(store_->StartCrawl({}), CrawlStart::kOk);
  EXPECT_EQ(store_->StartCrawl({}), CrawlStart::kBusy);  // ...is busy meanwhile
  store_->StopBackground();
  EXPECT_FALSE(store_->crawler_running());
}

TEST_F(BackgroundTest, FlushedItemsAreCrawledAway) {
  StoreConfig c = TestConfig();
  c.lru_maintainer = false;  // else the juggle reclaims the tails first, as "reclaimed"
  Open(c);
  for (int i = 0; i < 50; ++i) Set("k" + std::to_string(i), "v", 100);
  store_->FlushAll(100, 100);
  StartAt(101);
  ASSERT_EQ(store_->StartCrawl({}), CrawlStart::kOk);
  EXPECT_TRUE(Eventually([&] { return !store_->crawler_running(); }));
  EXPECT_EQ(Stats().curr_items, 0u);
  EXPECT_EQ(Stats().crawler_reclaimed, 50u);
  EXPECT_EQ(Stats().expired_unfetched, 0u);  // flushed items do not count as expired
}

TEST_F(BackgroundTest, LoweredLimitIsEnforcedInTheBackground) {
  Open(TestConfig(size_t{8} << 20));
  for (int i = 0; i < 7000; ++i) Set("k" + std::to_string(i), std::string(900, 'x'));
  ASSERT_TRUE(store_->SetMemoryLimit(size_t{3} << 20).ok());
  StartAt(100);
  EXPECT_TRUE(Eventually([&] {
    const StoreStats s = Stats();
    return s.total_malloced <= s.limit_maxbytes;
  })) << Stats().total_malloced;
}

TEST_F(BackgroundTest, IdleStripesAreJuggled) {
  StoreConfig c = TestConfig(size_t{4} << 20);
  c.stripes_log2 = 0;
  Open(c);
  for (int i = 0; i < 500; ++i) Set("k" + std::to_string(i), std::string(900, 'x'), 100);
  const uint64_t moves = Stats().moves_to_cold;
  // With time passing, HOT items older than hot_max_factor x the COLD tail's
  // age drain to COLD without any write.
  Set("late", "v", 150);
  StartAt(400);
  EXPECT_TRUE(Eventually([&] { return Stats().moves_to_cold > moves; }));
}

}  // namespace
}  // namespace ringcache::storage
