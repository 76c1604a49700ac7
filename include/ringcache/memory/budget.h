// The cache's memory limit (-m) as a budget of bytes that allocations draw on.
//
// Every byte the cache holds for items, index and LRU queues is charged
// against one MemoryBudget before it is allocated and credited back when it is
// released, with sizes from nallocx, so "charged <= limit" holds exactly at
// all times. Allocation happens on every set, on every worker, before the key's
// stripe is locked, so the budget must not be one contended counter:
//   - MemoryBudget holds the bytes nobody has taken (`available`, one atomic).
//   - Each thread owns a BudgetPool: bytes it took from the global budget in
//     chunks and has not used yet. Charges and credits touch only the pool;
//     the global counter is touched once per chunk.
//   - A pool is an atomic so that a thread about to report "out of memory"
//     can first collect what other threads hold (Steal): no byte of the limit
//     is ever stranded in an idle thread's pool.
//
// Lowering the limit below what is charged makes `available` negative; every
// later charge then fails until enough is credited back, which is how the
// store's eviction brings the cache down to the new limit.
//
// Threading: MemoryBudget is thread-safe. A BudgetPool's Take/Give/Drain are
// for its owner thread; StealFrom may be called by any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "ringcache/base/compiler.h"

namespace ringcache::memory {

class MemoryBudget {
 public:
  explicit MemoryBudget(size_t limit) : limit_(limit), available_(static_cast<int64_t>(limit)) {}

  size_t limit() const { return limit_.load(std::memory_order_relaxed); }
  int64_t available() const { return available_.load(std::memory_order_relaxed); }
  // Bytes taken by pools or charged: limit - available.
  int64_t taken() const { return static_cast<int64_t>(limit()) - available(); }

  // Takes exactly `n` bytes if that many are available.
  bool TryTake(size_t n);
  // Takes up to `max` bytes, at least `min`; returns what was taken (0 on failure).
  size_t TakeBetween(size_t min, size_t max);
  void Give(size_t n) { available_.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed); }
  // Takes `n` bytes even if that overdraws the budget. For the few bytes a
  // holder of a lock cannot refuse (a queue block); later charges find the
  // budget short and evict until it is repaid.
  void Force(size_t n) { available_.fetch_sub(static_cast<int64_t>(n), std::memory_order_relaxed); }
  // Moves the limit; the difference is added to (or removed from) available.
  void SetLimit(size_t limit);

 private:
  std::atomic<size_t> limit_;
  std::atomic<int64_t> available_;
};

class BudgetPool {
 public:
  // `chunk`: bytes fetched from the global budget at a time; the pool keeps at
  // most 2 * chunk and returns the rest.
  BudgetPool(MemoryBudget* global, size_t chunk) : global_(global), chunk_(chunk) {}
  ~BudgetPool() { Drain(); }
  BudgetPool(const BudgetPool&) = delete;
  BudgetPool& operator=(const BudgetPool&) = delete;

  size_t held() const { return static_cast<size_t>(held_.load(std::memory_order_relaxed)); }
  size_t chunk() const { return chunk_; }

  // Charges `n` bytes: from the pool, refilled from the global budget. False
  // when neither holds enough (the caller evicts and retries, or fails).
  RC_ALWAYS_INLINE bool Take(size_t n) {
    if (RC_LIKELY(held_.load(std::memory_order_relaxed) >= static_cast<int64_t>(n))) {
      if (RC_LIKELY(held_.fetch_sub(static_cast<int64_t>(n), std::memory_order_relaxed) >=
                    static_cast<int64_t>(n))) {
        return true;
      }
      held_.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed);  // lost to a thief
    }
    return Refill(n);
  }
  // Credits `n` bytes back. While the global budget is overdrawn (a lowered
  // limit, a forced charge) credits repay it first, so overdrafts do not
  // outlive the next eviction.
  RC_ALWAYS_INLINE void Give(size_t n) {
    if (RC_UNLIKELY(global_->available() < 0)) n = Repay(n);
    const int64_t now = held_.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed) +
                        static_cast<int64_t>(n);
    if (RC_UNLIKELY(now > static_cast<int64_t>(2 * chunk_))) Trim();
  }
  // Credits `n` bytes evicted to make room for this thread's own charge:
  // they stay in the pool even while the global budget is overdrawn, so a
  // lowered limit slows a writer down instead of failing it.
  void GiveKept(size_t n) { held_.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed); }
  // Pays an overdrawn global budget from what the pool holds.
  void RepayFromHeld();
  // Returns everything held to the global budget.
  void Drain();
  // Moves whatever `victim` holds into this pool; returns the bytes moved.
  size_t StealFrom(BudgetPool* victim);

 private:
  bool Refill(size_t n);
  void Trim();
  // Gives up to `n` bytes to an overdrawn global budget; returns the rest.
  size_t Repay(size_t n);

  MemoryBudget* global_;
  size_t chunk_;
  alignas(base::kCacheLine) std::atomic<int64_t> held_{0};
};

}  // namespace ringcache::memory
