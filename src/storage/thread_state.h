// What one store thread owns: its QSBR slot and retire queue, its heap cache
// (recycled item blocks in front of a jemalloc tcache), its share of the
// memory budget, its statistics counters.
//
// Memory life cycle of an item, all through this class:
//   - Charge: bytes taken from the budget pool before allocating (evicting
//     from the key's stripe, then from other stripes, then stealing budget
//     from other threads, before giving up).
//   - Allocate: head (and tail) from this thread's node arena.
//   - Unlink (by whichever thread): the bytes are credited to that thread's
//     pool at once, and the item is retired.
//   - Reclaim: at Quiesce, retired items whose grace period is over are
//     freed into this thread's heap cache, where the next allocations of
//     their classes find them; a pinned item is left to its last unpin.
//
// Threading: owned and used by one thread; the store reads its counters,
// budget pool and size histogram concurrently (all atomics).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "item_plan.h"
#include "retire_queue.h"
#include "ringcache/memory/budget.h"
#include "ringcache/memory/heap_cache.h"
#include "ringcache/memory/item_heap.h"
#include "ringcache/memory/qsbr.h"
#include "ringcache/storage/store.h"
#include "store_impl.h"
#include "thread_counters.h"

namespace ringcache::storage {

class Stripe;

// The fields of a new item, other than its value bytes.
struct ItemShape {
  std::string_view key;
  uint32_t client_flags = 0;
  base::RelTime exptime = 0;
  size_t value_size = 0;
  bool key_binary = false;
};

class StoreThreadImpl {
 public:
  StoreThreadImpl(StoreImpl* store, int node, std::unique_ptr<memory::QsbrThread> qsbr);
  ~StoreThreadImpl();

  StoreImpl* store() const { return store_; }
  int node() const { return node_; }
  memory::QsbrThread& qsbr() { return *qsbr_; }
  memory::BudgetPool& pool() { return pool_; }
  ThreadCounters& counters() { return counters_; }
  const ThreadCounters& counters() const { return counters_; }
  std::vector<const Item*>& walk_scratch() { return walk_scratch_; }

  // Layout bits for an item of this shape under the store's configuration.
  uint8_t LayoutFor(const ItemShape& shape) const;

  // Charges `n` bytes with no stripe lock held, evicting as needed from the
  // stripes whose COLD tails are oldest. False: nothing left to evict (out
  // of memory).
  bool Charge(size_t n, uint64_t hash, base::RelTime now, int class_index);
  // Charges `n` bytes while holding `locked`'s lock: may evict from that
  // stripe only; if even that fails the budget is overdrawn (by at most one
  // item or queue block) and later charges evict it back.
  void ChargeLocked(Stripe& locked, size_t n, base::RelTime now);
  // Credits unlinked bytes: kept while evicting for this thread's own
  // charge, otherwise paid towards any overdraft first.
  void Credit(size_t n) {
    if (evicting_for_charge_) {
      pool_.GiveKept(n);
    } else {
      pool_.Give(n);
    }
  }

  // Allocates and initialises an unlinked item (charged by the caller);
  // nullptr when the item region is exhausted.
  Item* AllocateItem(const ItemPlan& plan, const ItemShape& shape);
  // Charge + allocate under a stripe lock, for items built from others
  // (append, incr, relayout). nullptr only if the region is exhausted.
  Item* AllocateItemLocked(Stripe& locked, const ItemShape& shape, base::RelTime now);
  // Frees an item that was never published, crediting its charge.
  void DropItem(Item* item);
  // Returns an unreachable item's memory (after its grace period).
  void FreeItemMemory(Item* item);

  // Every overwrite retires an item: inline, a push onto the ring.
  // `head_bytes`: item->head_bytes() of an item in one allocation that
  // cannot be pinned (its free then needs nothing else), or 0.
  void Retire(Item* item, uint32_t head_bytes = 0) {
    retired_.push_back(RetireQueue::Entry::ForItem(store_->qsbr().RetireEpoch(), item, head_bytes));
  }
  void RetireDirectory(void* directory);
  // Announces a quiescent state and frees what has become safe.
  void Quiesce();

  // `stats sizes` bookkeeping for an item being linked (+1) or unlinked (-1).
  void CountSize(const Item& item, int delta) {
    if (RC_UNLIKELY(store_->sizes_enabled())) CountSizeEnabled(item, delta);
  }
  // Histogram as seen by this thread (empty when stale or never enabled).
  void AddSizesTo(std::vector<int64_t>* sums, uint64_t generation) const;

  // Budget pool of another thread, for stealing.
  memory::BudgetPool* pool_for_steal() { return &pool_; }

 private:
  void CountSizeEnabled(const Item& item, int delta);
  void Reclaim();
  void FreeRetired(const RetireQueue::Entry& r);
  void FreeRetiredInline(const RetireQueue::Entry& r);
  void FreeItemInline(Item* item);
  // The stripe to evict from next for a charge of `want` bytes for `hash`,
  // among those not in `done`; -1 if all are done.
  int PickVictim(uint64_t hash, size_t want, const std::vector<bool>& done) const;
  friend class StoreImpl;

  StoreImpl* const store_;
  const int node_;
  std::unique_ptr<memory::QsbrThread> qsbr_;
  memory::HeapCache heap_;
  memory::BudgetPool pool_;
  ThreadCounters counters_;
  RetireQueue retired_;
  int quiesces_since_scan_ = 0;
  bool evicting_for_charge_ = false;
  std::vector<const Item*> walk_scratch_;
  // Size histogram of `stats sizes`: allocated on first use after enabling.
  std::atomic<Counter*> sizes_{nullptr};
  std::atomic<uint64_t> sizes_generation_{0};
};

}  // namespace ringcache::storage
