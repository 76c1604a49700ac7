// StoreThread: the data operations. Each follows memcached 1.6.18's
// do_item_get / do_store_item / do_add_delta and the meta commands of
// proto_text.c; the comments name the memcached behaviour they reproduce.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>

#include "arith.h"
#include "item_plan.h"
#include "ringcache/base/numeric.h"
#include "ringcache/storage/store.h"
#include "store_impl.h"
#include "stripe.h"
#include "thread_state.h"

namespace ringcache::storage {
namespace {

bool KeyOk(std::string_view key) { return !key.empty() && key.size() <= kMaxKeyLength; }

// Copies `pieces` in order into the value parts of a fresh item.
void WriteValue(Item* dst, std::initializer_list<std::string_view> pieces) {
  char* part = dst->head_value();
  size_t room = dst->head_value_len();
  bool in_tail = false;
  for (std::string_view p : pieces) {
    while (!p.empty()) {
      if (room == 0 && !in_tail) {
        part = dst->tail();
        room = dst->tail_len();
        in_tail = true;
      }
      const size_t n = std::min(room, p.size());
      std::memcpy(part, p.data(), n);
      part += n;
      room -= n;
      p.remove_prefix(n);
    }
  }
}

ItemView::ValueParts Parts(const Item& item) { return ItemView(&item).value(); }

ItemShape ShapeOf(const Item& item) {
  return ItemShape{item.key(), item.client_flags(), item.exptime(), item.value_size(),
                   item.has(item_layout::kKeyBinary)};
}

// The reader-side flags of an item carried over to its replacement.
constexpr uint8_t kCarriedState =
    item_state::kFetched | item_state::kActive | item_state::kTokenSent | item_state::kStale;

void SetCas(Item* item, uint64_t cas) {
  if (item->has(item_layout::kCas)) item->InitCas(cas);
}

}  // namespace

// --- Construction ---

StoreThread::StoreThread(storage::Store* store, std::unique_ptr<StoreThreadImpl> impl)
    : store_(store), impl_(std::move(impl)) {}

StoreThread::~StoreThread() { impl_->store()->RemoveThread(impl_.get()); }

int StoreThread::numa_node() const { return impl_->node(); }

void StoreThread::DropNew(Item* item) { impl_->DropItem(item); }

void StoreThread::Quiesce() { impl_->Quiesce(); }
void StoreThread::Offline() { impl_->qsbr().Offline(); }
void StoreThread::Online() { impl_->qsbr().Online(); }

// --- Helpers shared by the operations (stripe lock held where noted) ---

class StoreThreadOps {
 public:
  // memcached's do_item_bump: the first fetch marks an item fetched, the
  // second active (and bumps its time); flat mode refreshes the time at most
  // once per ITEM_UPDATE_INTERVAL.
  static void Bump(const StoreImpl& s, Item* item, base::RelTime now) {
    const uint8_t st = item->state_bits();
    if (s.lru().segmented()) {
      if ((st & item_state::kActive) != 0) return;
      if ((st & item_state::kFetched) == 0) {
        item->state().fetch_or(item_state::kFetched, std::memory_order_relaxed);
      } else {
        item->state().fetch_or(item_state::kActive, std::memory_order_relaxed);
        item->set_time(now);
      }
      return;
    }
    if ((st & item_state::kFetched) == 0) {
      item->state().fetch_or(item_state::kFetched, std::memory_order_relaxed);
    }
    if (item->time() + 60 < now) {
      item->set_time(now);
      item->state().fetch_or(item_state::kActive, std::memory_order_relaxed);
    }
  }

  // Meta win/lost tokens (mg R, stale items): at most one caller wins.
  static void Tokens(Item* item, const GetOptions& opt, base::RelTime prior_exptime, GetResult* r) {
    const uint8_t st = item->state_bits();
    const bool sent = (st & item_state::kTokenSent) != 0;
    bool win = false;
    if (opt.recache && !sent) {
      const base::RelTime e = opt.recache_after_touch ? item->exptime() : prior_exptime;
      win = e != 0 && e < opt.recache_below;
    }
    if ((st & item_state::kStale) != 0 && !sent) win = true;
    r->lost = sent;
    if (win) {
      const uint8_t old = item->state().fetch_or(item_state::kTokenSent, std::memory_order_acq_rel);
      if ((old & item_state::kTokenSent) != 0) {
        win = false;
        r->lost = true;
      }
    }
    r->won = win;
  }

  // `prior_exptime`: the item's exptime before this request touched it.
  static void Hit(StoreThreadImpl& t, Item* item, base::RelTime now, const GetOptions& opt,
                  base::RelTime prior_exptime, GetResult* r) {
    const StoreImpl& s = *t.store();
    r->item = ItemView(item);
    r->prior = {prior_exptime, item->time(), (item->state_bits() & item_state::kFetched) != 0};
    if (opt.bump) Bump(s, item, now);
    Tokens(item, opt, r->prior.exptime, r);
    ClassCounters& c = t.counters().cls(s.ClassIndexOf(*item));
    if (opt.touch) {
      c.touch_hits.Add();
    } else {
      c.hits[static_cast<int>(item->segment())].Add();
    }
  }

  // A copy of `src` with `shape`'s fields (stripe lock held). The copy keeps
  // the CAS and the reader flags; nullptr if memory ran out entirely.
  static Item* Copy(StoreThreadImpl& t, Stripe& stripe, const Item& src, const ItemShape& shape,
                    base::RelTime now) {
    Item* copy = t.AllocateItemLocked(stripe, shape, now);
    if (copy == nullptr) return nullptr;
    const ItemView::ValueParts v = Parts(src);
    if (shape.value_size == src.value_size()) WriteValue(copy, {v.first, v.second});
    SetCas(copy, src.cas());
    copy->state().store(src.state_bits() & kCarriedState, std::memory_order_relaxed);
    copy->set_time(src.time());
    return copy;
  }

  // Sets an item's exptime, relinking a copy when it has no exptime field.
  static Item* SetExptime(StoreThreadImpl& t, Stripe& stripe, const BucketIndex::Slot& slot,
                          base::RelTime exptime, uint64_t hash, base::RelTime now) {
    Item* item = slot.item;
    if (item->has(item_layout::kExptime)) {
      item->set_exptime(exptime);
      return item;
    }
    if (exptime == 0) return item;
    ItemShape shape = ShapeOf(*item);
    shape.exptime = exptime;
    Item* copy = Copy(t, stripe, *item, shape, now);
    if (copy == nullptr) return item;
    stripe.Swap(t, item, copy, hash, now, Stripe::kSameItem);
    return copy;
  }

  static GetResult GetLocked(StoreThreadImpl& t, std::string_view key, uint64_t hash,
                             base::RelTime now, const GetOptions& opt) {
    StoreImpl& s = *t.store();
    Stripe& stripe = s.StripeFor(hash);
    GetResult r;
    std::lock_guard<std::mutex> lock(stripe.mu());
    MissReason why;
    const BucketIndex::Slot slot = stripe.LocateLive(t, key, hash, now, &why);
    if (slot.item != nullptr) {
      Item* item = slot.item;
      const base::RelTime prior_exptime = item->exptime();
      if (opt.touch) item = SetExptime(t, stripe, slot, opt.new_exptime, hash, now);
      Hit(t, item, now, opt, prior_exptime, &r);
      return r;
    }
    if (!opt.vivify) {
      r.miss = why;
      return r;
    }
    // mg N: an empty item with client flags 0; the creator wins the token.
    Item* item = t.AllocateItemLocked(stripe, ItemShape{key, 0, opt.vivify_exptime, 0, false}, now);
    if (item == nullptr) {
      r.miss = why;
      return r;
    }
    SetCas(item, s.NextCas());
    item->state().store(item_state::kTokenSent, std::memory_order_relaxed);
    stripe.Link(t, item, s.CostOf(*item), hash, now);
    r.item = ItemView(item);
    r.created = true;
    r.won = true;
    r.prior = {0, now, false};
    t.counters().cls(s.ClassIndexOf(*item)).hits[static_cast<int>(item->segment())].Add();
    return r;
  }

  static void DropKey(StoreThreadImpl& t, std::string_view key, uint64_t hash, base::RelTime now) {
    Stripe& stripe = t.store()->StripeFor(hash);
    std::lock_guard<std::mutex> lock(stripe.mu());
    MissReason why;
    const BucketIndex::Slot slot = stripe.LocateLive(t, key, hash, now, &why);
    if (slot.item != nullptr) stripe.Unlink(t, slot);
  }
};

// --- Reads ---

GetResult StoreThread::Get(std::string_view key, base::RelTime now, const GetOptions& opt) {
  StoreThreadImpl& t = *impl_;
  const StoreImpl& s = *t.store();
  if (!KeyOk(key)) return GetResult{{}, MissReason::kAbsent};
  const uint64_t hash = s.Hash(key);
  if (!opt.touch) {
    const BucketIndex::FindResult f = s.StripeFor(hash).index().Find(key, hash);
    if (f.lookup == BucketIndex::Lookup::kFound) {
      const base::RelTime e = f.item->exptime();
      if (!(e != 0 && e <= now) && !s.IsFlushed(*f.item, now)) {
        GetResult r;
        StoreThreadOps::Hit(t, f.item, now, opt, e, &r);
        return r;
      }
      // Expired or flushed: unlink it under the lock (memcached does on access).
    } else if (f.lookup == BucketIndex::Lookup::kAbsent && !opt.vivify) {
      return GetResult{{}, MissReason::kAbsent};
    }
  }
  return StoreThreadOps::GetLocked(t, key, hash, now, opt);
}

uint64_t StoreThread::PrefetchBucket(std::string_view key) const {
  const StoreImpl& s = *impl_->store();
  const uint64_t hash = s.Hash(key);
  s.StripeFor(hash).index().PrefetchBuckets(hash);
  return hash;
}

uint64_t StoreThread::KeyHash(std::string_view key) const { return impl_->store()->Hash(key); }

void StoreThread::AdvancePlan(const uint64_t* hashes, uint64_t* cursors, int count, int* staged,
                              int index) const {
  const StoreImpl& s = *impl_->store();
  // Stage 0 starts loading the key's two candidate buckets and keeps their
  // addresses; stage 1 reads their tags (the lines the stage before brought
  // in) and starts loading the items whose tags match.
  using Bucket = BucketIndex::Bucket;
  auto at = [&](int k) { return reinterpret_cast<const Bucket**>(&cursors[2 * k]); };
  auto buckets = [&](int k) { s.StripeFor(hashes[k]).index().PrefetchBuckets(hashes[k], at(k)); };
  auto items = [&](int k) { s.StripeFor(hashes[k]).index().PrefetchMatches(hashes[k], at(k)); };
  static_assert(kPlanStages == 2);
  constexpr int d = kPlanDistance;
  // The steady state: every stage is one key short of its distance, so each
  // starts exactly one key's next load (the loops below do it in general).
  if (index + 2 * d <= count && staged[0] == index + 2 * d - 1 && staged[1] == index + d - 1) {
    buckets(index + 2 * d - 1);
    items(index + d - 1);
    ++staged[0];
    ++staged[1];
    return;
  }
  auto run = [&](int stage, auto&& step) {
    int i = staged[stage];
    for (const int end = std::min(count, index + (kPlanStages - stage) * d); i < end; ++i) step(i);
    staged[stage] = i;
  };
  run(0, buckets);
  run(1, items);
}

void StoreThread::PrefetchItems(const uint64_t* hashes, int n) const {
  const StoreImpl& s = *impl_->store();
  for (int i = 0; i < n; ++i) s.StripeFor(hashes[i]).index().PrefetchMatches(hashes[i]);
}

TouchResult StoreThread::Touch(std::string_view key, base::RelTime new_exptime, base::RelTime now) {
  GetOptions opt;
  opt.touch = true;
  opt.new_exptime = new_exptime;
  return Get(key, now, opt).item ? TouchResult::kTouched : TouchResult::kNotFound;
}

// --- Writes ---

AllocResult StoreThread::Allocate(std::string_view key, uint32_t client_flags,
                                  base::RelTime exptime, size_t value_size, base::RelTime now,
                                  NewItem* out, const AllocOptions& options) {
  StoreThreadImpl& t = *impl_;
  StoreImpl& s = *t.store();
  *out = NewItem();
  const uint64_t hash = s.Hash(key);
  AllocResult result = AllocResult::kOk;
  const ItemShape shape{key, client_flags, exptime, value_size, options.key_binary};
  const ItemPlan plan = PlanItem(s.classes(), t.LayoutFor(shape), key.size(), value_size);
  if (!KeyOk(key) ||
      MemcachedItemSize(key.size(), client_flags, value_size, s.config().cas_enabled) >
          s.config().item_size_max ||
      plan.head_class < 0) {
    result = AllocResult::kTooLarge;
  } else if (!t.Charge(plan.charge, hash, now, plan.head_class)) {
    result = AllocResult::kOutOfMemory;
  } else if (Item* item = t.AllocateItem(plan, shape)) {
    // The plan is the item's cost unless allocating had to change it.
    NewItem::Cost cost;
    if (RC_LIKELY(item->layout() == plan.layout)) {
      cost = {plan.head_class, static_cast<uint32_t>(plan.charge),
              static_cast<uint32_t>(plan.total())};
    } else {
      const StoreImpl::ItemCost c = s.CostOf(*item);
      cost = {c.cls, static_cast<uint32_t>(c.charge), static_cast<uint32_t>(c.requested)};
    }
    *out = NewItem(item, this, hash, cost);
    return AllocResult::kOk;
  } else {
    t.Credit(plan.charge);
    result = AllocResult::kOutOfMemory;
  }
  // memcached: a failed set must not leave the old value readable.
  if (options.unlink_on_failure && KeyOk(key)) StoreThreadOps::DropKey(t, key, hash, now);
  return result;
}

StoreResult StoreThread::Store(NewItem new_item, const StoreOptions& opt, base::RelTime now,
                               uint64_t* cas_out) {
  if (!new_item) return StoreResult::kNotStored;
  StoreThreadImpl& t = *impl_;
  StoreImpl& s = *t.store();
  Item* item = new_item.item_;
  const uint64_t hash = new_item.hash_;
  new_item.item_ = nullptr;
  Stripe& stripe = s.StripeFor(hash);
  const uint64_t compare = s.config().cas_enabled ? opt.compare_cas : 0;
  const uint64_t new_cas = opt.new_cas != 0 ? opt.new_cas : 0;
  StoreResult result = StoreResult::kNotStored;
  Item* unused = item;  // freed after the lock unless it got linked
  const StoreImpl::ItemCost cost{new_item.cost_.cls, new_item.cost_.charge,
                                 new_item.cost_.requested};
  {
    std::lock_guard<std::mutex> lock(stripe.mu());
    t.counters().cls(cost.cls).cmd_set.Add();
    MissReason why;
    const BucketIndex::Slot slot = stripe.LocateLive(t, item->key(), hash, now, &why);
    Item* old = slot.item;
    Item* link = nullptr;
    if (old != nullptr) {
      ClassCounters& oc = t.counters().cls(s.ClassIndexOf(*old));
      enum { kNone, kMatch, kStale, kBad } cas_res = kNone;
      if (compare != 0) {
        cas_res = compare == old->cas()                    ? kMatch
                  : opt.invalidate && compare < old->cas() ? kStale
                                                           : kBad;
      }
      switch (opt.mode) {
        case StoreMode::kAdd:
          // add fails on an existing key but counts as an access.
          stripe.Touched(t, old, now);
          break;
        case StoreMode::kCas:
          if (cas_res == kMatch) {
            oc.cas_hits.Add();
            link = item;
          } else if (cas_res == kStale) {
            // Stale set (meta I): stored, keeping the old TTL, marked stale,
            // with the win token state carried over.
            oc.cas_hits.Add();
            link = item;
            if (old->exptime() != item->exptime()) {
              ItemShape shape = ShapeOf(*item);
              shape.exptime = old->exptime();
              if (item->has(item_layout::kExptime) || shape.exptime == 0) {
                item->set_exptime(shape.exptime);
              } else {
                link = StoreThreadOps::Copy(t, stripe, *item, shape, now);
              }
            }
            if (link != nullptr) {
              link->state().fetch_or(
                  static_cast<uint8_t>(item_state::kStale |
                                       (old->state_bits() & item_state::kTokenSent)),
                  std::memory_order_relaxed);
            }
          } else {
            oc.cas_badval.Add();
            result = StoreResult::kExists;
          }
          break;
        case StoreMode::kAppend:
        case StoreMode::kPrepend: {
          if (cas_res != kNone && cas_res != kMatch) {
            result = StoreResult::kExists;
            break;
          }
          // The combined item keeps the old item's flags and exptime.
          ItemShape shape = ShapeOf(*old);
          shape.value_size = old->value_size() + item->value_size();
          Item* combined = t.AllocateItemLocked(stripe, shape, now);
          if (combined == nullptr) break;  // NOT_STORED, as memcached on OOM
          const ItemView::ValueParts a = Parts(*old);
          const ItemView::ValueParts b = Parts(*item);
          if (opt.mode == StoreMode::kAppend) {
            WriteValue(combined, {a.first, a.second, b.first, b.second});
          } else {
            WriteValue(combined, {b.first, b.second, a.first, a.second});
          }
          link = combined;
          break;
        }
        case StoreMode::kReplace:
        case StoreMode::kSet:
          link = item;
          break;
      }
      if (link != nullptr) {
        SetCas(link, new_cas != 0 ? new_cas : s.NextCas());
        if (link == item) {
          stripe.Replace(t, slot, link, cost, hash, now, Stripe::kNewValue);
        } else {
          // Built under the lock (append, stale set): the slot may be stale.
          stripe.Swap(t, old, link, hash, now, Stripe::kNewValue);
        }
        result = StoreResult::kStored;
      }
    } else {
      switch (opt.mode) {
        case StoreMode::kAdd:
        case StoreMode::kSet:
          link = item;
          break;
        case StoreMode::kCas:
          result = StoreResult::kNotFound;
          break;
        case StoreMode::kReplace:
        case StoreMode::kAppend:
        case StoreMode::kPrepend:
          break;
      }
      if (link != nullptr) {
        SetCas(link, new_cas != 0 ? new_cas : s.NextCas());
        stripe.Link(t, link, cost, hash, now);
        result = StoreResult::kStored;
      }
    }
    if (link == item) unused = nullptr;
    if (result == StoreResult::kStored && cas_out != nullptr) *cas_out = link->cas();
  }
  if (unused != nullptr) t.DropItem(unused);
  return result;
}

DeleteResult StoreThread::Delete(std::string_view key, const DeleteOptions& opt,
                                 base::RelTime now) {
  StoreThreadImpl& t = *impl_;
  StoreImpl& s = *t.store();
  if (!KeyOk(key)) return DeleteResult::kNotFound;
  const uint64_t hash = s.Hash(key);
  Stripe& stripe = s.StripeFor(hash);
  std::lock_guard<std::mutex> lock(stripe.mu());
  MissReason why;
  const BucketIndex::Slot slot = stripe.LocateLive(t, key, hash, now, &why);
  Item* old = slot.item;
  if (old == nullptr) return DeleteResult::kNotFound;
  if (opt.compare_cas != 0 && opt.compare_cas != old->cas()) return DeleteResult::kExists;
  // Only the variants that keep an item give it a new CAS; a plain delete
  // draws none (memcached's CAS sequence must stay in step).
  const auto cas = [&] { return opt.new_cas != 0 ? opt.new_cas : s.NextCas(); };
  if (opt.invalidate) {
    // md I: keep the item, mark it stale, clear the token so the next fetch
    // wins, give it a new CAS (and TTL with T).
    ItemShape shape = ShapeOf(*old);
    if (opt.touch) shape.exptime = opt.new_exptime;
    Item* copy = StoreThreadOps::Copy(t, stripe, *old, shape, now);
    if (copy == nullptr) return DeleteResult::kNotFound;
    SetCas(copy, cas());
    const uint8_t st = static_cast<uint8_t>(
        (old->state_bits() & kCarriedState & ~item_state::kTokenSent) | item_state::kStale);
    copy->state().store(st, std::memory_order_relaxed);
    stripe.Swap(t, old, copy, hash, now, Stripe::kSameItem);
    return DeleteResult::kDeleted;
  }
  if (opt.drop_value_only) {
    // md x: the key stays with an empty value and the given client flags.
    ItemShape shape = ShapeOf(*old);
    shape.value_size = 0;
    shape.client_flags = opt.client_flags;
    Item* empty = t.AllocateItemLocked(stripe, shape, now);
    if (empty == nullptr) return DeleteResult::kNotFound;
    SetCas(empty, cas());
    stripe.Swap(t, old, empty, hash, now, Stripe::kNewValue);
    return DeleteResult::kDeleted;
  }
  t.counters().cls(s.ClassIndexOf(*old)).delete_hits.Add();
  stripe.Unlink(t, slot);
  return DeleteResult::kDeleted;
}

ArithOutcome StoreThread::Arith(std::string_view key, const ArithOptions& opt, base::RelTime now) {
  StoreThreadImpl& t = *impl_;
  StoreImpl& s = *t.store();
  ArithOutcome out;
  if (!KeyOk(key)) return out;
  const uint64_t hash = s.Hash(key);
  Stripe& stripe = s.StripeFor(hash);
  std::lock_guard<std::mutex> lock(stripe.mu());
  MissReason why;
  const BucketIndex::Slot slot = stripe.LocateLive(t, key, hash, now, &why);
  Item* old = slot.item;
  const uint64_t cas = opt.new_cas != 0 ? opt.new_cas : 0;
  if (old == nullptr) {
    if (!opt.vivify) return out;
    // ma N: create the key holding `initial` (client flags 0).
    char digits[base::kMaxU64Digits];
    const size_t len = base::FormatU64(opt.initial, digits);
    const base::RelTime exptime = opt.touch ? opt.new_exptime : opt.vivify_exptime;
    Item* item = t.AllocateItemLocked(stripe, ItemShape{key, 0, exptime, len, false}, now);
    if (item == nullptr) {
      out.result = ArithResult::kOutOfMemory;
      return out;
    }
    WriteValue(item, {std::string_view(digits, len)});
    SetCas(item, cas != 0 ? cas : s.NextCas());
    stripe.Link(t, item, s.CostOf(*item), hash, now);
    return {ArithResult::kOk, opt.initial, item->cas(), exptime, 0, true};
  }
  out.prior_exptime = old->exptime();
  // do_add_delta: empty (and, in memcached, chunked) values are not numbers;
  // the CAS is compared before the value is parsed.
  const size_t old_len = old->value_size();
  if (old_len == 0 || MemcachedItemSize(old->key_len(), old->client_flags(), old_len,
                                        s.config().cas_enabled) > kMemcachedChunkMax) {
    out.result = ArithResult::kNonNumeric;
    return out;
  }
  if (opt.compare_cas != 0 && opt.compare_cas != old->cas()) {
    out.result = ArithResult::kExists;
    return out;
  }
  uint64_t value;
  const ItemView::ValueParts parts = Parts(*old);
  if (!ParseStoredNumber(parts.first, parts.second, &value)) {
    out.result = ArithResult::kNonNumeric;
    return out;
  }
  ClassCounters& c = t.counters().cls(s.ClassIndexOf(*old));
  (opt.incr ? c.incr_hits : c.decr_hits).Add();
  value = ApplyDelta(value, opt.incr, opt.delta);
  std::string text(std::max(old_len, base::kMaxU64Digits), '\0');
  text.resize(FormatStoredNumber(value, old_len, text.data()));
  ItemShape shape = ShapeOf(*old);
  shape.value_size = text.size();
  if (opt.touch) shape.exptime = opt.new_exptime;
  Item* item = t.AllocateItemLocked(stripe, shape, now);
  if (item == nullptr) {
    out.result = ArithResult::kOutOfMemory;
    return out;
  }
  WriteValue(item, {text});
  SetCas(item, cas != 0 ? cas : s.NextCas());
  // Rewritten in place in memcached: the reader flags stay.
  item->state().store(old->state_bits() & kCarriedState, std::memory_order_relaxed);
  stripe.Swap(t, old, item, hash, now, Stripe::kNewValue);
  out.result = ArithResult::kOk;
  out.value = value;
  out.cas = item->cas();
  out.exptime = item->exptime();
  return out;
}

// --- Pins and walks ---

ItemPin StoreThread::Pin(ItemView view) {
  if (!view || !view.pinnable()) return ItemPin();
  Item* item = const_cast<Item*>(view.item());
  item->pins().fetch_add(1, std::memory_order_relaxed);
  return ItemPin(item);
}

bool StoreThread::Walk(WalkCursor* cursor, size_t max_items, base::RelTime now,
                       absl::FunctionRef<void(ItemView)> visit) {
  StoreThreadImpl& t = *impl_;
  StoreImpl& s = *t.store();
  if (cursor->done_) return false;
  cursor->store_ = store_;
  std::vector<const Item*>& batch = t.walk_scratch();
  batch.clear();
  max_items = std::max<size_t>(max_items, 1);
  while (batch.size() < max_items) {
    if (static_cast<int>(cursor->stripe_) >= s.stripe_count()) {
      cursor->done_ = true;
      break;
    }
    Stripe& stripe = s.stripe(static_cast<int>(cursor->stripe_));
    std::lock_guard<std::mutex> lock(stripe.mu());
    BucketIndex& index = stripe.index();
    if (!cursor->in_stripe_) {
      index.Freeze();
      cursor->in_stripe_ = true;
      cursor->bucket_ = 0;
    }
    for (; cursor->bucket_ < index.buckets() && batch.size() < max_items; ++cursor->bucket_) {
      index.ForEachSlot(cursor->bucket_, [&](const BucketIndex::Slot& slot) {
        // Like the metadump crawler: expired and flushed items are skipped.
        const base::RelTime e = slot.item->exptime();
        if ((e != 0 && e < now) || s.IsFlushed(*slot.item, now)) return;
        batch.push_back(slot.item);
      });
    }
    if (cursor->bucket_ >= index.buckets()) {
      index.Unfreeze();
      cursor->in_stripe_ = false;
      ++cursor->stripe_;
    }
  }
  for (const Item* item : batch) visit(ItemView(item));
  return !cursor->done_;
}

}  // namespace ringcache::storage
