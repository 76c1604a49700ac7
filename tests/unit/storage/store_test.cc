// memcached's observable semantics of the classic commands, on the store.
#include <cstring>
#include <string>

#include "gtest/gtest.h"

#include "store_fixture.h"

namespace ringcache::storage {
namespace {

using testing::StoreFixture;
using testing::TestConfig;
using testing::ValueOf;

using StoreTest = StoreFixture;

TEST_F(StoreTest, SetThenGetReturnsValueFlagsAndCas) {
  uint64_t cas = 0;
  ASSERT_EQ(Put("foo", "bar", {}, 0xdeadbeef, 0, 100, &cas), StoreResult::kStored);
  GetResult r = t_->Get("foo", 100);
  ASSERT_TRUE(r.item);
  EXPECT_EQ(r.item.key(), "foo");
  EXPECT_EQ(ValueOf(r.item), "bar");
  EXPECT_EQ(r.item.client_flags(), 0xdeadbeefu);  // client flags are 32-bit
  EXPECT_EQ(r.item.cas(), cas);
  EXPECT_NE(cas, 0u);
  EXPECT_EQ(r.item.exptime(), 0u);
  EXPECT_EQ(r.miss, MissReason::kNone);
  EXPECT_FALSE(t_->Get("nope", 100).item);
  EXPECT_EQ(t_->Get("nope", 100).miss, MissReason::kAbsent);
}

TEST_F(StoreTest, EmptyAndBinaryValues) {
  ASSERT_EQ(Set("empty", ""), StoreResult::kStored);
  EXPECT_EQ(Value("empty"), "");
  const std::string bin("a\0\r\nb\xff", 6);
  ASSERT_EQ(Set("bin", bin), StoreResult::kStored);
  EXPECT_EQ(Value("bin"), bin);
}

TEST_F(StoreTest, SetOverwritesAndCasIsUniqueAndMonotonic) {
  uint64_t last = 0;
  for (int i = 0; i < 100; ++i) {
    uint64_t cas = 0;
    ASSERT_EQ(Put("k", std::to_string(i), {}, 0, 0, 100, &cas), StoreResult::kStored);
    EXPECT_GT(cas, last);
    last = cas;
  }
  EXPECT_EQ(Value("k"), "99");
  uint64_t other = 0;
  Put("other", "x", {}, 0, 0, 100, &other);
  EXPECT_GT(other, last);
}

TEST_F(StoreTest, OnlyStoresDrawCasValuesAsInMemcached) {
  // memcached's CAS sequence advances on stores, not on deletes, misses or
  // touches: clients comparing CAS values across servers rely on the same
  // numbering.
  uint64_t first = 0;
  ASSERT_EQ(Put("a", "1", {}, 0, 0, 100, &first), StoreResult::kStored);
  EXPECT_EQ(t_->Delete("a", {}, 100), DeleteResult::kDeleted);
  EXPECT_EQ(t_->Delete("a", {}, 100), DeleteResult::kNotFound);
  EXPECT_FALSE(t_->Get("missing", 100).item);
  ASSERT_EQ(Set("t", "x"), StoreResult::kStored);
  EXPECT_EQ(t_->Touch("t", 500, 100), TouchResult::kTouched);
  const uint64_t touched = t_->Get("t", 100).item.cas();
  EXPECT_EQ(touched, first + 1) << "the delete drew no CAS";
  uint64_t next = 0;
  ASSERT_EQ(Put("b", "2", {}, 0, 0, 100, &next), StoreResult::kStored);
  EXPECT_EQ(next, touched + 1) << "the touch kept the item's CAS and drew none";
}

TEST_F(StoreTest, AddOnlyStoresMissingKeys) {
  EXPECT_EQ(Put("a", "1", {StoreMode::kAdd}), StoreResult::kStored);
  EXPECT_EQ(Put("a", "2", {StoreMode::kAdd}), StoreResult::kNotStored);
  EXPECT_EQ(Value("a"), "1");
}

TEST_F(StoreTest, ReplaceOnlyStoresExistingKeys) {
  EXPECT_EQ(Put("r", "1", {StoreMode::kReplace}), StoreResult::kNotStored);
  EXPECT_FALSE(Value("r"));
  Set("r", "1");
  EXPECT_EQ(Put("r", "2", {StoreMode::kReplace}), StoreResult::kStored);
  EXPECT_EQ(Value("r"), "2");
}

TEST_F(StoreTest, AppendPrependKeepTheOldFlagsAndExptime) {
  EXPECT_EQ(Put("x", "mid", {StoreMode::kAppend}), StoreResult::kNotStored);
  ASSERT_EQ(Put("x", "mid", {}, 7, 5000), StoreResult::kStored);
  // The new flags and exptime given with append are ignored.
  EXPECT_EQ(Put("x", "_end", {StoreMode::kAppend}, 99, 0), StoreResult::kStored);
  EXPECT_EQ(Put("x", "start_", {StoreMode::kPrepend}, 99, 42), StoreResult::kStored);
  GetResult r = t_->Get("x", 100);
  ASSERT_TRUE(r.item);
  EXPECT_EQ(ValueOf(r.item), "start_mid_end");
  EXPECT_EQ(r.item.client_flags(), 7u);
  EXPECT_EQ(r.item.exptime(), 5000u);
}

TEST_F(StoreTest, AppendWithCasChecksIt) {
  uint64_t cas;
  Put("x", "a", {}, 0, 0, 100, &cas);
  EXPECT_EQ(Put("x", "b", {StoreMode::kAppend, cas + 1}), StoreResult::kExists);
  EXPECT_EQ(Put("x", "b", {StoreMode::kAppend, cas}), StoreResult::kStored);
  EXPECT_EQ(Value("x"), "ab");
}

TEST_F(StoreTest, CasSemantics) {
  // cas on a missing key is NOT_FOUND.
  EXPECT_EQ(Put("c", "v", {StoreMode::kCas, 123}), StoreResult::kNotFound);
  uint64_t cas;
  Put("c", "v1", {}, 0, 0, 100, &cas);
  EXPECT_EQ(Put("c", "v2", {StoreMode::kCas, cas + 1}), StoreResult::kExists);
  EXPECT_EQ(Put("c", "v2", {StoreMode::kCas, 0}), StoreResult::kExists);  // "cas k 0 0 1 0"
  uint64_t cas2;
  EXPECT_EQ(Put("c", "v2", {StoreMode::kCas, cas}, 0, 0, 100, &cas2), StoreResult::kStored);
  EXPECT_GT(cas2, cas);
  EXPECT_EQ(Put("c", "v3", {StoreMode::kCas, cas}), StoreResult::kExists);  // no lost update
  EXPECT_EQ(Value("c"), "v2");
  const StoreStats s = Stats();
  EXPECT_EQ(s.cas_hits, 1u);
  EXPECT_EQ(s.cas_badval, 3u);
}

TEST_F(StoreTest, ExplicitCasWithMetaE) {
  StoreOptions o;
  o.new_cas = 9000;
  uint64_t cas;
  ASSERT_EQ(Put("e", "v", o, 0, 0, 100, &cas), StoreResult::kStored);
  EXPECT_EQ(cas, 9000u);
  EXPECT_EQ(CasOf("e"), 9000u);
}

TEST_F(StoreTest, DeleteAndDeleteWithCas) {
  EXPECT_EQ(t_->Delete("d", {}, 100), DeleteResult::kNotFound);
  uint64_t cas;
  Put("d", "v", {}, 0, 0, 100, &cas);
  DeleteOptions wrong;
  wrong.compare_cas = cas + 5;
  EXPECT_EQ(t_->Delete("d", wrong, 100), DeleteResult::kExists);
  EXPECT_EQ(t_->Delete("d", {}, 100), DeleteResult::kDeleted);
  EXPECT_FALSE(Value("d"));
  EXPECT_EQ(t_->Delete("d", {}, 100), DeleteResult::kNotFound);
}

TEST_F(StoreTest, IncrDecrFollowMemcached) {
  ArithOptions incr;
  incr.delta = 1;
  EXPECT_EQ(t_->Arith("n", incr, 100).result, ArithResult::kNotFound);
  Set("n", "9223372036854775807");
  ArithOutcome o = t_->Arith("n", incr, 100);
  ASSERT_EQ(o.result, ArithResult::kOk);
  EXPECT_EQ(o.value, 9223372036854775808u);
  Set("n", "18446744073709551615");
  EXPECT_EQ(t_->Arith("n", incr, 100).value, 0u);  // incr wraps at 2^64
  EXPECT_EQ(Value("n"), "0                   ");   // shorter result keeps the length

  Set("num", "1");
  incr.delta = 9;
  EXPECT_EQ(t_->Arith("num", incr, 100).value, 10u);
  EXPECT_EQ(Value("num"), "10");  // longer result: exact length
  ArithOptions decr;
  decr.incr = false;
  decr.delta = 1;
  EXPECT_EQ(t_->Arith("num", decr, 100).value, 9u);
  EXPECT_EQ(Value("num"), "9 ");  // memcached pads in place
  decr.delta = 100;
  EXPECT_EQ(t_->Arith("num", decr, 100).value, 0u);  // decr stops at 0
  EXPECT_EQ(Value("num"), "0 ");
  decr.delta = 1;
  EXPECT_EQ(t_->Arith("num", decr, 100).value, 0u);
  const StoreStats s = Stats();
  EXPECT_EQ(s.incr_hits, 3u);
  EXPECT_EQ(s.decr_hits, 3u);
}

TEST_F(StoreTest, IncrRefusesNonNumericValues) {
  ArithOptions incr;
  incr.delta = 1;
  for (std::string_view v : {"hi", "", "12abc", "-5", "18446744073709551616", " "}) {
    Set("t", v);
    EXPECT_EQ(t_->Arith("t", incr, 100).result, ArithResult::kNonNumeric) << v;
    EXPECT_EQ(Value("t"), v);  // untouched
  }
  Set("t", " 41 trailing");
  EXPECT_EQ(t_->Arith("t", incr, 100).value, 42u);
}

TEST_F(StoreTest, IncrKeepsFlagsExptimeAndNewCas) {
  uint64_t cas;
  Put("f", "5", {}, 3, 7000, 100, &cas);
  ArithOptions incr;
  incr.delta = 2;
  ArithOutcome o = t_->Arith("f", incr, 100);
  GetResult r = t_->Get("f", 100);
  EXPECT_EQ(r.item.client_flags(), 3u);
  EXPECT_EQ(r.item.exptime(), 7000u);
  EXPECT_EQ(r.item.cas(), o.cas);
  EXPECT_GT(o.cas, cas);
  // Meta C on ma.
  incr.compare_cas = cas;
  EXPECT_EQ(t_->Arith("f", incr, 100).result, ArithResult::kExists);
}

TEST_F(StoreTest, IncrOnLargeValues) {
  // A 20000-byte value of spaces then digits is still a number in memcached.
  std::string v(19990, ' ');
  v += "1234567890";
  Set("big", v);
  ArithOptions incr;
  incr.delta = 1;
  ArithOutcome o = t_->Arith("big", incr, 100);
  ASSERT_EQ(o.result, ArithResult::kOk);
  EXPECT_EQ(o.value, 1234567891u);
  const std::optional<std::string> after = Value("big");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), v.size());
  EXPECT_EQ(after->substr(0, 10), "1234567891");
  // Beyond memcached's chunk size items are "non-numeric".
  Set("huge", std::string(600 * 1024, '1'));
  EXPECT_EQ(t_->Arith("huge", incr, 100).result, ArithResult::kNonNumeric);
}

TEST_F(StoreTest, TouchAndGatUpdateExptime) {
  EXPECT_EQ(t_->Touch("t", 500, 100), TouchResult::kNotFound);
  Set("t", "v");  // no exptime field: touching relinks a copy with one
  const uint64_t cas = CasOf("t");
  EXPECT_EQ(t_->Touch("t", 500, 100), TouchResult::kTouched);
  GetResult r = t_->Get("t", 100);
  EXPECT_EQ(r.item.exptime(), 500u);
  EXPECT_EQ(r.item.cas(), cas);  // touch does not change the CAS
  EXPECT_EQ(ValueOf(r.item), "v");
  GetOptions gat;
  gat.touch = true;
  gat.new_exptime = 900;
  GetResult g = t_->Get("t", 110, gat);
  ASSERT_TRUE(g.item);
  EXPECT_EQ(g.item.exptime(), 900u);
  EXPECT_EQ(g.prior.exptime, 500u);
  EXPECT_FALSE(t_->Get("t", 901).item);  // expired at 900
  EXPECT_EQ(Stats().touch_hits, 2u);
}

TEST_F(StoreTest, ExpiryIsLazyAndExact) {
  Put("soon", "v", {}, 0, 150);
  EXPECT_TRUE(t_->Get("soon", 149).item);
  // do_item_get: expired once exptime <= now.
  GetResult r = t_->Get("soon", 150);
  EXPECT_FALSE(r.item);
  EXPECT_EQ(r.miss, MissReason::kExpired);
  EXPECT_EQ(Stats().get_expired, 1u);
  EXPECT_EQ(Stats().curr_items, 0u);  // unlinked on access
  // exptime 1 (a negative client exptime) is already expired.
  Put("neg", "v", {}, 0, 1);
  EXPECT_FALSE(t_->Get("neg", 100).item);
}

TEST_F(StoreTest, ExpiredItemsAreMissingForEveryOperation) {
  Put("e", "5", {}, 0, 150);
  EXPECT_EQ(Put("e", "x", {StoreMode::kAdd}, 0, 0, 200), StoreResult::kStored);
  Put("e2", "5", {}, 0, 150);
  EXPECT_EQ(Put("e2", "x", {StoreMode::kReplace}, 0, 0, 200), StoreResult::kNotStored);
  Put("e3", "5", {}, 0, 150);
  ArithOptions incr;
  incr.delta = 1;
  EXPECT_EQ(t_->Arith("e3", incr, 200).result, ArithResult::kNotFound);
  Put("e4", "5", {}, 0, 150);
  EXPECT_EQ(t_->Delete("e4", {}, 200), DeleteResult::kNotFound);
  Put("e5", "5", {}, 0, 150);
  EXPECT_EQ(t_->Touch("e5", 0, 200), TouchResult::kNotFound);
}

TEST_F(StoreTest, FlushAllImmediate) {
  Set("a", "1", 100);
  Set("b", "2", 100);
  store_->FlushAll(100, 100);
  GetResult r = t_->Get("a", 100);
  EXPECT_FALSE(r.item);
  EXPECT_EQ(r.miss, MissReason::kFlushed);
  EXPECT_FALSE(Value("b"));
  // Items stored after the flush, even within the same second, live.
  Set("c", "3", 100);
  EXPECT_EQ(Value("c", 100), "3");
  EXPECT_EQ(Stats().get_flushed, 2u);
}

TEST_F(StoreTest, FlushAllDelayedKillsItemsStoredBeforeTheDeadline) {
  Set("old", "1", 100);
  store_->FlushAll(110, 100);  // flush_all 10 at time 100
  EXPECT_EQ(Value("old", 105), "1");
  Set("mid", "2", 105);
  EXPECT_EQ(Value("mid", 108), "2");
  EXPECT_FALSE(Value("old", 109));  // oldest_live = 109 <= now
  EXPECT_FALSE(Value("mid", 109));
  Set("new", "3", 110);
  EXPECT_EQ(Value("new", 111), "3");
  EXPECT_EQ(Stats().oldest_live, 109u);
}

TEST_F(StoreTest, FlushAllFarFutureKeepsEverythingNow) {
  Set("k", "1", 100);
  store_->FlushAll(100 + 86400, 100);
  Set("k2", "2", 100);
  EXPECT_EQ(Value("k", 101), "1");
  EXPECT_EQ(Value("k2", 101), "2");
}

TEST_F(StoreTest, TooLargeFollowsMemcachedsItemSize) {
  NewItem item;
  // -I 1m: memcached's item = 48 + key+1 + value+2 + 8 (CAS) must fit.
  const size_t max_value = (1u << 20) - 48 - 4 - 2 - 8;
  EXPECT_EQ(t_->Allocate("foo", 0, 0, max_value, 100, &item), AllocResult::kOk);
  EXPECT_EQ(t_->Allocate("foo", 0, 0, max_value + 1, 100, &item), AllocResult::kTooLarge);
  EXPECT_EQ(t_->Allocate("foo", 1, 0, max_value, 100, &item), AllocResult::kTooLarge);
  EXPECT_TRUE(store_->ItemTooLarge(3, 0, max_value + 1));
  EXPECT_FALSE(store_->ItemTooLarge(3, 0, max_value));
}

TEST_F(StoreTest, FailedSetDropsTheOldValueWhenAsked) {
  Set("big", "old");
  NewItem item;
  AllocOptions o;
  o.unlink_on_failure = true;
  EXPECT_EQ(t_->Allocate("big", 0, 0, 2u << 20, 100, &item, o), AllocResult::kTooLarge);
  EXPECT_FALSE(Value("big"));
  Set("big2", "old");
  EXPECT_EQ(t_->Allocate("big2", 0, 0, 2u << 20, 100, &item), AllocResult::kTooLarge);
  EXPECT_EQ(Value("big2"), "old");
}

TEST_F(StoreTest, DroppedNewItemReturnsItsMemory) {
  const uint64_t before = Stats().total_malloced;
  {
    NewItem item;
    ASSERT_EQ(t_->Allocate("x", 0, 0, 100000, 100, &item), AllocResult::kOk);
    EXPECT_GT(Stats().total_malloced, before + 100000);
  }
  EXPECT_EQ(Stats().total_malloced, before);
}

TEST_F(StoreTest, LargeValuesRoundTripInTwoParts) {
  for (size_t n : {1000, 1500, 3000, 17000, 100000, 1000000}) {
    std::string v(n, '\0');
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<char>('a' + (i * 7 + n) % 26);
    ASSERT_EQ(Set("L" + std::to_string(n), v), StoreResult::kStored);
    EXPECT_EQ(Value("L" + std::to_string(n)), v) << n;
  }
  GetResult r = t_->Get("L1000", 100);
  EXPECT_FALSE(r.item.value().second.empty());  // 1000-byte values are split
}

TEST_F(StoreTest, CasDisabledReadsZero) {
  StoreConfig c = TestConfig();
  c.cas_enabled = false;
  Open(c);
  uint64_t cas = 77;
  ASSERT_EQ(Put("k", "v", {}, 0, 0, 100, &cas), StoreResult::kStored);
  EXPECT_EQ(cas, 0u);
  EXPECT_EQ(CasOf("k"), 0u);
  // With -C a cas command never matches.
  EXPECT_EQ(Put("k", "w", {StoreMode::kCas, 0}), StoreResult::kExists);
}

TEST_F(StoreTest, FlushWithCasDisabledAlsoKillsItemsOfTheSameSecond) {
  StoreConfig c = TestConfig();
  c.cas_enabled = false;
  Open(c);
  store_->FlushAll(100, 100);
  Set("k", "v", 100);
  // memcached -C: oldest_live = now, so an item stored in the flush's second
  // is flushed too (t/flush-all.t relies on seeing this at least once).
  EXPECT_FALSE(Value("k", 100));
  Set("k", "v", 101);
  EXPECT_EQ(Value("k", 101), "v");
}

TEST_F(StoreTest, KeysOfEveryLength) {
  for (size_t n = 1; n <= 250; ++n) {
    const std::string key(n, static_cast<char>('a' + n % 26));
    ASSERT_EQ(Set(key, key.substr(0, n / 2)), StoreResult::kStored);
  }
  for (size_t n = 1; n <= 250; ++n) {
    const std::string key(n, static_cast<char>('a' + n % 26));
    ASSERT_EQ(Value(key), key.substr(0, n / 2)) << n;
  }
  EXPECT_FALSE(t_->Get(std::string(251, 'x'), 100).item);
}

TEST_F(StoreTest, ManyKeysSurviveIndexGrowth) {
  for (int i = 0; i < 200000; ++i) {
    ASSERT_EQ(Set("key:" + std::to_string(i), std::to_string(i * 3)), StoreResult::kStored);
  }
  for (int i = 0; i < 200000; ++i) {
    ASSERT_EQ(Value("key:" + std::to_string(i)), std::to_string(i * 3)) << i;
  }
  const StoreStats s = Stats();
  EXPECT_EQ(s.curr_items, 200000u);
  EXPECT_EQ(s.total_items, 200000u);
  EXPECT_GE(s.hash_power_level, 17u);
  EXPECT_GT(s.hash_bytes, 0u);
}

}  // namespace
}  // namespace ringcache::storage
