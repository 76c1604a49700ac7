#include "stripe.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ringcache/base/compiler.h"
#include "store_impl.h"
#include "thread_state.h"

namespace ringcache::storage {
namespace {

constexpr int Seg(Segment s) { return static_cast<int>(s); }

base::RelTime Age(base::RelTime now, base::RelTime then) { return now > then ? now - then : 0; }

// How far behind the tail a long run of pulls starts loading an entry's
// item (kPullAhead): a check and its move take a few tens of nanoseconds, a
// miss about a hundred.
constexpr size_t kTailAhead = 8;
// Writers juggle in batches: every kJuggleBatch links, up to that many pulls
// per segment (memcached's maintainer does this in the background; one item
// in needs about one item moved along). A batch starts the loads of all its
// tail entries together, so it waits for memory about once instead of once
// per link; HOT overshoots its share by at most a batch meanwhile.
constexpr int kJuggleBatch = 16;
constexpr uint64_t kJuggleBatchMinHot = 8 * kJuggleBatch;
// Items per bucket (of ten slots) the index grows at. With two choices per
// key, a growth round of linear hashing at a mean of 6.5 put 0.16 % of items
// in spill buckets (a further line to read) in simulation, for ~9.9 bytes of
// index per item; the chained index it replaced used 4 but read a chain of
// items, one miss each.
constexpr double kMaxLoad = 6.5;

}  // namespace

Stripe::Stripe(StoreImpl* store, int initial_log2)
    : store_(store), index_(store->heap(), &store->hasher(), initial_log2, kMaxLoad) {
  index_.set_expand(store->config().hash_expand);
}

size_t Stripe::queue_bytes() const {
  size_t b = 0;
  for (const LruQueue& q : queues_) b += q.bytes();
  return b;
}

// The small helpers of links and moves below are forced inline: out of line
// they were a dozen calls per SET, and inlined a SET costs ~2,570 instead of
// ~2,800 instructions (bench_server, 100,000 keys; CostOf in store_impl.h
// likewise) and ~8 % less time.
RC_ALWAYS_INLINE void Stripe::Account(StoreThreadImpl& t, const StoreImpl::ItemCost& cost,
                                      Segment seg, int sign) {
  live_[Seg(seg)] += sign;
  live_bytes_[Seg(seg)] += sign * static_cast<int64_t>(cost.charge);
  ClassCounters& c = t.counters().cls(cost.cls);
  c.items[Seg(seg)].Add(sign);
  c.mem_requested.Add(sign * static_cast<int64_t>(cost.requested));
}

RC_ALWAYS_INLINE void Stripe::AccountMove(StoreThreadImpl& t, const StoreImpl::ItemCost& cost,
                                          Segment from, Segment to) {
  --live_[Seg(from)];
  ++live_[Seg(to)];
  live_bytes_[Seg(from)] -= cost.charge;
  live_bytes_[Seg(to)] += cost.charge;
  ClassCounters& c = t.counters().cls(cost.cls);
  c.items[Seg(from)].Add(-1);
  c.items[Seg(to)].Add(+1);
}

RC_ALWAYS_INLINE void Stripe::SetSegment(Item* item, Segment seg, bool clear_active) {
  const uint8_t clear =
      item_state::kSegmentMask | (clear_active ? item_state::kActive : uint8_t{0});
  const uint8_t set = static_cast<uint8_t>(Seg(seg) << item_state::kSegmentShift);
  uint8_t old = item->state().load(std::memory_order_relaxed);
  while (!item->state().compare_exchange_weak(old, static_cast<uint8_t>((old & ~clear) | set),
                                              std::memory_order_relaxed)) {
  }
}

// What the queues need from items: a moved entry's item learns its new
// position (the queues hint the items a few moves ahead).
struct Stripe::Relocator {
  const BucketIndex& index;
  void Hint(uint32_t ref) const { __builtin_prefetch(index.ItemAt(ref), 1); }
  void Move(uint32_t ref, uint32_t pos) const {
    index.ItemAt(ref)->next().store(pos, std::memory_order_relaxed);
  }
};

void Stripe::ChargeQueue(StoreThreadImpl& t, int64_t bytes) {
  // Queue blocks are charged without evicting: this runs in the middle of
  // LRU moves, and a 4 KB overdraft is repaid by the next charge.
  if (bytes > 0) {
    if (!t.pool().Take(static_cast<size_t>(bytes))) {
      store_->budget().Force(static_cast<size_t>(bytes));
    }
  } else if (bytes < 0) {
    t.Credit(static_cast<size_t>(-bytes));
  }
}

RC_ALWAYS_INLINE void Stripe::Push(StoreThreadImpl& t, Segment seg, Item* item) {
  LruQueue& q = queues_[Seg(seg)];
  if (seg == Segment::kCold && q.empty()) cold_tail_dirty_ = true;
  // Starting a block may merge the one before it, moving entries that
  // pending tombstones name: write those first.
  if (RC_UNLIKELY(pending_tombs_ > 0 && q.NeedsBlock())) FlushTombs(t);
  Relocator relocator{index_};
  uint32_t pos;
  if (const int64_t bytes = q.PushNewest(store_->heap()->ToRef(item), &pos, relocator)) {
    ChargeQueue(t, bytes);
  }
  // The back-pointer: the item's line is in cache (just linked, or read at
  // a tail).
  item->next().store(pos, std::memory_order_relaxed);
}

RC_ALWAYS_INLINE void Stripe::Pop(StoreThreadImpl& t, Segment seg) {
  if (seg == Segment::kCold) cold_tail_dirty_ = true;
  if (const size_t freed = queues_[Seg(seg)].PopOldest()) t.Credit(freed);
}

RC_ALWAYS_INLINE void Stripe::Bury(StoreThreadImpl& t, Segment seg, const Item* item) {
  if (pending_tombs_ == kPendingTombs) FlushTombs(t);
  // Read after the flush: the merges it may do move entries, this item's too.
  const uint32_t pos = item->next().load(std::memory_order_relaxed);
  // Written with the batch: a store of a line that misses, made at once,
  // held up the locked instructions after it (~0.27 us per SET, measured).
  queues_[Seg(seg)].PrefetchPosition(pos);
  tombs_[pending_tombs_++] = {pos, seg};
}

void Stripe::FlushTombs(StoreThreadImpl& t) {
  // Grouped per queue (a batch mostly names one or two).
  Relocator relocator{index_};
  for (int s = 0; s < kSegments; ++s) {
    uint32_t positions[kPendingTombs];
    int n = 0;
    for (int i = 0; i < pending_tombs_; ++i) {
      if (Seg(tombs_[i].seg) == s) positions[n++] = tombs_[i].pos;
    }
    if (n == 0) continue;
    if (s == Seg(Segment::kCold)) cold_tail_dirty_ = true;
    if (const size_t freed = queues_[s].Tombstone(positions, n, relocator)) t.Credit(freed);
  }
  pending_tombs_ = 0;
}

RC_ALWAYS_INLINE bool Stripe::ValidTail(StoreThreadImpl& t, Segment seg, Tail* out, bool ahead) {
  if (pending_tombs_ > 0) FlushTombs(t);
  const LruQueue& q = queues_[Seg(seg)];
  while (true) {
    const uint32_t* oldest = q.PeekOldest();
    if (oldest == nullptr) return false;
    const uint32_t ref = *oldest;  // a copy: popping may free its block
    if (ahead) {
      if (const uint32_t* next = q.PeekFromOldest(kTailAhead); next != nullptr && *next != 0) {
        __builtin_prefetch(index_.ItemAt(*next));
      }
    }
    if (ref != 0) {
      out->item = index_.ItemAt(ref);
      out->ref = ref;
      return true;
    }
    Pop(t, seg);  // a tombstone
  }
}

size_t Stripe::UnlinkTail(StoreThreadImpl& t, Segment seg, const Tail& tail) {
  Pop(t, seg);
  // The item's line is loaded (the pull read it): its hash finds its bucket.
  const BucketIndex::Slot slot = index_.LocateRef(tail.ref, store_->Hash(tail.item->key()));
  index_.Remove(slot);
  return Release(t, slot.item, /*entry_stays=*/false);
}

bool Stripe::Buried(Segment seg, uint32_t pos) const {
  for (int i = 0; i < pending_tombs_; ++i) {
    if (tombs_[i].pos == pos && tombs_[i].seg == seg) return true;
  }
  return false;
}

void Stripe::ScanLive(Segment seg, size_t max, absl::FunctionRef<bool(const Item&)> visit) const {
  queues_[Seg(seg)].ScanFromOldest(max, [&](uint32_t ref, uint32_t pos) {
    return ref != 0 && !Buried(seg, pos) && visit(*index_.ItemAt(ref));
  });
}

std::string Stripe::CheckQueues() const {
  // The linked items, from the index; the queues are checked against them.
  std::map<uint32_t, const Item*> linked;
  for (uint64_t b = 0; b < index_.buckets(); ++b) {
    const_cast<BucketIndex&>(index_).ForEachSlot(b, [&](const BucketIndex::Slot& slot) {
      linked[store_->heap()->ToRef(slot.item)] = slot.item;
    });
  }
  if (linked.size() != index_.items()) {
    return std::to_string(linked.size()) + " items in the index's slots, " +
           std::to_string(index_.items()) + " counted";
  }
  size_t seen = 0;
  for (int s = 0; s < kSegments; ++s) {
    size_t live = 0;
    size_t entries = 0;
    std::string error;
    queues_[s].ScanFromOldest(SIZE_MAX, [&](uint32_t ref, uint32_t pos) {
      ++entries;
      if (ref == 0 || Buried(static_cast<Segment>(s), pos)) return false;
      ++live;
      const auto it = linked.find(ref);
      if (it == linked.end()) {
        error = "segment " + std::to_string(s) + ": entry of unlinked ref " + std::to_string(ref);
      } else if (Seg(it->second->segment()) != s) {
        error = "segment " + std::to_string(s) + ": entry of ref " + std::to_string(ref) +
                ", an item of segment " + std::to_string(Seg(it->second->segment()));
      } else if (it->second->next().load(std::memory_order_relaxed) != pos) {
        error = "segment " + std::to_string(s) + ": ref " + std::to_string(ref) +
                " is at position " + std::to_string(pos) + ", its item says " +
                std::to_string(it->second->next().load(std::memory_order_relaxed));
      }
      return !error.empty();
    });
    if (!error.empty()) return error;
    if (live != live_[s]) {
      return "segment " + std::to_string(s) + ": " + std::to_string(live) + " live entries, " +
             std::to_string(live_[s]) + " items counted";
    }
    if (entries != queues_[s].size()) {
      return "segment " + std::to_string(s) + ": " + std::to_string(entries) +
             " entries scanned, size " + std::to_string(queues_[s].size());
    }
    seen += live;
  }
  // Every linked item has an entry: the live entries name distinct linked
  // items (positions are distinct and each matched its item's), and there
  // are as many as linked items.
  if (seen != linked.size()) {
    return std::to_string(seen) + " live entries for " + std::to_string(linked.size()) +
           " linked items";
  }
  return "";
}

RC_ALWAYS_INLINE void Stripe::MoveTail(StoreThreadImpl& t, Item* item,
                                       const StoreImpl::ItemCost& cost, Segment from, Segment to) {
  Pop(t, from);
  SetSegment(item, to, /*clear_active=*/true);
  if (from != to) AccountMove(t, cost, from, to);
  Push(t, to, item);
}

void Stripe::MarkLinked(Item* item, Segment seg) {
  const uint8_t st =
      static_cast<uint8_t>((item->state_bits() & ~item_state::kSegmentMask) | item_state::kLinked |
                           (Seg(seg) << item_state::kSegmentShift));
  item->state().store(st, std::memory_order_relaxed);
}

void Stripe::Link(StoreThreadImpl& t, Item* item, const StoreImpl::ItemCost& cost, uint64_t hash,
                  base::RelTime now) {
  // memcached's do_item_link: last access = now, into HOT (or TEMP/COLD).
  const Segment seg = store_->SegmentForNew(item->exptime(), now);
  item->set_time(now);
  MarkLinked(item, seg);
  const BucketIndex::Growth g = index_.Insert(item, hash);  // publishes the item (release)
  if (RC_UNLIKELY(g.allocated != 0 || g.retired != nullptr)) IndexGrew(t, g, 0);
  Account(t, cost, seg, +1);
  t.counters().total_items.Add();
  t.CountSize(*item, +1);
  Push(t, seg, item);
  AfterLink(t, now);
}

void Stripe::Replace(StoreThreadImpl& t, const BucketIndex::Slot& slot, Item* item,
                     const StoreImpl::ItemCost& cost, uint64_t hash, base::RelTime now,
                     ReplaceKind kind) {
  Segment seg;
  if (kind == kNewValue) {
    seg = store_->SegmentForNew(item->exptime(), now);
    item->set_time(now);
    t.counters().total_items.Add();
  } else {
    seg = slot.item->segment();
  }
  MarkLinked(item, seg);
  index_.Replace(slot, item);  // publishes the item (release)
  Release(t, slot.item, /*entry_stays=*/true);
  Account(t, cost, seg, +1);
  t.CountSize(*item, +1);
  Push(t, seg, item);
  AfterLink(t, now);
}

void Stripe::Swap(StoreThreadImpl& t, Item* old, Item* item, uint64_t hash, base::RelTime now,
                  ReplaceKind kind) {
  const BucketIndex::Slot slot = index_.Locate(item->key(), hash);
  const StoreImpl::ItemCost cost = store_->CostOf(*item);
  if (slot.item == old) {
    Replace(t, slot, item, cost, hash, now, kind);
  } else {
    // Evicted while we allocated (nothing else changes a key under the lock).
    Link(t, item, cost, hash, now);
  }
}

void Stripe::IndexGrew(StoreThreadImpl& t, const BucketIndex::Growth& g, size_t charged) {
  // Charged like queue blocks: without evicting, in the middle of a link.
  if (g.allocated > charged && !t.pool().Take(g.allocated - charged)) {
    store_->budget().Force(g.allocated - charged);
  }
  if (g.retired != nullptr) {
    t.Credit(g.retired_bytes);
    t.RetireDirectory(g.retired);
  }
}

size_t Stripe::Release(StoreThreadImpl& t, Item* item, bool entry_stays) {
  // A plain store, not an atomic RMW: a reader setting a bit meanwhile may
  // lose it, which no one reads on an unlinked item.
  item->state().store(static_cast<uint8_t>(item->state_bits() & ~item_state::kLinked),
                      std::memory_order_relaxed);
  const StoreImpl::ItemCost cost = store_->CostOf(*item);
  const Segment seg = item->segment();
  if (entry_stays) Bury(t, seg, item);
  Account(t, cost, seg, -1);
  t.CountSize(*item, -1);
  t.counters().cls(cost.cls).used_chunks.Add(-1);
  t.Credit(cost.charge);
  // One allocation (requested = head bytes) that no send can hold: its free
  // needs nothing more from the item.
  const bool simple = (item->layout() & (item_layout::kSplit | item_layout::kPinnable)) == 0;
  t.Retire(item, simple ? static_cast<uint32_t>(cost.requested) : 0);
  return cost.charge;
}

size_t Stripe::Unlink(StoreThreadImpl& t, const BucketIndex::Slot& slot) {
  index_.Remove(slot);
  return Release(t, slot.item, /*entry_stays=*/true);
}

BucketIndex::Slot Stripe::LocateLive(StoreThreadImpl& t, std::string_view key, uint64_t hash,
                                     base::RelTime now, MissReason* why) {
  BucketIndex::Slot slot = index_.Locate(key, hash);
  if (slot.item == nullptr) {
    *why = MissReason::kAbsent;
    return slot;
  }
  const Item& item = *slot.item;
  if (store_->IsFlushed(item, now)) {
    t.counters().get_flushed.Add();
    *why = MissReason::kFlushed;
  } else if (const base::RelTime e = item.exptime(); e != 0 && e <= now) {
    t.counters().get_expired.Add();
    *why = MissReason::kExpired;
  } else {
    *why = MissReason::kNone;
    return slot;
  }
  Unlink(t, slot);
  return {};
}

void Stripe::Touched(StoreThreadImpl& t, Item* item, base::RelTime now) {
  item->set_time(now);
  if (!store_->lru().segmented() || item->segment() != Segment::kCold ||
      (item->state_bits() & item_state::kActive) == 0) {
    return;
  }
  // An active COLD item goes to WARM; its COLD entry becomes a tombstone.
  const StoreImpl::ItemCost cost = store_->CostOf(*item);
  SetSegment(item, Segment::kWarm, /*clear_active=*/true);
  AccountMove(t, cost, Segment::kCold, Segment::kWarm);
  t.counters().cls(cost.cls).moves_to_warm.Add();
  Bury(t, Segment::kCold, item);
  Push(t, Segment::kWarm, item);
}

int Stripe::PullTail(StoreThreadImpl& t, Segment seg, uint8_t flags, uint64_t limit_bytes,
                     base::RelTime max_age, base::RelTime now, size_t* freed) {
  int removed = 0;
  const LruSettings& lru = store_->lru();
  for (int tries = 5; tries > 0; --tries) {
    Tail tail;
    if (!ValidTail(t, seg, &tail, (flags & kPullAhead) != 0)) break;
    Item* item = tail.item;
    const uint8_t st = item->state_bits();
    const bool active = (st & item_state::kActive) != 0;
    const StoreImpl::ItemCost cost = store_->CostOf(*item);
    ClassCounters& c = t.counters().cls(cost.cls);
    const base::RelTime exptime = item->exptime();

    if ((exptime != 0 && exptime < now) || store_->IsFlushed(*item, now)) {
      c.reclaimed.Add();
      if ((st & item_state::kFetched) == 0) c.expired_unfetched.Add();
      *freed += UnlinkTail(t, seg, tail);
      ++removed;
      continue;  // expired items do not stop the search
    }

    switch (seg) {
      case Segment::kHot:
      case Segment::kWarm: {
        if (active) {
          ++removed;
          if (seg == Segment::kWarm) {
            c.moves_within_lru.Add();
          } else {
            c.moves_to_warm.Add();
          }
          MoveTail(t, item, cost, seg, Segment::kWarm);
        } else if (live_bytes_[Seg(seg)] > limit_bytes || Age(now, item->time()) > max_age) {
          c.moves_to_cold.Add();
          MoveTail(t, item, cost, seg, Segment::kCold);
          ++removed;
        }
        return removed;  // otherwise the tail stays where it is
      }
      case Segment::kCold:
        if ((flags & kPullEvict) == 0) {
          if (active && lru.segmented()) {
            c.moves_to_warm.Add();
            MoveTail(t, item, cost, Segment::kCold, Segment::kWarm);
            ++removed;
          }
          return removed;
        }
        if (!store_->config().evict) return removed;  // -M: out of memory instead
        if (active) {
          // The bump memcached would have queued on the read: rescue it and
          // keep looking for a victim (flat mode: a second chance in COLD).
          if (lru.segmented()) {
            c.moves_to_warm.Add();
            MoveTail(t, item, cost, Segment::kCold, Segment::kWarm);
          } else {
            MoveTail(t, item, cost, Segment::kCold, Segment::kCold);
          }
          ++removed;
          continue;
        }
        c.evicted.Add();
        c.evicted_time_at.Set(
            static_cast<int64_t>((static_cast<uint64_t>(now) << 32) | Age(now, item->time())));
        if (exptime != 0) c.evicted_nonzero.Add();
        if ((st & item_state::kFetched) == 0) c.evicted_unfetched.Add();
        if (EvictionListener* l = store_->eviction_listener(); l != nullptr && l->wanted()) {
          l->OnEviction({item->key(), (st & item_state::kFetched) != 0, exptime, item->time(), now,
                         store_->ClassIdOfIndex(cost.cls), item->value_size()});
        }
        *freed += UnlinkTail(t, seg, tail);
        return removed + 1;
      case Segment::kTemp:
        return removed;  // only ever reclaimed, never moved or evicted
    }
  }
  return removed;
}

size_t Stripe::Evict(StoreThreadImpl& t, size_t want, base::RelTime now) {
  // Like do_item_alloc_pull's ten tries, but counted in rounds that free
  // nothing: a large item keeps evicting while eviction makes progress.
  size_t freed = 0;
  // Expired TEMP items are the cheapest memory to take back.
  while (freed < want && !queues_[Seg(Segment::kTemp)].empty() &&
         PullTail(t, Segment::kTemp, kPullAhead, 0, 0, now, &freed) > 0) {
  }
  for (int idle = 0; freed < want && idle < 10;) {
    const size_t before = freed;
    if (PullTail(t, Segment::kCold, kPullEvict | kPullAhead, 0, 0, now, &freed) <= 0 &&
        // COLD has nothing to give: push HOT (then WARM) down into it.
        PullTail(t, Segment::kHot, kPullAhead, 0, 0, now, &freed) <= 0 &&
        PullTail(t, Segment::kWarm, kPullAhead, 0, 0, now, &freed) <= 0) {
      break;
    }
    idle = freed > before ? 0 : idle + 1;
  }
  RefreshColdTail();
  return freed;
}

base::RelTime Stripe::TailAge(StoreThreadImpl& t, Segment seg, base::RelTime now) {
  Tail tail;
  return ValidTail(t, seg, &tail) ? Age(now, tail.item->time()) : 0;
}

void Stripe::RefreshColdTail() {
  if (!cold_tail_dirty_) return;
  cold_tail_dirty_ = false;
  base::RelTime time = kNoColdTail;
  ScanLive(Segment::kCold, 256, [&](const Item& item) {
    time = item.time();
    return true;
  });
  cold_tail_time_.store(time, std::memory_order_relaxed);
}

base::RelTime Stripe::PeekTailAge(Segment seg, base::RelTime now) const {
  base::RelTime age = 0;
  ScanLive(seg, 256, [&](const Item& item) {
    age = Age(now, item.time());
    return true;
  });
  return age;
}

void Stripe::PrefetchTails(size_t entries, bool with_cold) const {
  // Pulling a tail reads its item: start those loads for the next `entries`
  // tail entries of each segment together.
  constexpr Segment kSegs[] = {Segment::kHot, Segment::kWarm, Segment::kCold};
  const int segs = with_cold ? 3 : 2;
  for (int i = 0; i < segs; ++i) {
    const Segment seg = kSegs[i];
    const LruQueue& q = queues_[Seg(seg)];
    q.ScanFromOldest(entries, [&](uint32_t ref, uint32_t /*pos*/) {
      if (ref != 0) __builtin_prefetch(index_.ItemAt(ref));
      return false;
    });
    // The entries of the batch after: their own lines, read by the scan
    // that hints that batch.
    q.PrefetchFromOldest(entries, entries);
  }
}

int Stripe::Juggle(StoreThreadImpl& t, base::RelTime now, int rounds, bool background) {
  const LruSettings& lru = store_->lru();
  int did = 0;
  // Every pull hints the tail entry kTailAhead places behind it
  // (kPullAhead); the first kTailAhead of each tail are hinted before: here
  // for the background, at the end of the batch before for writers
  // (AfterLink). A burst of hints for a whole run at once left most checks
  // waiting anyway; and writers' batch hints alone, 16 links earlier, landed
  // too seldom once tails were popped without a table probe: with them only,
  // the HOT tail's item load was ~9 % of a SET-heavy worker's time
  // (2026-12-07, perf), with the look-ahead ~3 %.
  constexpr uint8_t pull = kPullAhead;
  if (background) PrefetchTails(kTailAhead, /*with_cold=*/true);
  size_t freed = 0;
  if (!queues_[Seg(Segment::kTemp)].empty()) {
    for (int i = 0; i < rounds; ++i) {
      if (PullTail(t, Segment::kTemp, pull, 0, 0, now, &freed) <= 0) break;
      ++did;
    }
  }
  const uint64_t total = bytes(Segment::kHot) + bytes(Segment::kWarm) + bytes(Segment::kCold);
  // Flat mode drains HOT and WARM into COLD through a max age of 0.
  base::RelTime cold_age = 0;
  if (lru.segmented()) {
    RefreshColdTail();
    const base::RelTime tail = cold_tail_time();
    cold_age = tail == kNoColdTail ? 0 : Age(now, tail);
  }
  const auto hot_age = static_cast<base::RelTime>(cold_age * lru.hot_factor());
  const auto warm_age = static_cast<base::RelTime>(cold_age * lru.warm_factor());
  const uint64_t hot_limit = total * static_cast<uint64_t>(lru.hot_pct()) / 100;
  const uint64_t warm_limit = total * static_cast<uint64_t>(lru.warm_pct()) / 100;
  for (int i = 0; i < rounds; ++i) {
    int more = 0;
    if (PullTail(t, Segment::kHot, pull, hot_limit, hot_age, now, &freed) > 0 ||
        PullTail(t, Segment::kWarm, pull, warm_limit, warm_age, now, &freed) > 0) {
      ++more;
    }
    // Active COLD tails move to WARM here only in the background: writers
    // need not pay for it, since eviction rescues them anyway.
    if (background && lru.segmented()) {
      more += PullTail(t, Segment::kCold, pull, 0, 0, now, &freed);
    }
    if (more == 0) break;
    ++did;
  }
  RefreshColdTail();
  return did;
}

void Stripe::AfterLink(StoreThreadImpl& t, base::RelTime now) {
  // Linear hashing: one split per link keeps the load at target (a link
  // needs 2/3 of a split); a second one repays the debt a walk left while it
  // paused growth, at 4/3 of a bucket per link instead of 1/3.
  for (int split = 0; split < 2 && index_.WantsSplit(); ++split) {
    const size_t cost = index_.SplitCost();
    if (cost == 0 || t.pool().Take(cost)) IndexGrew(t, index_.Split(), cost);
  }
  // A small HOT segment (few or large items) is juggled at every link, so
  // its overflow reaches COLD, where eviction across stripes looks, at once.
  const int links = ++links_since_juggle_;
  if (links >= kJuggleBatch || live_[Seg(Segment::kHot)] < kJuggleBatchMinHot) {
    links_since_juggle_ = 0;
    // Writers pull HOT and WARM only (COLD moves in the background). The
    // batch's tail entries were hinted when the batch before it ended, so
    // their loads had the links between to land; hinting them only now,
    // right before use, left the first pulls waiting.
    if (links > 1 && !tails_hinted_) PrefetchTails(static_cast<size_t>(links), false);
    Juggle(t, now, links, /*background=*/false);
    tails_hinted_ = live_[Seg(Segment::kHot)] >= kJuggleBatchMinHot;
    if (tails_hinted_) PrefetchTails(kJuggleBatch, /*with_cold=*/false);
  }
}

bool Stripe::Crawl(StoreThreadImpl& t, uint64_t* bucket, size_t max_items, base::RelTime now,
                   const std::vector<bool>* class_filter, uint64_t* checked) {
  size_t visited = 0;
  // Splits between batches only move items to higher buckets, so nothing is
  // missed; an item may be checked twice.
  while (*bucket < index_.buckets() && visited < max_items) {
    visited += index_.ForEachSlot(*bucket, [&](const BucketIndex::Slot& s) {
      Item* item = s.item;
      const int cls = store_->ClassIndexOf(*item);
      if (class_filter != nullptr && !(*class_filter)[cls]) return;
      ClassCounters& c = t.counters().cls(cls);
      c.crawler_items_checked.Add();
      ++*checked;
      const bool flushed = store_->IsFlushed(*item, now);
      const base::RelTime e = item->exptime();
      if (flushed || (e != 0 && e < now)) {
        c.crawler_reclaimed.Add();
        if ((item->state_bits() & item_state::kFetched) == 0 && !flushed) {
          c.expired_unfetched.Add();
        }
        Unlink(t, s);
      }
    });
    ++*bucket;
  }
  return *bucket < index_.buckets();
}

}  // namespace ringcache::storage
