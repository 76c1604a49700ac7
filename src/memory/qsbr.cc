#include "ringcache/memory/qsbr.h"

#include <algorithm>

#include "absl/status/status.h"

namespace ringcache::memory {

QsbrDomain::QsbrDomain() : slots_(new Slot[kMaxThreads]) {}

QsbrDomain::~QsbrDomain() = default;

absl::StatusOr<std::unique_ptr<QsbrThread>> QsbrDomain::Register() {
  std::lock_guard<std::mutex> lock(register_mu_);
  for (int i = 0; i < kMaxThreads; ++i) {
    Slot& s = slots_[i];
    if (s.used.load(std::memory_order_relaxed)) continue;
    // Announce before becoming visible to scanners, so the new thread never
    // appears online with a stale announcement.
    s.announced.store(epoch_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
    s.used.store(true, std::memory_order_seq_cst);
    if (i >= slot_limit_.load(std::memory_order_relaxed)) {
      slot_limit_.store(i + 1, std::memory_order_seq_cst);
    }
    return std::unique_ptr<QsbrThread>(new QsbrThread(this, &s));
  }
  return absl::ResourceExhaustedError("too many threads registered with the store");
}

uint64_t QsbrDomain::SafeEpoch() const {
  uint64_t safe = epoch_.load(std::memory_order_seq_cst);
  const int limit = slot_limit_.load(std::memory_order_seq_cst);
  for (int i = 0; i < limit; ++i) {
    const Slot& s = slots_[i];
    if (!s.used.load(std::memory_order_seq_cst)) continue;
    safe = std::min(safe, s.announced.load(std::memory_order_seq_cst));
  }
  return safe;
}

int QsbrDomain::registered() const {
  std::lock_guard<std::mutex> lock(register_mu_);
  int n = 0;
  for (int i = 0; i < slot_limit_.load(std::memory_order_relaxed); ++i) {
    n += slots_[i].used.load(std::memory_order_relaxed) ? 1 : 0;
  }
  return n;
}

QsbrThread::~QsbrThread() {
  std::lock_guard<std::mutex> lock(domain_->register_mu_);
  slot_->announced.store(QsbrDomain::kOffline, std::memory_order_seq_cst);
  slot_->used.store(false, std::memory_order_seq_cst);
}

}  // namespace ringcache::memory
