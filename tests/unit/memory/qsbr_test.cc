#include "ringcache/memory/qsbr.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::memory {
namespace {

TEST(QsbrTest, RetiredObjectIsSafeOnlyAfterEveryOnlineThreadQuiesced) {
  QsbrDomain d;
  auto a = std::move(*d.Register());
  auto b = std::move(*d.Register());
  EXPECT_EQ(d.registered(), 2);

  const uint64_t tag = d.RetireEpoch();  // object unlinked by `a`
  d.Advance();
  a->Quiesce();
  EXPECT_LE(d.SafeEpoch(), tag) << "b has not quiesced since the unlink";
  b->Quiesce();
  EXPECT_GT(d.SafeEpoch(), tag);
}

TEST(QsbrTest, WithoutAdvanceNothingBecomesSafe) {
  QsbrDomain d;
  auto a = std::move(*d.Register());
  const uint64_t tag = d.RetireEpoch();
  a->Quiesce();
  EXPECT_LE(d.SafeEpoch(), tag);
  d.Advance();
  a->Quiesce();
  EXPECT_GT(d.SafeEpoch(), tag);
}

TEST(QsbrTest, OfflineThreadsDoNotHoldBackReclamation) {
  QsbrDomain d;
  auto a = std::move(*d.Register());
  auto sleeper = std::move(*d.Register());
  sleeper->Offline();
  EXPECT_FALSE(sleeper->online());
  const uint64_t tag = d.RetireEpoch();
  d.Advance();
  a->Quiesce();
  EXPECT_GT(d.SafeEpoch(), tag);
  // Coming back online announces the current epoch: still safe.
  sleeper->Online();
  EXPECT_GT(d.SafeEpoch(), tag);
  // ...but a newer retirement waits for it again.
  const uint64_t tag2 = d.RetireEpoch();
  d.Advance();
  a->Quiesce();
  EXPECT_LE(d.SafeEpoch(), tag2);
  sleeper->Quiesce();
  EXPECT_GT(d.SafeEpoch(), tag2);
}

TEST(QsbrTest, UnregisteredSlotsAreReused) {
  QsbrDomain d;
  for (int i = 0; i < 3 * QsbrDomain::kMaxThreads; ++i) {
    auto t = d.Register();
    ASSERT_TRUE(t.ok());
  }
  EXPECT_EQ(d.registered(), 0);
}

TEST(QsbrTest, RegistrationFailsWhenFull) {
  QsbrDomain d;
  std::vector<std::unique_ptr<QsbrThread>> all;
  for (int i = 0; i < QsbrDomain::kMaxThreads; ++i) all.push_back(std::move(*d.Register()));
  EXPECT_FALSE(d.Register().ok());
  all.pop_back();
  EXPECT_TRUE(d.Register().ok());
}

// A reader walks a shared pointer while a writer swaps and reclaims the old
// object through the protocol; the reader must never see a freed object.
TEST(QsbrTest, ConcurrentReadersNeverSeeReclaimedObjects) {
  struct Obj {
    std::atomic<uint64_t> alive{1};
  };
  QsbrDomain d;
  std::atomic<Obj*> shared{new Obj};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> bad{0};
  std::vector<std::thread> readers;
  readers.reserve(2);
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      auto self = std::move(*d.Register());
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 64; ++i) {
          Obj* o = shared.load(std::memory_order_acquire);
          if (o->alive.load(std::memory_order_relaxed) != 1) bad.fetch_add(1);
        }
        self->Quiesce();
      }
    });
  }
  auto writer = std::move(*d.Register());
  std::vector<std::pair<uint64_t, Obj*>> retired;
  for (int i = 0; i < 20000; ++i) {
    Obj* old = shared.exchange(new Obj, std::memory_order_acq_rel);
    retired.emplace_back(d.RetireEpoch(), old);
    d.Advance();
    writer->Quiesce();
    const uint64_t safe = d.SafeEpoch();
    size_t keep = 0;
    for (auto& [tag, o] : retired) {
      if (tag < safe) {
        o->alive.store(0, std::memory_order_relaxed);  // "free": poison it
        delete o;
      } else {
        retired[keep++] = {tag, o};
      }
    }
    retired.resize(keep);
  }
  stop = true;
  for (auto& t : readers) t.join();
  for (auto& [tag, o] : retired) delete o;
  delete shared.load();
  EXPECT_EQ(bad.load(), 0u);
}

}  // namespace
}  // namespace ringcache::memory
