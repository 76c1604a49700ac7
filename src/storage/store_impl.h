// State of one Store shared by all its threads: configuration, the item heap,
// the stripes, the memory budget, reclamation, CAS and flush state, LRU
// tuning, and the registry of threads (for statistics and budget stealing).
//
// Stripe count: 2^k stripes, several per worker so two workers rarely want the
// same lock, but few enough that the per-stripe baseline (a 4 KB index
// segment, queue blocks) stays a small part of -m.
//
// Threading: immutable after Create except for the atomics and what the
// mutexes guard.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"

#include "retire_queue.h"
#include "ringcache/base/compiler.h"
#include "ringcache/base/hash.h"
#include "ringcache/memory/budget.h"
#include "ringcache/memory/item_heap.h"
#include "ringcache/memory/numa.h"
#include "ringcache/memory/qsbr.h"
#include "ringcache/memory/size_classes.h"
#include "ringcache/storage/store.h"
#include "thread_counters.h"

namespace ringcache::storage {

class Stripe;
class StoreThreadImpl;
class Maintainer;

// LRU tuning that `lru tune|mode|temp_ttl` changes while workers run.
class LruSettings {
 public:
  void Set(const LruTuning& t);
  LruTuning Get() const;
  int hot_pct() const { return hot_pct_.load(std::memory_order_relaxed); }
  int warm_pct() const { return warm_pct_.load(std::memory_order_relaxed); }
  double hot_factor() const { return hot_factor_.load(std::memory_order_relaxed); }
  double warm_factor() const { return warm_factor_.load(std::memory_order_relaxed); }
  bool segmented() const { return segmented_.load(std::memory_order_relaxed); }
  bool temp_lru() const { return temp_lru_.load(std::memory_order_relaxed); }
  base::RelTime temp_ttl() const { return temp_ttl_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int> hot_pct_{20}, warm_pct_{40};
  std::atomic<double> hot_factor_{0.2}, warm_factor_{2.0};
  std::atomic<bool> segmented_{true}, temp_lru_{false};
  std::atomic<uint32_t> temp_ttl_{61};
};

class StoreImpl {
 public:
  static absl::StatusOr<std::unique_ptr<StoreImpl>> Create(const StoreConfig& config);
  ~StoreImpl();

  EvictionListener* eviction_listener() const {
    return eviction_listener_.load(std::memory_order_acquire);
  }
  void set_eviction_listener(EvictionListener* l) {
    eviction_listener_.store(l, std::memory_order_release);
  }

  // Top bits of the hash pick the stripe; the low 32 bits pick the bucket.
  int StripeIndexFor(uint64_t hash) const {
    return stripe_bits_ == 0 ? 0 : static_cast<int>(hash >> (64 - stripe_bits_));
  }
  Stripe& StripeFor(uint64_t hash) const { return *stripes_[StripeIndexFor(hash)]; }
  int stripe_count() const { return static_cast<int>(stripes_.size()); }
  Stripe& stripe(int i) const { return *stripes_[i]; }

  uint64_t Hash(std::string_view key) const { return hash_(key); }
  const base::KeyedHash& hasher() const { return hash_; }
  uint64_t NextCas() {
    return config_.cas_enabled ? cas_counter_.fetch_add(1, std::memory_order_relaxed) + 1 : 0;
  }

  // memcached's item_is_flushed.
  bool IsFlushed(const Item& item, base::RelTime now) const {
    const base::RelTime oldest = oldest_live_.load(std::memory_order_relaxed);
    if (oldest == 0 || oldest > now) return false;
    if (item.time() <= oldest) return true;
    const uint64_t oldest_cas = oldest_cas_.load(std::memory_order_relaxed);
    const uint64_t cas = item.cas();
    return oldest_cas != 0 && cas != 0 && cas < oldest_cas;
  }
  void Flush(base::RelTime when, base::RelTime now);
  base::RelTime oldest_live() const { return oldest_live_.load(std::memory_order_relaxed); }

  // Where a new item starts: TEMP for short TTLs (when enabled), HOT, or
  // COLD in flat mode (memcached's do_item_alloc).
  Segment SegmentForNew(base::RelTime exptime, base::RelTime now) const {
    if (lru_.temp_lru() && static_cast<base::RelTime>(exptime - now) <= lru_.temp_ttl()) {
      return Segment::kTemp;
    }
    return lru_.segmented() ? Segment::kHot : Segment::kCold;
  }

  // Size classes: table index of an item's head; memcached-style ids from 1.
  int ClassIndexOf(const Item& item) const { return classes_.IndexOf(item.head_bytes()); }
  // What the accounting of one item needs, decoded from its header once.
  struct ItemCost {
    int cls;           // ClassIndexOf
    size_t charge;     // ItemCharge
    size_t requested;  // bytes asked for: head and tail as used
  };
  RC_ALWAYS_INLINE ItemCost CostOf(const Item& item) const {
    const size_t head = item.head_bytes();
    const int cls = classes_.IndexOf(head);
    ItemCost c{cls, classes_.size(cls), head};
    if (const size_t tail = item.tail_len(); RC_UNLIKELY(tail != 0)) {
      c.charge += classes_.size(classes_.IndexOf(tail));
      c.requested += tail;
    }
    return c;
  }
  // Bytes the item is charged: the classes of its head and tail.
  size_t ItemCharge(const Item& item) const { return CostOf(item).charge; }
  int ClassIdOfIndex(int index) const { return index - first_class_ + 1; }
  int IndexOfClassId(int id) const { return id + first_class_ - 1; }

  const StoreConfig& config() const { return config_; }
  const memory::SizeClassTable& classes() const { return classes_; }
  memory::ItemHeap* heap() const { return heap_.get(); }
  memory::QsbrDomain& qsbr() { return qsbr_; }
  memory::MemoryBudget& budget() { return budget_; }
  size_t pool_chunk() const { return pool_chunk_; }
  const memory::NumaTopology& topology() const { return topology_; }
  LruSettings& lru() { return lru_; }
  const LruSettings& lru() const { return lru_; }

  // Thread registry.
  void AddThread(StoreThreadImpl* t);
  // Folds a departing thread's counters and pending frees into the store.
  void RemoveThread(StoreThreadImpl* t);
  // Moves budget held by other threads into `t`'s pool; returns bytes moved.
  size_t StealBudget(StoreThreadImpl* t);
  // Frees what departed threads left for reclamation, when safe.
  void ReclaimOrphans(StoreThreadImpl* t);
  bool has_orphans() const { return has_orphans_.load(std::memory_order_relaxed); }

  // `stats sizes`.
  SizesHistogram::Status EnableSizes(bool enable);
  bool sizes_enabled() const { return sizes_enabled_.load(std::memory_order_relaxed); }
  uint64_t sizes_cas_min() const { return sizes_cas_min_.load(std::memory_order_relaxed); }
  uint64_t sizes_generation() const { return sizes_generation_.load(std::memory_order_relaxed); }
  size_t sizes_buckets() const { return config_.item_size_max / 32 + 2; }

  void CollectStats(StoreStats* out) const;
  void CollectClassStats(std::vector<ClassStats>* out, base::RelTime now) const;
  void CollectSizes(SizesHistogram* out) const;

  // lru_crawler enable|disable, sleep, tocrawl (read by the background thread).
  void set_crawler_enabled(bool on) { crawler_enabled_.store(on, std::memory_order_relaxed); }
  bool crawler_enabled() const { return crawler_enabled_.load(std::memory_order_relaxed); }
  void set_crawler_sleep_us(uint32_t us) { crawler_sleep_us_.store(us, std::memory_order_relaxed); }
  uint32_t crawler_sleep_us() const { return crawler_sleep_us_.load(std::memory_order_relaxed); }
  void set_crawler_tocrawl(uint32_t n) { crawler_tocrawl_.store(n, std::memory_order_relaxed); }
  uint32_t crawler_tocrawl() const { return crawler_tocrawl_.load(std::memory_order_relaxed); }

  Maintainer* maintainer() const { return maintainer_.get(); }
  void set_maintainer(std::unique_ptr<Maintainer> m);

 private:
  StoreImpl(const StoreConfig& config, memory::NumaTopology topology,
            std::unique_ptr<memory::ItemHeap> heap, memory::SizeClassTable classes,
            base::KeyedHash hash);
  // Sums counters of live and departed threads (registry lock held).
  void SumCounters(std::vector<ClassStats>* classes, StoreStats* out) const;

  const StoreConfig config_;
  memory::NumaTopology topology_;
  std::unique_ptr<memory::ItemHeap> heap_;
  const memory::SizeClassTable classes_;
  int first_class_ = 0;
  const base::KeyedHash hash_;
  memory::QsbrDomain qsbr_;
  memory::MemoryBudget budget_;
  size_t pool_chunk_ = 0;
  std::vector<std::unique_ptr<Stripe>> stripes_;
  int stripe_bits_ = 0;
  LruSettings lru_;

  std::atomic<uint64_t> cas_counter_{0};
  std::atomic<EvictionListener*> eviction_listener_{nullptr};
  std::atomic<uint32_t> oldest_live_{0};
  std::atomic<uint64_t> oldest_cas_{0};

  std::atomic<bool> sizes_enabled_{false};
  std::atomic<uint64_t> sizes_cas_min_{0};
  std::atomic<uint64_t> sizes_generation_{0};

  mutable std::mutex threads_mu_;
  std::vector<StoreThreadImpl*> threads_;     // guarded by threads_mu_
  std::unique_ptr<ThreadCounters> departed_;  // guarded by threads_mu_
  std::vector<int64_t> departed_sizes_;       // guarded by threads_mu_
  std::vector<RetireQueue::Entry> orphans_;   // guarded by threads_mu_
  std::atomic<bool> has_orphans_{false};

  std::atomic<bool> crawler_enabled_{true};
  std::atomic<uint32_t> crawler_sleep_us_{100};
  std::atomic<uint32_t> crawler_tocrawl_{0};
  std::unique_ptr<Maintainer> maintainer_;
};

}  // namespace ringcache::storage
