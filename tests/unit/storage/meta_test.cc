// What the meta protocol needs from the store: vivify (N), recache (R),
// win/lost tokens (W/Z), invalidation (I, X), explicit CAS (E), value drop
// (x), base64 keys (b) and the pre-request state for h/l/t.
#include <string>

#include "gtest/gtest.h"

#include "store_fixture.h"

namespace ringcache::storage {
namespace {

using testing::StoreFixture;
using testing::ValueOf;

using MetaTest = StoreFixture;

GetOptions Vivify(base::RelTime exptime) {
  GetOptions o;
  o.vivify = true;
  o.vivify_exptime = exptime;
  return o;
}

TEST_F(MetaTest, VivifyCreatesAnEmptyItemAndOnlyTheFirstCallerWins) {
  // memcached: "mg foo s v N30 t" -> "VA 0 s0 t30 W", then "... Z".
  GetResult first = t_->Get("foo", 100, Vivify(130));
  ASSERT_TRUE(first.item);
  EXPECT_TRUE(first.created);
  EXPECT_TRUE(first.won);
  EXPECT_FALSE(first.lost);
  EXPECT_EQ(first.item.value_size(), 0u);
  EXPECT_EQ(first.item.exptime(), 130u);
  EXPECT_EQ(first.item.client_flags(), 0u);
  EXPECT_NE(first.item.cas(), 0u);

  GetResult second = t_->Get("foo", 101, Vivify(130));
  ASSERT_TRUE(second.item);
  EXPECT_FALSE(second.created);
  EXPECT_FALSE(second.won);
  EXPECT_TRUE(second.lost);
  // A plain get reports the token as taken too (memcached's Z on any hit).
  EXPECT_TRUE(t_->Get("foo", 102).lost);
}

TEST_F(MetaTest, VivifiedItemIsReplacedByTheWinnersSet) {
  t_->Get("foo", 100, Vivify(130));
  ASSERT_EQ(Set("foo", "fresh"), StoreResult::kStored);
  GetResult r = t_->Get("foo", 100, Vivify(130));
  EXPECT_EQ(ValueOf(r.item), "fresh");
  EXPECT_FALSE(r.won);
  EXPECT_FALSE(r.lost);  // a new item, no token handed out yet
}

TEST_F(MetaTest, RecacheWinsOnceWhenTheTtlIsBelowTheThreshold) {
  Put("foo", "abc", {}, 0, 200);  // TTL 100 at now=100
  GetOptions r;
  r.recache = true;
  r.recache_below = 150;
  EXPECT_FALSE(t_->Get("foo", 100, r).won);  // 200 is not below 150
  r.recache_below = 300;
  GetResult win = t_->Get("foo", 100, r);
  EXPECT_TRUE(win.won);
  EXPECT_FALSE(win.lost);
  GetResult lose = t_->Get("foo", 100, r);
  EXPECT_FALSE(lose.won);
  EXPECT_TRUE(lose.lost);
}

TEST_F(MetaTest, RecacheNeverWinsForItemsWithoutTtl) {
  Set("foo", "abc");
  GetOptions r;
  r.recache = true;
  r.recache_below = 1000000;
  EXPECT_FALSE(t_->Get("foo", 100, r).won);
}

TEST_F(MetaTest, RecacheComparesTheTouchedTtlWhenTComesFirst) {
  Put("foo", "abc", {}, 0, 400);
  GetOptions o;
  o.touch = true;
  o.new_exptime = 200;
  o.recache = true;
  o.recache_below = 300;
  o.recache_after_touch = false;  // R before T: compares 400
  EXPECT_FALSE(t_->Get("foo", 100, o).won);
  o.new_exptime = 200;
  o.recache_after_touch = true;  // T before R: compares 200
  GetResult r = t_->Get("foo", 100, o);
  EXPECT_TRUE(r.won);
  EXPECT_EQ(r.prior.exptime, 200u);  // the first request already touched it
  EXPECT_EQ(r.item.exptime(), 200u);
}

TEST_F(MetaTest, InvalidateMarksStaleAndTheNextFetchWins) {
  uint64_t cas;
  Put("foo", "v", {}, 0, 130, 100, &cas);
  t_->Get("foo", 100, Vivify(0));  // nothing to vivify: item exists
  DeleteOptions inval;
  inval.invalidate = true;
  EXPECT_EQ(t_->Delete("foo", inval, 100), DeleteResult::kDeleted);
  GetResult r = t_->Get("foo", 100);
  ASSERT_TRUE(r.item);  // not deleted
  EXPECT_TRUE(r.item.stale());
  EXPECT_TRUE(r.won);            // stale and no token sent: this caller refreshes it
  EXPECT_GT(r.item.cas(), cas);  // invalidation bumps the CAS
  EXPECT_EQ(r.item.exptime(), 130u);
  EXPECT_EQ(ValueOf(r.item), "v");
  GetResult again = t_->Get("foo", 100);
  EXPECT_TRUE(again.item.stale());
  EXPECT_FALSE(again.won);
  EXPECT_TRUE(again.lost);
}

TEST_F(MetaTest, InvalidateClearsAnEarlierTokenAndCanSetATtl) {
  Put("foo", "v", {}, 0, 500);
  GetOptions r;
  r.recache = true;
  r.recache_below = 1000;
  ASSERT_TRUE(t_->Get("foo", 100, r).won);
  DeleteOptions inval;
  inval.invalidate = true;
  inval.touch = true;
  inval.new_exptime = 160;
  t_->Delete("foo", inval, 100);
  GetResult g = t_->Get("foo", 100);
  EXPECT_TRUE(g.won);
  EXPECT_EQ(g.item.exptime(), 160u);
}

TEST_F(MetaTest, StaleCasSetStoresButStaysStale) {
  uint64_t cas;
  Put("foo", "v1", {}, 0, 700, 100, &cas);
  DeleteOptions inval;
  inval.invalidate = true;
  t_->Delete("foo", inval, 100);  // CAS moves past `cas`
  StoreOptions stale;
  stale.mode = StoreMode::kCas;
  stale.compare_cas = cas;  // older than the item's
  stale.invalidate = true;
  ASSERT_EQ(Put("foo", "v2", stale, 0, 0), StoreResult::kStored);
  GetResult g = t_->Get("foo", 100);
  EXPECT_EQ(ValueOf(g.item), "v2");
  EXPECT_TRUE(g.item.stale());
  EXPECT_EQ(g.item.exptime(), 700u);  // the old TTL is kept
  // Without I an older CAS is just a mismatch.
  stale.invalidate = false;
  EXPECT_EQ(Put("foo", "v3", stale), StoreResult::kExists);
}

TEST_F(MetaTest, ExplicitCasOnDeleteAndArith) {
  Set("foo", "1");
  DeleteOptions inval;
  inval.invalidate = true;
  inval.new_cas = 4242;
  t_->Delete("foo", inval, 100);
  EXPECT_EQ(CasOf("foo"), 4242u);
  ArithOptions a;
  a.delta = 1;
  a.new_cas = 5353;
  EXPECT_EQ(t_->Arith("foo", a, 100).cas, 5353u);
  EXPECT_EQ(CasOf("foo"), 5353u);
}

TEST_F(MetaTest, DropValueOnlyKeepsTheKey) {
  Put("foo", "payload", {}, 9, 800);
  DeleteOptions x;
  x.drop_value_only = true;
  x.client_flags = 3;
  EXPECT_EQ(t_->Delete("foo", x, 100), DeleteResult::kDeleted);
  GetResult g = t_->Get("foo", 100);
  ASSERT_TRUE(g.item);
  EXPECT_EQ(g.item.value_size(), 0u);
  EXPECT_EQ(g.item.client_flags(), 3u);
  EXPECT_EQ(g.item.exptime(), 800u);
}

TEST_F(MetaTest, PriorStateReportsFetchedAndLastAccessBeforeTheBump) {
  Set("foo", "v", 100);
  GetResult a = t_->Get("foo", 120);
  EXPECT_FALSE(a.prior.fetched);  // meta h0 on the first fetch
  EXPECT_EQ(a.prior.last_access, 100u);
  EXPECT_TRUE(a.item.fetched());
  GetResult b = t_->Get("foo", 130);
  EXPECT_TRUE(b.prior.fetched);          // h1
  EXPECT_EQ(b.prior.last_access, 100u);  // l = 30
  // The second fetch made the item active and bumped its time.
  GetResult c = t_->Get("foo", 140);
  EXPECT_EQ(c.prior.last_access, 130u);
  GetOptions no_bump;
  no_bump.bump = false;  // meta u
  Set("quiet", "v", 100);
  t_->Get("quiet", 150, no_bump);
  EXPECT_FALSE(t_->Get("quiet", 150).prior.fetched);
}

TEST_F(MetaTest, ArithVivifiesWithTheInitialValue) {
  ArithOptions a;
  a.vivify = true;
  a.initial = 5;
  a.vivify_exptime = 300;
  a.delta = 1;
  ArithOutcome o = t_->Arith("cnt", a, 100);
  ASSERT_EQ(o.result, ArithResult::kOk);
  EXPECT_TRUE(o.created);
  EXPECT_EQ(o.value, 5u);  // created with J, the delta is not applied
  EXPECT_EQ(o.exptime, 300u);
  EXPECT_EQ(Value("cnt"), "5");
  o = t_->Arith("cnt", a, 100);
  EXPECT_FALSE(o.created);
  EXPECT_EQ(o.value, 6u);
  a.incr = false;
  a.delta = 10;
  EXPECT_EQ(t_->Arith("cnt", a, 100).value, 0u);
}

TEST_F(MetaTest, ArithTouchReportsThePriorTtl) {
  Put("cnt", "1", {}, 0, 400);
  ArithOptions a;
  a.delta = 1;
  a.touch = true;
  a.new_exptime = 900;
  ArithOutcome o = t_->Arith("cnt", a, 100);
  EXPECT_EQ(o.prior_exptime, 400u);
  EXPECT_EQ(o.exptime, 900u);
}

TEST_F(MetaTest, Base64KeysAreRemembered) {
  NewItem item;
  AllocOptions o;
  o.key_binary = true;
  ASSERT_EQ(t_->Allocate(std::string("\x01\x02\x00", 3), 0, 0, 1, 100, &item, o), AllocResult::kOk);
  Fill(&item, "z");
  ASSERT_EQ(t_->Store(std::move(item), {}, 100, nullptr), StoreResult::kStored);
  GetResult g = t_->Get(std::string("\x01\x02\x00", 3), 100);
  ASSERT_TRUE(g.item);
  EXPECT_TRUE(g.item.key_binary());
  EXPECT_FALSE(t_->Get(std::string("\x01\x02", 2), 100).item);
}

}  // namespace
}  // namespace ringcache::storage
