// The segmented LRU, eviction and memory bounds: memcached's lru_pull_tail
// policy on one stripe, so every item competes in the same segments.
#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "store_fixture.h"
#include "store_impl.h"
#include "stripe.h"

namespace ringcache::storage {
namespace {

using testing::StoreFixture;
using testing::TestConfig;

class LruTest : public StoreFixture {
 protected:
  void SetUp() override { Open(OneStripe(size_t{1} << 20)); }
  static StoreConfig OneStripe(size_t memory) {
    StoreConfig c = TestConfig(memory);
    c.stripes_log2 = 0;
    c.hashpower = 10;
    return c;
  }
  static std::string Key(int i) { return "key" + std::to_string(i); }
  Segment SegmentOf(const std::string& key) {
    GetOptions o;
    o.bump = false;
    return t_->Get(key, 100, o).item.segment();
  }
  std::vector<ClassStats> Classes(base::RelTime now = 100) {
    std::vector<ClassStats> c;
    store_->CollectClassStats(&c, now);
    return c;
  }
  uint64_t Number(Segment s) {
    uint64_t n = 0;
    for (const ClassStats& c : Classes()) n += c.items[static_cast<int>(s)];
    return n;
  }
  const std::string value_ = std::string(900, 'v');
};

TEST_F(LruTest, NewItemsEnterHotAndOverflowToCold) {
  for (int i = 0; i < 200; ++i) ASSERT_EQ(Set(Key(i), value_), StoreResult::kStored);
  EXPECT_EQ(SegmentOf(Key(199)), Segment::kHot);
  // HOT is held to 20 % of the stripe's bytes: the old tail went to COLD.
  EXPECT_EQ(SegmentOf(Key(0)), Segment::kCold);
  const uint64_t hot = Number(Segment::kHot);
  EXPECT_GT(hot, 0u);
  EXPECT_LE(hot, 200 * 21 / 100 + 2);
  EXPECT_EQ(hot + Number(Segment::kCold), 200u);
  EXPECT_GT(Stats().moves_to_cold, 0u);
}

TEST_F(LruTest, ActiveHotItemsMoveToWarm) {
  // Segment shares are fractions of the stripe's bytes: fill it first, or a
  // lone item is over any share (memcached behaves the same).
  for (int i = 0; i < 100; ++i) Set(Key(i), value_);
  Set("hot", value_);
  ASSERT_EQ(SegmentOf("hot"), Segment::kHot);
  t_->Get("hot", 100);  // fetched
  t_->Get("hot", 100);  // active
  for (int i = 100; i < 300; ++i) Set(Key(i), value_);
  EXPECT_EQ(SegmentOf("hot"), Segment::kWarm);
  EXPECT_GE(Stats().moves_to_warm, 1u);
}

TEST_F(LruTest, EvictionTakesTheColdTailFirst) {
  int stored = 0;
  for (int i = 0; i < 3000; ++i) {
    ASSERT_EQ(Set(Key(i), value_), StoreResult::kStored);
    ++stored;
  }
  const StoreStats s = Stats();
  EXPECT_GT(s.evictions, 0u);
  EXPECT_EQ(s.evicted_unfetched, s.evictions);  // nothing was ever read
  EXPECT_FALSE(Value(Key(0)));                  // oldest gone
  EXPECT_TRUE(Value(Key(2999)));                // newest kept
  // Items survive in one contiguous range of the newest keys.
  int first_alive = -1;
  for (int i = 0; i < 3000; ++i) {
    GetOptions o;
    o.bump = false;
    const bool alive = static_cast<bool>(t_->Get(Key(i), 100, o).item);
    if (alive && first_alive < 0) first_alive = i;
    if (first_alive >= 0) {
      EXPECT_TRUE(alive) << i;
    }
  }
  EXPECT_GT(first_alive, 0);
  // -m bounds everything charged: items, index, queues.
  EXPECT_LE(s.total_malloced, s.limit_maxbytes);
  EXPECT_EQ(s.curr_items, static_cast<uint64_t>(3000 - first_alive));
}

TEST_F(LruTest, ActiveColdItemsAreRescuedNotEvicted) {
  Set("keep", value_);
  for (int i = 0; i < 300; ++i) Set(Key(i), value_);
  ASSERT_EQ(SegmentOf("keep"), Segment::kCold);
  t_->Get("keep", 100);
  t_->Get("keep", 100);  // active in COLD: memcached would bump it to WARM
  const uint64_t warm_moves = Stats().moves_to_warm;
  for (int i = 300; i < 3000; ++i) Set(Key(i), value_);
  EXPECT_TRUE(Value("keep")) << "an active COLD item was evicted";
  EXPECT_FALSE(Value(Key(0)));
  EXPECT_GT(Stats().moves_to_warm, warm_moves);
  EXPECT_EQ(Stats().evicted_active, 0u);
  EXPECT_EQ(Stats().lru_bumps_dropped, 0u);
}

TEST_F(LruTest, ActiveWarmTailsAreBumpedWithinWarm) {
  LruTuning t = store_->lru_tuning();
  t.warm_lru_pct = 5;  // a small WARM share, so its tail is pulled often
  store_->SetLruTuning(t);
  for (int i = 0; i < 100; ++i) Set(Key(i), value_);
  // Hit a batch of HOT items twice: they go to WARM as HOT drains.
  for (int i = 80; i < 100; ++i) {
    t_->Get(Key(i), 100);
    t_->Get(Key(i), 100);
  }
  for (int i = 100; i < 200; ++i) Set(Key(i), value_);
  // Hit them again while in WARM: over its share, WARM's active tail is
  // bumped within WARM (moves_within_lru), the inactive rest goes to COLD.
  for (int i = 80; i < 100; ++i) {
    t_->Get(Key(i), 100);
    t_->Get(Key(i), 100);
  }
  for (int i = 200; i < 300; ++i) Set(Key(i), value_);
  EXPECT_GT(Stats().moves_within_lru, 0u);
  EXPECT_GT(Stats().moves_to_warm, 0u);
}

TEST_F(LruTest, AddOnAnActiveColdItemBumpsItToWarm) {
  Set("a", value_);
  for (int i = 0; i < 300; ++i) Set(Key(i), value_);
  ASSERT_EQ(SegmentOf("a"), Segment::kCold);
  t_->Get("a", 100);
  t_->Get("a", 100);
  EXPECT_EQ(Put("a", "x", {StoreMode::kAdd}), StoreResult::kNotStored);
  EXPECT_EQ(SegmentOf("a"), Segment::kWarm);  // do_item_update
}

TEST_F(LruTest, OperationsThatAllocateUnderTheLockSurviveEvictingTheirOwnItem) {
  // A large item at the COLD tail of a full stripe: appending to it (or
  // incrementing it) allocates its successor under the stripe lock, and
  // that allocation can only be paid for by evicting the item itself. The
  // store must not then write into the evicted item's old index slot.
  auto fill_behind = [&](int from, int count) {
    for (int i = from; i < from + count; ++i) Set(Key(i), value_);
  };
  const std::string big(300 * 1024, 'b');
  Set("big", big);
  fill_behind(0, 700);
  ASSERT_EQ(SegmentOf("big"), Segment::kCold);
  EXPECT_EQ(Put("big", "!", {StoreMode::kAppend}), StoreResult::kStored);
  EXPECT_EQ(Value("big"), big + "!");

  Open(OneStripe(size_t{1} << 20));
  std::string num = "7" + std::string(400 * 1024, ' ');
  Set("num", num);
  fill_behind(1000, 500);  // 400 KB + 500 x 1 KB: just under the limit
  ASSERT_EQ(SegmentOf("num"), Segment::kCold);
  ArithOptions incr;
  incr.delta = 1;
  ASSERT_EQ(t_->Arith("num", incr, 100).value, 8u);
  num[0] = '8';
  EXPECT_EQ(Value("num"), num);

  // The index is still sound: a walk sees each live key exactly once.
  std::set<std::string> seen;
  WalkCursor cursor;
  while (t_->Walk(&cursor, 100, 100,
                  [&](ItemView it) { EXPECT_TRUE(seen.insert(std::string(it.key())).second); })) {
    t_->Quiesce();
  }
  EXPECT_EQ(seen.size(), Stats().curr_items);
  EXPECT_GT(Stats().evictions, 0u);
}

TEST_F(LruTest, ExpiredTailItemsAreReclaimedBeforeEvicting) {
  for (int i = 0; i < 500; ++i) Put(Key(i), value_, {}, 0, 150);  // all expire at 150
  for (int i = 500; i < 1400; ++i) Put(Key(i), value_, {}, 0, 0, 200);
  const StoreStats s = Stats();
  EXPECT_GT(s.reclaimed, 0u);
  EXPECT_EQ(s.expired_unfetched, s.reclaimed);
  EXPECT_EQ(s.evictions, 0u);
  for (int i = 500; i < 1400; ++i) ASSERT_TRUE(Value(Key(i), 200)) << i;
}

TEST_F(LruTest, NoEvictModeAnswersOutOfMemory) {
  StoreConfig c = OneStripe(size_t{1} << 20);
  c.evict = false;  // -M
  Open(c);
  int stored = 0;
  NewItem item;
  AllocResult last = AllocResult::kOk;
  for (int i = 0; i < 5000; ++i) {
    last = t_->Allocate(Key(i), 0, 0, value_.size(), 100, &item);
    if (last != AllocResult::kOk) break;
    Fill(&item, value_);
    ASSERT_EQ(t_->Store(std::move(item), {}, 100, nullptr), StoreResult::kStored);
    ++stored;
  }
  EXPECT_EQ(last, AllocResult::kOutOfMemory);
  EXPECT_GT(stored, 800);  // the limit is 1 MB of ~1 KB items
  EXPECT_EQ(Stats().evictions, 0u);
  EXPECT_GE(Stats().outofmemory, 1u);
  for (int i = 0; i < stored; ++i) ASSERT_EQ(Value(Key(i)), value_) << i;
  // Deleting frees room again.
  t_->Delete(Key(0), {}, 100);
  EXPECT_EQ(Set("again", value_), StoreResult::kStored);
}

TEST_F(LruTest, TempItemsLiveOutsideTheEvictionOrder) {
  StoreConfig c = OneStripe(size_t{1} << 20);
  c.lru.temp_lru = true;
  c.lru.temporary_ttl = 61;
  Open(c);
  Put("temp", value_, {}, 0, 130);  // TTL 30 <= 61
  EXPECT_EQ(SegmentOf("temp"), Segment::kTemp);
  Put("long", value_, {}, 0, 100 + 3600);
  EXPECT_NE(SegmentOf("long"), Segment::kTemp);
  for (int i = 0; i < 3000; ++i) Put(Key(i), value_, {}, 0, 100 + 3600);
  EXPECT_GT(Stats().evictions, 0u);
  EXPECT_TRUE(Value("temp"));  // never evicted for space
  EXPECT_EQ(Number(Segment::kTemp), 1u);
  // Once expired it is reclaimed from the TEMP tail by later writes.
  for (int i = 0; i < 10; ++i) Set("w" + std::to_string(i), "x", 200);
  EXPECT_EQ(Number(Segment::kTemp), 0u);
}

TEST_F(LruTest, FlatModePutsEverythingInCold) {
  StoreConfig c = OneStripe(size_t{1} << 20);
  c.lru.segmented = false;
  Open(c);
  for (int i = 0; i < 50; ++i) Set(Key(i), value_);
  EXPECT_EQ(Number(Segment::kCold), 50u);
  EXPECT_EQ(Number(Segment::kHot), 0u);
}

TEST_F(LruTest, TuningChangesTheSegmentShares) {
  LruTuning t = store_->lru_tuning();
  EXPECT_EQ(t.hot_lru_pct, 20);
  t.hot_lru_pct = 60;
  store_->SetLruTuning(t);
  EXPECT_EQ(store_->lru_tuning().hot_lru_pct, 60);
  for (int i = 0; i < 200; ++i) Set(Key(i), value_);
  EXPECT_GE(Number(Segment::kHot), 200u * 55 / 100);
}

TEST_F(LruTest, ClassStatsReportItemsAgesAndEvictions) {
  for (int i = 0; i < 3000; ++i) Put(Key(i), value_, {}, 0, i < 100 ? 5000 : 0, 100 + i / 100);
  std::vector<ClassStats> classes = Classes(200);
  ASSERT_FALSE(classes.empty());
  uint64_t number = 0, evicted = 0, nonzero = 0;
  for (const ClassStats& c : classes) {
    EXPECT_GE(c.id, 1);
    EXPECT_GT(c.chunk_size, 0u);
    number += c.number();
    evicted += c.evicted;
    nonzero += c.evicted_nonzero;
    EXPECT_GT(c.age, 0u);
  }
  EXPECT_EQ(number, Stats().curr_items);
  EXPECT_EQ(evicted, Stats().evictions);
  EXPECT_EQ(nonzero, 100u);  // the items with a TTL were the oldest
}

// Every way a queue entry dies (overwrite, delete, expiry, flush, eviction, a
// read bump out of COLD, meta invalidate and x, the crawler and the background
// maintainer) must leave the queues in agreement with the index: each linked
// item has exactly one live entry, in its segment's queue, at the position
// the item names (Stripe::CheckQueues), after every step of a random mix.
TEST_F(LruTest, QueuesAgreeWithTheIndexUnderARandomMix) {
  std::atomic<base::RelTime> clock{100};
  ASSERT_TRUE(store_->StartBackground([&] { return clock.load(); }).ok());
  store_->SetCrawlerEnabled(true);
  Stripe& stripe = store_->impl()->stripe(0);
  std::mt19937 rng(11);
  base::RelTime now = 100;
  for (int step = 0; step < 30'000; ++step) {
    const std::string key = Key(static_cast<int>(rng() % 1200));
    switch (rng() % 12) {
      case 0:
      case 1:
      case 2:
      case 3: {
        // Sizes across classes; 1 MB holds ~700 of the average one, so the
        // mix evicts. Some items expire within a few ticks.
        const std::string value(1 + rng() % 3000, 'v');
        const base::RelTime exptime = rng() % 4 == 0 ? now + 1 + rng() % 5 : 0;
        StoreOptions opt;
        // add on an existing key counts as an access: an active COLD item
        // moves to WARM and leaves its COLD entry behind.
        if (rng() % 3 == 0) opt.mode = StoreMode::kAdd;
        (void)Put(key, value, opt, 0, exptime, now);
        break;
      }
      case 4: {
        (void)t_->Delete(key, DeleteOptions{}, now);
        break;
      }
      case 5:
      case 6:
        (void)t_->Get(key, now);
        (void)t_->Get(key, now);  // fetched twice: active
        break;
      case 7:
        (void)t_->Touch(key, rng() % 2 == 0 ? 0 : now + 3, now);
        break;
      case 8: {
        DeleteOptions o;
        if (rng() % 2 == 0) {
          o.invalidate = true;
        } else {
          o.drop_value_only = true;
        }
        (void)t_->Delete(key, o, now);
        break;
      }
      case 9: {
        LruTuning tuning = store_->lru_tuning();
        tuning.temp_lru = rng() % 2 == 0;
        tuning.temporary_ttl = 4;
        if (rng() % 8 == 0) tuning.segmented = !tuning.segmented;
        store_->SetLruTuning(tuning);
        break;
      }
      case 10:
        if (rng() % 500 == 0) store_->FlushAll(now, now);
        if (rng() % 20 == 0) (void)store_->StartCrawl({});
        break;
      case 11:
        clock.store(++now);
        break;
    }
    if (step % 25 == 0) {
      std::lock_guard<std::mutex> lock(stripe.mu());
      ASSERT_EQ(stripe.CheckQueues(), "") << "step " << step;
    }
  }
  EXPECT_GT(Stats().evictions, 0u) << Stats().curr_items << " items, " << Stats().bytes << " bytes";
  EXPECT_GT(Stats().reclaimed + Stats().expired_unfetched, 0u);
  uint64_t to_warm = 0;
  for (const ClassStats& c : Classes(now)) to_warm += c.moves_to_warm;
  EXPECT_GT(to_warm, 0u);
  store_->StopBackground();
  std::lock_guard<std::mutex> lock(stripe.mu());
  EXPECT_EQ(stripe.CheckQueues(), "");
}

// Many small items overwritten, deleted and bumped at random: queue blocks
// thin out and merge, moving entries (and their items' back-pointers), and
// the queues stay a small multiple of the live entries.
TEST_F(LruTest, QueuesStayCompactAndConsistentThroughBlockMerges) {
  Open(OneStripe(size_t{64} << 20));
  Stripe& stripe = store_->impl()->stripe(0);
  std::mt19937 rng(3);
  constexpr int kKeys = 40'000;
  for (int i = 0; i < kKeys; ++i) ASSERT_EQ(Put(Key(i), "v"), StoreResult::kStored);
  for (int step = 0; step < 300'000; ++step) {
    const std::string key = Key(static_cast<int>(rng() % kKeys));
    switch (rng() % 8) {
      case 0:
        (void)t_->Delete(key, DeleteOptions{}, 100);
        break;
      case 1:
        (void)t_->Get(key, 100);
        (void)t_->Get(key, 100);
        (void)Put(key, "w", {StoreMode::kAdd});  // an access: active COLD -> WARM
        break;
      default:
        (void)Put(key, "x");
        break;
    }
    if (step % 10'000 == 0) {
      std::lock_guard<std::mutex> lock(stripe.mu());
      ASSERT_EQ(stripe.CheckQueues(), "") << "step " << step;
    }
  }
  std::lock_guard<std::mutex> lock(stripe.mu());
  ASSERT_EQ(stripe.CheckQueues(), "");
  const uint64_t items = stripe.items();
  ASSERT_GT(items, uint64_t{kKeys} / 2);
  // 4 bytes an entry, blocks over a quarter full on average, and per
  // segment a block being filled.
  EXPECT_LE(stripe.queue_bytes(), 16 * items + 4 * 2 * 4096) << items << " items";
}

}  // namespace
}  // namespace ringcache::storage
