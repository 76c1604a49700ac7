#include "thread_state.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include "bucket_index.h"
#include "stripe.h"

namespace ringcache::storage {
namespace {

// Retired objects that trigger a reclamation scan, and the quiescent states
// after which a scan happens anyway.
constexpr size_t kScanBacklog = 64;
constexpr int kScanEvery = 4;

}  // namespace

StoreThreadImpl::StoreThreadImpl(StoreImpl* store, int node,
                                 std::unique_ptr<memory::QsbrThread> qsbr)
    : store_(store),
      node_(node),
      qsbr_(std::move(qsbr)),
      heap_(store->heap(), node),
      pool_(&store->budget(), store->pool_chunk()),
      counters_(store->classes().count()) {}

StoreThreadImpl::~StoreThreadImpl() { delete[] sizes_.load(std::memory_order_relaxed); }

uint8_t StoreThreadImpl::LayoutFor(const ItemShape& shape) const {
  const StoreConfig& c = store_->config();
  uint8_t layout = 0;
  if (shape.exptime != 0) layout |= item_layout::kExptime;
  if (shape.client_flags != 0) layout |= item_layout::kFlags;
  if (c.cas_enabled) layout |= item_layout::kCas;
  if (shape.key_binary) layout |= item_layout::kKeyBinary;
  if (shape.value_size >= c.pin_min_value_size) layout |= item_layout::kPinnable;
  return layout;
}

int StoreThreadImpl::PickVictim(uint64_t hash, size_t want, const std::vector<bool>& done) const {
  // The stripe whose COLD tail was touched longest ago holds the item the
  // LRU would evict next. For an item small next to a stripe's share, a
  // sample of four stripes (its own and three chosen by the hash) is close
  // enough and keeps evicting writers from piling onto one lock; a large
  // item compares every stripe, since each stripe holds only a few of them.
  const int count = store_->stripe_count();
  const bool large = want * 4 * static_cast<size_t>(count) > store_->budget().limit();
  const int own = store_->StripeIndexFor(hash);
  int best = -1;
  base::RelTime best_time = 0;
  auto consider = [&](int i) {
    if (done[i]) return;
    const base::RelTime t = store_->stripe(i).cold_tail_time();
    if (best < 0 || t < best_time) {
      best = i;
      best_time = t;
    }
  };
  consider(own);
  if (large) {
    for (int i = 0; i < count; ++i) consider(i);
  } else {
    for (int k = 1; k <= 3; ++k) consider(static_cast<int>((hash >> (8 * k)) % count));
  }
  return best;
}

bool StoreThreadImpl::Charge(size_t n, uint64_t hash, base::RelTime now, int class_index) {
  if (pool_.Take(n)) return true;
  ClassCounters& c = counters_.cls(class_index);
  // While the budget is overdrawn (cache_memlimit lowered, a forced queue
  // block) each writer evicts up to its own size again on top of its need,
  // so the cache converges to the limit at the rate it is written.
  const size_t debt = static_cast<size_t>(std::max<int64_t>(0, -store_->budget().available()));
  const size_t want = n + std::min(debt, n);
  const int count = store_->stripe_count();
  std::vector<bool> done(count, false);
  evicting_for_charge_ = true;
  bool ok = false;
  // Oldest COLD tails first; then every stripe not tried yet, for items
  // larger than what the first choices could give up.
  for (int tried = 0; tried < count && !ok; ++tried) {
    int victim = tried < 2 ? PickVictim(hash, want, done) : -1;
    if (victim < 0) {
      for (int i = 0; i < count; ++i) {
        const int s = (store_->StripeIndexFor(hash) + i) % count;
        if (!done[s]) {
          victim = s;
          break;
        }
      }
    }
    done[victim] = true;
    Stripe& s = store_->stripe(victim);
    {
      std::lock_guard<std::mutex> lock(s.mu());
      const size_t have = pool_.held();
      s.Evict(*this, want > have ? want - have : 1, now);
    }
    if (tried == 0) c.direct_reclaims.Add();
    ok = pool_.Take(n);
  }
  evicting_for_charge_ = false;
  // Budget idling in other threads' pools is not memory in use.
  if (!ok && store_->StealBudget(this) > 0) ok = pool_.Take(n);
  if (ok) {
    pool_.RepayFromHeld();
    return true;
  }
  c.outofmemory.Add();
  return false;
}

void StoreThreadImpl::ChargeLocked(Stripe& locked, size_t n, base::RelTime now) {
  if (pool_.Take(n)) return;
  evicting_for_charge_ = true;
  locked.Evict(*this, n, now);
  evicting_for_charge_ = false;
  if (pool_.Take(n)) return;
  store_->budget().Force(n);
}

Item* StoreThreadImpl::AllocateItem(const ItemPlan& planned, const ItemShape& shape) {
  ItemPlan plan = planned;
  void* head = heap_.Allocate(plan.head_bytes);
  if (head == nullptr) return nullptr;
  char* tail = nullptr;
  if (plan.tail_len > 0) {
    tail = static_cast<char*>(heap_.Allocate(plan.tail_len));
    if (tail == nullptr || !Item::SplitFits(head, tail)) {
      // A tail more than 32 GB from its head cannot be addressed: store the
      // item in one allocation instead, adjusting its charge.
      if (tail != nullptr) heap_.Free(tail, plan.tail_len);
      heap_.Free(head, plan.head_bytes);
      // The caller charged `planned`; move that charge to the new plan (and
      // back if even this fails, since the caller then credits `planned`).
      auto recharge = [this](size_t from, size_t to) {
        if (to > from && !pool_.Take(to - from)) store_->budget().Force(to - from);
        if (from > to) Credit(from - to);
      };
      plan = PlanItem(store_->classes(), plan.layout & ~item_layout::kSplit, shape.key.size(),
                      shape.value_size, /*allow_split=*/false);
      recharge(planned.charge, plan.charge);
      head = heap_.Allocate(plan.head_bytes);
      if (head == nullptr) {
        recharge(plan.charge, planned.charge);
        return nullptr;
      }
      tail = nullptr;
    }
  }
  Item* item = Item::Init(head, plan.layout, shape.key, shape.value_size);
  if (item->has(item_layout::kExptime)) item->InitExptime(shape.exptime);
  if (item->has(item_layout::kFlags)) item->InitFlags(shape.client_flags);
  if (item->has(item_layout::kPinnable)) item->InitPins();
  if (tail != nullptr) item->InitSplit(tail, plan.head_bytes);
  if (item->has(item_layout::kCas)) item->InitCas(0);
  counters_.cls(plan.head_class).used_chunks.Add(1);
  return item;
}

Item* StoreThreadImpl::AllocateItemLocked(Stripe& locked, const ItemShape& shape,
                                          base::RelTime now) {
  const ItemPlan plan =
      PlanItem(store_->classes(), LayoutFor(shape), shape.key.size(), shape.value_size);
  if (plan.head_class < 0) return nullptr;
  ChargeLocked(locked, plan.charge, now);
  Item* item = AllocateItem(plan, shape);
  if (item == nullptr) Credit(plan.charge);
  return item;
}

// The free path of every overwrite (Reclaim), inlined there; FreeItemMemory
// and FreeRetired are the out-of-line forms for the other callers.
RC_ALWAYS_INLINE void StoreThreadImpl::FreeItemInline(Item* item) {
  if (RC_LIKELY(!item->has(item_layout::kSplit))) {
    heap_.Free(item, item->head_bytes());
    return;
  }
  char* tail = item->tail();
  const size_t tail_len = item->tail_len();
  heap_.Free(item, item->head_bytes());
  heap_.Free(tail, tail_len);
}

RC_ALWAYS_INLINE void StoreThreadImpl::FreeRetiredInline(const RetireQueue::Entry& r) {
  if (RC_UNLIKELY(r.directory())) {
    BucketIndex::FreeDirectory(r.ptr());
    return;
  }
  if (RC_LIKELY(r.bytes != 0)) {
    heap_.Free(r.ptr(), r.bytes);
    return;
  }
  Item* item = static_cast<Item*>(r.ptr());
  if (item->has(item_layout::kPinnable)) {
    // A pinned item is freed by its last unpin instead.
    const uint32_t old = item->pins().fetch_or(kPinReclaimPending, std::memory_order_acq_rel);
    if ((old & ~kPinReclaimPending) != 0) return;
  }
  FreeItemInline(item);
}

void StoreThreadImpl::DropItem(Item* item) {
  Credit(store_->ItemCharge(*item));
  counters_.cls(store_->ClassIndexOf(*item)).used_chunks.Add(-1);
  FreeItemMemory(item);
}

void StoreThreadImpl::FreeItemMemory(Item* item) { FreeItemInline(item); }

void StoreThreadImpl::RetireDirectory(void* directory) {
  retired_.push_back(RetireQueue::Entry::ForDirectory(store_->qsbr().RetireEpoch(), directory));
}

void StoreThreadImpl::Quiesce() {
  memory::QsbrDomain& domain = store_->qsbr();
  // Open a new epoch if our newest retirement is in the current one, so the
  // announcements that follow can exceed its tag.
  if (!retired_.empty() && retired_.back().tag >= domain.RetireEpoch()) domain.Advance();
  qsbr_->Quiesce();
  if (!retired_.empty() &&
      (retired_.size() >= kScanBacklog || ++quiesces_since_scan_ >= kScanEvery)) {
    Reclaim();
  }
  if (store_->has_orphans()) store_->ReclaimOrphans(this);
}

void StoreThreadImpl::Reclaim() {
  quiesces_since_scan_ = 0;
  const uint64_t safe = store_->qsbr().SafeEpoch();
  while (!retired_.empty() && retired_.front().tag < safe) {
    const RetireQueue::Entry r = retired_.front();
    retired_.pop_front();
    FreeRetiredInline(r);
  }
  retired_.Trim();
}

void StoreThreadImpl::FreeRetired(const RetireQueue::Entry& r) { FreeRetiredInline(r); }

void StoreThreadImpl::CountSizeEnabled(const Item& item, int delta) {
  if (item.cas() < store_->sizes_cas_min()) return;
  const uint64_t generation = store_->sizes_generation();
  const size_t buckets = store_->sizes_buckets();
  Counter* sizes = sizes_.load(std::memory_order_relaxed);
  if (sizes == nullptr) {
    sizes = new Counter[buckets];
    sizes_.store(sizes, std::memory_order_release);
  }
  if (sizes_generation_.load(std::memory_order_relaxed) != generation) {
    // Enabled again since we last counted: start from zero like memcached.
    for (size_t i = 0; i < buckets; ++i) sizes[i].Set(0);
    sizes_generation_.store(generation, std::memory_order_release);
  }
  const size_t total = item.head_bytes() + item.tail_len();
  const size_t bucket = (total + 31) / 32;
  if (bucket < buckets) sizes[bucket].Add(delta);
}

void StoreThreadImpl::AddSizesTo(std::vector<int64_t>* sums, uint64_t generation) const {
  if (sizes_generation_.load(std::memory_order_acquire) != generation) return;
  const Counter* sizes = sizes_.load(std::memory_order_acquire);
  if (sizes == nullptr) return;
  for (size_t i = 0; i < sums->size(); ++i) (*sums)[i] += sizes[i].Get();
}

}  // namespace ringcache::storage
