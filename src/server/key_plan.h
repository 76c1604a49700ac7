// The staged look-ahead of a run of keys about to be served one after
// another: the keys of the requests a turn will serve (WorkerContext), or the
// keys of one multi-key get (Connection::Get).
//
// The hashes of the keys are appended first (batch(), then added()). Then,
// as key i is served, Serve(i) moves the loads of the keys after it one stage
// on: key i + 12 starts loading its index buckets, key i + 6 the items they
// name (reading the buckets the stage before brought in). Every load thus has
// a few keys' work to land behind, the loads in flight stay few, and a stage
// reads only lines the stage before brought in. Keys beyond the capacity go
// without the plan.
//
// The stages run in the store (storage::StoreThread::AdvancePlan); this
// holds a plan's state. A hint only: serving keys in another order, or some
// not at all, merely shifts the distances. Bucket cursors are valid until the
// thread next quiesces: Reset() the plan by then.
//
// Threading: one thread, the one whose StoreThread is passed to Serve().
#pragma once

#include <cstdint>

#include "ringcache/protocol/text_fast_path.h"
#include "ringcache/storage/store.h"

namespace ringcache::server {

// A request whose key a turn's plan holds: where its line starts in the
// connection's input, and the line parsed ahead when it is canonical
// (line.consumed == 0: it is not, and is parsed when served).
struct PlannedLine {
  uint32_t begin = 0;
  protocol::internal::CanonicalLine line;
};

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
    store.AdvancePlan(hashes_, cursors_, count_, staged_, index);
  }

 private:
  uint64_t hashes_[kCapacity];
  // Each key's bucket addresses between the plan's stages (AdvancePlan).
  uint64_t cursors_[kCapacity * storage::StoreThread::kPlanCursors];
  int count_ = 0;
  int staged_[storage::StoreThread::kPlanStages] = {};  // keys for which stage k has been started
};

}  // namespace ringcache::server
