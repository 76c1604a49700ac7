// Quiescent-state-based reclamation (QSBR): when an unlinked object may be freed.
//
// Readers of the store take no lock and write nothing shared, so a writer that
// unlinks an item cannot know whether some reader still looks at it. Instead
// every thread announces, at points where it holds no references to shared
// objects (the end of an event-loop turn), the global epoch it has seen. An
// object unlinked and then tagged with the epoch E may be freed once every
// online thread has announced an epoch above E.
//
// Protocol (all epoch/announcement accesses are sequentially consistent):
//   - Retire: unlink the object, then tag it with RetireEpoch(). The tagging
//     load comes after the unlink, so any reader that could have reached the
//     object announced its current epoch before that load.
//   - Quiesce: announce the current epoch. References obtained before this
//     point are dropped.
//   - Advance: bump the epoch. A thread with objects tagged E calls it so that
//     later announcements exceed E.
//   - SafeEpoch = min(epoch read before the scan, announcements of online
//     threads); objects tagged below it are free. Reading the epoch first is
//     what makes a thread coming online during the scan harmless: it
//     announces at least that epoch, and whatever it then reads was retired
//     with a tag no lower.
//   - Offline threads (blocked in the kernel, idle) announce nothing and hold
//     nothing; going online announces the current epoch first.
//
// Threading: QsbrDomain is thread-safe. A QsbrThread belongs to the thread
// that created it. Registration takes a mutex (rare); the scan in SafeEpoch
// takes none.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "absl/status/statusor.h"

#include "ringcache/base/compiler.h"

namespace ringcache::memory {

class QsbrThread;

class QsbrDomain {
 public:
  static constexpr int kMaxThreads = 1024;
  static constexpr uint64_t kOffline = UINT64_MAX;

  QsbrDomain();
  ~QsbrDomain();
  QsbrDomain(const QsbrDomain&) = delete;
  QsbrDomain& operator=(const QsbrDomain&) = delete;

  // Registers the calling thread, online. Fails when kMaxThreads are registered.
  absl::StatusOr<std::unique_ptr<QsbrThread>> Register();

  // Tag for an object unlinked just before this call.
  uint64_t RetireEpoch() const { return epoch_.load(std::memory_order_seq_cst); }
  void Advance() { epoch_.fetch_add(1, std::memory_order_seq_cst); }
  // Objects tagged strictly below this value are unreachable by every thread.
  uint64_t SafeEpoch() const;
  // Threads currently registered (tests, stats).
  int registered() const;

 private:
  friend class QsbrThread;
  struct alignas(base::kCacheLine) Slot {
    std::atomic<uint64_t> announced{kOffline};
    std::atomic<bool> used{false};
  };

  std::atomic<uint64_t> epoch_{1};
  std::unique_ptr<Slot[]> slots_;
  std::atomic<int> slot_limit_{0};  // slots [0, slot_limit_) may be in use
  mutable std::mutex register_mu_;
};

class QsbrThread {
 public:
  ~QsbrThread();  // goes offline and frees the slot
  QsbrThread(const QsbrThread&) = delete;
  QsbrThread& operator=(const QsbrThread&) = delete;

  QsbrDomain* domain() const { return domain_; }
  bool online() const { return online_; }

  // Every reference obtained before this call is dropped.
  void Quiesce() {
    slot_->announced.store(domain_->epoch_.load(std::memory_order_seq_cst),
                           std::memory_order_seq_cst);
  }
  // About to block: hold no references until Online().
  void Offline() {
    online_ = false;
    slot_->announced.store(QsbrDomain::kOffline, std::memory_order_seq_cst);
  }
  void Online() {
    online_ = true;
    Quiesce();
  }

 private:
  friend class QsbrDomain;
  QsbrThread(QsbrDomain* domain, QsbrDomain::Slot* slot) : domain_(domain), slot_(slot) {}

  QsbrDomain* domain_;
  QsbrDomain::Slot* slot_;
  bool online_ = true;
};

}  // namespace ringcache::memory
