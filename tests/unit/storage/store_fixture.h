// Shared helpers for the store tests: a store with a fixed hash seed and a
// registered thread, and one-call set/get wrappers. Time is whatever the
// test passes as `now`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

#include "ringcache/storage/store.h"

namespace ringcache::storage::testing {

inline StoreConfig TestConfig(size_t memory = size_t{64} << 20) {
  StoreConfig c;
  c.memory_limit = memory;
  c.region_bytes = size_t{4} << 30;  // keeps many test stores cheap on address space
  c.hash_seed0 = 0x1234;
  c.hash_seed1 = 0x5678;
  c.workers = 2;
  return c;
}

inline std::string ValueOf(ItemView v) {
  const ItemView::ValueParts p = v.value();
  return std::string(p.first) + std::string(p.second);
}

class StoreFixture : public ::testing::Test {
 protected:
  void Open(const StoreConfig& config) {
    t_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<Store>> s = Store::Create(config);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    absl::StatusOr<std::unique_ptr<StoreThread>> t = store_->RegisterThread(0);
    ASSERT_TRUE(t.ok()) << t.status();
    t_ = std::move(*t);
  }
  void SetUp() override { Open(TestConfig()); }
  void TearDown() override {
    t_.reset();
    store_.reset();
  }

  // Fills a new item with `value` and stores it.
  StoreResult Put(std::string_view key, std::string_view value, StoreOptions opt = {},
                  uint32_t flags = 0, base::RelTime exptime = 0, base::RelTime now = 100,
                  uint64_t* cas_out = nullptr) {
    NewItem item;
    const AllocResult a = t_->Allocate(key, flags, exptime, value.size(), now, &item);
    EXPECT_EQ(a, AllocResult::kOk) << key;
    if (a != AllocResult::kOk) return StoreResult::kNotStored;
    Fill(&item, value);
    return t_->Store(std::move(item), opt, now, cas_out);
  }
  StoreResult Set(std::string_view key, std::string_view value, base::RelTime now = 100) {
    return Put(key, value, {}, 0, 0, now);
  }
  static void Fill(NewItem* item, std::string_view value) {
    NewItem::Writable w = item->value();
    ASSERT_EQ(w.first_len + w.second_len, value.size());
    std::memcpy(w.first, value.data(), w.first_len);
    if (w.second_len > 0) std::memcpy(w.second, value.data() + w.first_len, w.second_len);
  }
  std::optional<std::string> Value(std::string_view key, base::RelTime now = 100) {
    GetResult r = t_->Get(key, now);
    if (!r.item) return std::nullopt;
    return ValueOf(r.item);
  }
  uint64_t CasOf(std::string_view key, base::RelTime now = 100) {
    GetOptions o;
    o.bump = false;
    GetResult r = t_->Get(key, now, o);
    return r.item ? r.item.cas() : 0;
  }
  StoreStats Stats() {
    StoreStats s;
    store_->CollectStats(&s);
    return s;
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<StoreThread> t_;
};

}  // namespace ringcache::storage::testing
