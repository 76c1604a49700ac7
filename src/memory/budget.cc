#include "ringcache/memory/budget.h"

#include <algorithm>

namespace ringcache::memory {

bool MemoryBudget::TryTake(size_t n) { return TakeBetween(n, n) == n; }

size_t MemoryBudget::TakeBetween(size_t min, size_t max) {
  int64_t avail = available_.load(std::memory_order_relaxed);
  while (true) {
    if (avail < static_cast<int64_t>(min)) return 0;
    const int64_t take = std::min(avail, static_cast<int64_t>(max));
    if (available_.compare_exchange_weak(avail, avail - take, std::memory_order_relaxed)) {
      return static_cast<size_t>(take);
    }
  }
}

void MemoryBudget::SetLimit(size_t limit) {
  const size_t old = limit_.exchange(limit, std::memory_order_relaxed);
  available_.fetch_add(static_cast<int64_t>(limit) - static_cast<int64_t>(old),
                       std::memory_order_relaxed);
}

bool BudgetPool::Refill(size_t n) {
  // What the pool holds counts towards n; fetch only the shortfall plus a
  // chunk of headroom, but accept the bare shortfall when that is all there is.
  const int64_t have = std::max<int64_t>(held_.exchange(0, std::memory_order_relaxed), 0);
  const size_t need = n > static_cast<size_t>(have) ? n - static_cast<size_t>(have) : 0;
  const size_t got = need == 0 ? 0 : global_->TakeBetween(need, need + chunk_);
  if (got == 0 && need > 0) {
    held_.fetch_add(have, std::memory_order_relaxed);
    return false;
  }
  held_.fetch_add(have + static_cast<int64_t>(got) - static_cast<int64_t>(n),
                  std::memory_order_relaxed);
  return true;
}

void BudgetPool::Trim() {
  const int64_t keep = static_cast<int64_t>(chunk_);
  int64_t cur = held_.load(std::memory_order_relaxed);
  while (cur > keep) {
    if (held_.compare_exchange_weak(cur, keep, std::memory_order_relaxed)) {
      global_->Give(static_cast<size_t>(cur - keep));
      return;
    }
  }
}

size_t BudgetPool::Repay(size_t n) {
  const int64_t debt = -global_->available();
  if (debt <= 0) return n;
  const size_t repay = std::min(n, static_cast<size_t>(debt));
  global_->Give(repay);
  return n - repay;
}

void BudgetPool::RepayFromHeld() {
  const int64_t debt = -global_->available();
  if (debt <= 0) return;
  int64_t cur = held_.load(std::memory_order_relaxed);
  while (cur > 0) {
    const int64_t pay = std::min(cur, debt);
    if (held_.compare_exchange_weak(cur, cur - pay, std::memory_order_relaxed)) {
      global_->Give(static_cast<size_t>(pay));
      return;
    }
  }
}

void BudgetPool::Drain() {
  const int64_t cur = held_.exchange(0, std::memory_order_relaxed);
  if (cur > 0) global_->Give(static_cast<size_t>(cur));
}

size_t BudgetPool::StealFrom(BudgetPool* victim) {
  if (victim == this) return 0;
  const int64_t got = victim->held_.exchange(0, std::memory_order_relaxed);
  if (got <= 0) {
    // A negative pool is a charge in flight on the victim's side; give it back.
    if (got < 0) victim->held_.fetch_add(got, std::memory_order_relaxed);
    return 0;
  }
  held_.fetch_add(got, std::memory_order_relaxed);
  return static_cast<size_t>(got);
}

}  // namespace ringcache::memory
