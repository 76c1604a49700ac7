// Concurrency stress: threads doing set/get/cas/incr/append/delete on
// overlapping keys, checking that
//   - incr totals are exact,
//   - no CAS update is lost (every successful cas increments once),
//   - no value is ever torn (a reader sees one writer's whole value),
//   - appends are never lost or interleaved mid-chunk,
// while readers run lock-free and evictions, index growth and reclamation
// happen underneath. Built as its own binary: `--stress_scale=N` multiplies
// the work (1 in the unit suite, more in the ThreadSanitizer suite).
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

#include "ringcache/base/numeric.h"
#include "store_fixture.h"

namespace ringcache::storage {
namespace {

using testing::TestConfig;
using testing::ValueOf;

int g_scale = 1;
constexpr int kThreads = 4;

// A value that proves it was written whole: "<len>:<tag>" then `tag` repeated.
std::string MakeValue(size_t len, char tag) {
  std::string v = std::to_string(len) + ":" + tag;
  if (v.size() < len) v.append(len - v.size(), tag);
  return v;
}
bool ValueIsWhole(const std::string& v) {
  const size_t colon = v.find(':');
  if (colon == std::string::npos || colon + 1 >= v.size()) return false;
  if (std::to_string(v.size()) != v.substr(0, colon)) return false;
  const char tag = v[colon + 1];
  for (size_t i = colon + 1; i < v.size(); ++i) {
    if (v[i] != tag) return false;
  }
  return true;
}

class Worker {
 public:
  Worker(Store* store, int id)
      : t_(std::move(*store->RegisterThread(0))), id_(id), rng_(id * 7919) {}
  StoreThread& t() { return *t_; }
  std::mt19937& rng() { return rng_; }
  int id() const { return id_; }

  StoreResult Put(const std::string& key, const std::string& value, StoreOptions opt = {},
                  uint64_t* cas_out = nullptr) {
    NewItem item;
    if (t_->Allocate(key, 0, 0, value.size(), 100, &item) != AllocResult::kOk) {
      return StoreResult::kNotStored;
    }
    NewItem::Writable w = item.value();
    std::memcpy(w.first, value.data(), w.first_len);
    if (w.second_len > 0) std::memcpy(w.second, value.data() + w.first_len, w.second_len);
    return t_->Store(std::move(item), opt, 100, cas_out);
  }
  // Ends an "event-loop turn" every few operations, and sometimes blocks.
  void Turn(int op) {
    if (op % 8 == 0) t_->Quiesce();
    if (op % 997 == 0) {
      t_->Offline();
      std::this_thread::yield();
      t_->Online();
    }
  }

 private:
  std::unique_ptr<StoreThread> t_;
  int id_;
  std::mt19937 rng_;
};

template <typename Fn>
void RunThreads(Store* store, Fn fn) {
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([store, i, &fn] {
      Worker w(store, i);
      fn(w);
    });
  }
  for (auto& t : threads) t.join();
}

TEST(StoreStressTest, IncrTotalsAreExact) {
  auto store = std::move(*Store::Create(TestConfig()));
  {
    Worker init(store.get(), 99);
    ASSERT_EQ(init.Put("ctr", "0"), StoreResult::kStored);
  }
  const int per_thread = 5000 * g_scale;
  std::atomic<int> failures{0};
  RunThreads(store.get(), [&](Worker& w) {
    ArithOptions incr;
    incr.delta = 1;
    for (int i = 0; i < per_thread; ++i) {
      if (w.t().Arith("ctr", incr, 100).result != ArithResult::kOk) failures.fetch_add(1);
      if (i % 3 == 0) w.t().Get("ctr", 100);  // lock-free readers of a churning key
      w.Turn(i);
    }
  });
  EXPECT_EQ(failures.load(), 0);
  Worker check(store.get(), 98);
  GetResult r = check.t().Get("ctr", 100);
  ASSERT_TRUE(r.item);
  uint64_t total = 0;
  ASSERT_TRUE(base::ParseU64(ValueOf(r.item), &total));
  EXPECT_EQ(total, static_cast<uint64_t>(kThreads) * per_thread);
}

TEST(StoreStressTest, NoCasUpdateIsLost) {
  auto store = std::move(*Store::Create(TestConfig()));
  {
    Worker init(store.get(), 99);
    ASSERT_EQ(init.Put("casctr", "0"), StoreResult::kStored);
  }
  const int attempts = 4000 * g_scale;
  std::atomic<uint64_t> successes{0};
  RunThreads(store.get(), [&](Worker& w) {
    for (int i = 0; i < attempts; ++i) {
      GetResult g = w.t().Get("casctr", 100);
      ASSERT_TRUE(g.item);
      uint64_t v = 0;
      ASSERT_TRUE(base::ParseU64(ValueOf(g.item), &v));
      StoreOptions opt;
      opt.mode = StoreMode::kCas;
      opt.compare_cas = g.item.cas();
      if (w.Put("casctr", std::to_string(v + 1), opt) == StoreResult::kStored) {
        successes.fetch_add(1);
      }
      w.Turn(i);
    }
  });
  Worker check(store.get(), 98);
  uint64_t v = 0;
  ASSERT_TRUE(base::ParseU64(ValueOf(check.t().Get("casctr", 100).item), &v));
  EXPECT_EQ(v, successes.load());
  EXPECT_GT(successes.load(), 0u);
}

// Mixed operations on a shared key space under memory pressure: values are
// checked whole on every read, appended chunks are checked intact.
TEST(StoreStressTest, MixedOperationsNeverTearValues) {
  StoreConfig c = TestConfig(size_t{2} << 20);  // small: constant eviction
  c.stripes_log2 = 3;
  c.pin_min_value_size = 2048;
  auto store = std::move(*Store::Create(c));
  const int ops = 20000 * g_scale;
  std::atomic<uint64_t> torn{0}, reads{0};
  RunThreads(store.get(), [&](Worker& w) {
    std::vector<ItemPin> pins;
    for (int i = 0; i < ops; ++i) {
      const int r = static_cast<int>(w.rng()() % 100);
      const std::string key = "t" + std::to_string(w.rng()() % 2048);
      const std::string akey = "a" + std::to_string(w.rng()() % 8);
      if (r < 30) {
        const size_t len = 8 + w.rng()() % (w.rng()() % 4 == 0 ? 8000 : 200);
        w.Put(key, MakeValue(len, static_cast<char>('A' + w.id() * 5 + i % 5)));
      } else if (r < 65) {
        GetResult g = w.t().Get(key, 100);
        if (g.item) {
          reads.fetch_add(1);
          if (!ValueIsWhole(ValueOf(g.item))) torn.fetch_add(1);
          if (g.item.pinnable() && pins.size() < 4) pins.push_back(w.t().Pin(g.item));
        }
      } else if (r < 72) {
        w.t().Delete(key, {}, 100);
      } else if (r < 80) {
        // Appends of whole 8-byte chunks; a fresh key starts empty.
        char chunk[9];
        std::snprintf(chunk, sizeof(chunk), "[%d%05d]", w.id(), i % 100000);
        if (w.Put(akey, chunk, {StoreMode::kAppend}) == StoreResult::kNotStored) {
          w.Put(akey, chunk, {StoreMode::kAdd});
        }
      } else if (r < 88) {
        GetResult g = w.t().Get(akey, 100);
        if (g.item) {
          const std::string v = ValueOf(g.item);
          bool ok = v.size() % 8 == 0;
          for (size_t p = 0; ok && p < v.size(); p += 8) ok = v[p] == '[' && v[p + 7] == ']';
          if (!ok) torn.fetch_add(1);
          if (v.size() > 4000) w.t().Delete(akey, {}, 100);
        }
      } else if (r < 94) {
        GetResult g = w.t().Get(key, 100);
        if (g.item) {
          StoreOptions opt;
          opt.mode = StoreMode::kCas;
          opt.compare_cas = g.item.cas();
          w.Put(key, MakeValue(64, 'c'), opt);
        }
      } else {
        GetOptions touch;
        touch.touch = true;
        touch.new_exptime = 5000;
        w.t().Get(key, 100, touch);
      }
      // Pins outlive turns; they are checked and released a little later.
      if (i % 16 == 0 && !pins.empty()) {
        for (ItemPin& p : pins) {
          if (!ValueIsWhole(ValueOf(p.view()))) torn.fetch_add(1);
        }
        pins.clear();
      }
      w.Turn(i);
    }
  });
  EXPECT_EQ(torn.load(), 0u);
  EXPECT_GT(reads.load(), 0u);
  StoreStats s;
  store->CollectStats(&s);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_LE(s.total_malloced, s.limit_maxbytes + 4096 * kThreads);
}

// Background maintainer and crawler, a walk, and flushes race the workers.
TEST(StoreStressTest, BackgroundThreadAndWalksRaceTheWorkers) {
  StoreConfig c = TestConfig(size_t{8} << 20);
  c.autocrawl_interval = 1;
  c.crawler_sleep_us = 0;
  auto store = std::move(*Store::Create(c));
  std::atomic<base::RelTime> now{100};
  ASSERT_TRUE(store->StartBackground([&] { return now.load(); }).ok());
  const int ops = 15000 * g_scale;
  std::atomic<uint64_t> torn{0};
  RunThreads(store.get(), [&](Worker& w) {
    WalkCursor cursor;
    for (int i = 0; i < ops; ++i) {
      const std::string key = "k" + std::to_string(w.rng()() % 4000);
      const base::RelTime t = now.load();
      if (w.id() == 0 && i % 500 == 0) now.fetch_add(1);
      if (w.id() == 1 && i % 5000 == 4999) store->FlushAll(t, t);
      switch (w.rng()() % 4) {
        case 0: {
          NewItem item;
          const std::string v = MakeValue(16 + w.rng()() % 300, static_cast<char>('a' + w.id()));
          if (w.t().Allocate(key, 0, t + 1 + w.rng()() % 3, v.size(), t, &item) ==
              AllocResult::kOk) {
            std::memcpy(item.value().first, v.data(), item.value().first_len);
            if (item.value().second_len > 0) {
              std::memcpy(item.value().second, v.data() + item.value().first_len,
                          item.value().second_len);
            }
            w.t().Store(std::move(item), {}, t, nullptr);
          }
          break;
        }
        case 1:
        case 2: {
          GetResult g = w.t().Get(key, t);
          if (g.item && !ValueIsWhole(ValueOf(g.item))) torn.fetch_add(1);
          break;
        }
        default:
          if (w.id() == 2) {
            if (!w.t().Walk(&cursor, 32, t, [&](ItemView v) {
                  if (!ValueIsWhole(ValueOf(v))) torn.fetch_add(1);
                })) {
              cursor = WalkCursor();
            }
          } else if (w.id() == 3 && i % 1000 == 0) {
            store->StartCrawl({});
          } else {
            w.t().Delete(key, {}, t);
          }
      }
      w.Turn(i);
    }
  });
  store->StopBackground();
  EXPECT_EQ(torn.load(), 0u);
}

}  // namespace
}  // namespace ringcache::storage

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--stress_scale=", 15) == 0) {
      const long scale = std::strtol(argv[i] + 15, nullptr, 10);
      ringcache::storage::g_scale = static_cast<int>(std::clamp(scale, 1L, 1000L));
    }
  }
  return RUN_ALL_TESTS();
}
