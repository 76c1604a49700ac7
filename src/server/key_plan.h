// The staged look-ahead of a run of keys about to be served one after
// another: the keys of the requests a turn will serve (WorkerContext), or the
// keys of one multi-key get (Connection::Get).
//
// The hashes of the keys are appended first (batch(), then added()). Then,
// as key i is served, Serve(i) moves the loads of the keys after it one stage
// on: key i + 16 starts loading its bucket head, key i + 12 its first chain
// item (reading the head the stage before brought in), i + 8 its second,
// i + 4 its third. Every load thus has a few keys' work to land behind, the
// loads in flight stay few, and a stage reads only lines the stage before
// brought in. Keys beyond the capacity go without the plan.
//
// A hint only: serving keys in another order, or some not at all, merely
// shifts the distances. Chain cursors are valid until the thread next
// quiesces (storage::StoreThread::PrefetchChainNext): Reset() the plan by
// then.
//
// Threading: one thread, the one whose StoreThread is passed to Serve().
#pragma once

#include <algorithm>
#include <cstdint>

#include "ringcache/storage/store.h"

namespace ringcache::server {

template <int kCapacity>
class KeyPlan {
 public:
  // Room for `want` more hashes, or null when the plan is full.
  uint64_t* batch(int want) { return count_ + want <= kCapacity ? hashes_ + count_ : nullptr; }
  // Takes the `n` hashes written at batch(); returns the index of the first.
  int added(int n) {
    const int first = count_;
    count_ += n;
    return first;
  }
  int count() const { return count_; }
  void Reset() {
    count_ = 0;
    for (int& n : staged_) n = 0;
  }
  // Key `index` is about to be served.
  void Serve(const storage::StoreThread& store, int index) {
    // Each stage has its own loop, and the cursors are locals: the store's
    // calls may not be assumed to leave *this alone.
    const int count = count_;
    auto until = [&](int stage) { return std::min(count, index + (kStages - stage) * kDistance); };
    int i = staged_[0];
    for (const int end = until(0); i < end; ++i) store.PrefetchBucketOf(hashes_[i]);
    staged_[0] = i;
    i = staged_[1];
    for (const int end = until(1); i < end; ++i) cursors_[i] = store.PrefetchChainStart(hashes_[i]);
    staged_[1] = i;
    for (int stage = 2; stage < kStages; ++stage) {
      i = staged_[stage];
      for (const int end = until(stage); i < end; ++i) {
        const uint32_t cursor = cursors_[i];
        if (cursor != 0) cursors_[i] = store.PrefetchChainNext(hashes_[i], cursor);
      }
      staged_[stage] = i;
    }
  }

 private:
  static constexpr int kStages = 4;
  static constexpr int kDistance = 4;

  uint64_t hashes_[kCapacity];
  uint32_t cursors_[kCapacity];  // chain cursors of the item stages
  int count_ = 0;
  int staged_[kStages] = {};  // keys for which stage k has been started
};

}  // namespace ringcache::server
