// One segment of a stripe's segmented LRU, as a FIFO of 8-byte entries.
//
// memcached's segmented LRU only ever moves items from segment tails: the
// HOT tail goes to WARM or COLD, the WARM tail is bumped within WARM or goes
// to COLD, the COLD tail is evicted or rescued to WARM. Reads never move an
// item (they set its active bit). So a segment does not need a doubly linked
// list through its items (16 bytes each, and a write to two neighbours per
// move); a FIFO of (reference, hash) entries in 4 KB blocks serves it.
//
// What a FIFO cannot do is remove an item from its middle. An item unlinked
// by delete, overwrite or expiry leaves its entry behind; the entry is stale.
// Stale entries are recognised when they reach the tail (the stripe checks
// that the reference is still linked under that hash, in this segment) and
// dropped, and a sweep compacts a queue whose stale entries outnumber its live
// ones, so a queue never holds much more than twice its live items.
//
// The queue itself knows nothing of items: validation is the caller's.
//
// Threading: none; the owning stripe's lock guards every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/functional/function_ref.h"

namespace ringcache::storage {

struct LruEntry {
  uint32_t ref = 0;   // item reference (ItemHeap::ToRef)
  uint32_t hash = 0;  // low 32 bits of the key's hash: finds the item's bucket
};

class LruQueue {
 public:
  static constexpr size_t kBlockBytes = 4096;

  LruQueue() = default;
  ~LruQueue();
  LruQueue(const LruQueue&) = delete;
  LruQueue& operator=(const LruQueue&) = delete;

  // Entries, stale ones included.
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Bytes of blocks held (charged to the memory budget by the caller).
  size_t bytes() const { return blocks_ * kBlockBytes; }

  // Appends at the head (newest). Returns the bytes of a block it had to
  // allocate (0 if none), so the caller can charge them.
  size_t PushNewest(LruEntry e);
  // Puts an entry back at the tail (it stays the oldest).
  size_t PushOldest(LruEntry e);
  std::optional<LruEntry> PeekOldest() const;
  // Removes the oldest entry; returns the bytes of a block it freed (0 if none).
  size_t PopOldest();

  // Visits entries from the tail (oldest) towards the head until `visit`
  // returns true or `max` entries were seen; read-only.
  void ScanFromOldest(size_t max, absl::FunctionRef<bool(const LruEntry&)> visit) const;

  // Compaction: visits up to `budget` entries from the sweep cursor towards
  // the head, keeping those `keep` approves, in order. The cursor wraps to the
  // tail after the head. `ahead` sees each entry `distance` entries before
  // `keep` does (0: never), so a caller can start its memory loads in time;
  // it sees exactly the entries `keep` will. Returns the bytes of blocks freed.
  using Ahead = absl::FunctionRef<void(const LruEntry&)>;
  size_t Sweep(
      size_t budget, absl::FunctionRef<bool(const LruEntry&)> keep, size_t distance = 0,
      Ahead ahead = [](const LruEntry&) {});
  // Visits up to `max` entries from where the next Sweep starts (without
  // wrapping), so a caller can start their loads a sweep step early.
  void ScanFromSweep(size_t max, absl::FunctionRef<void(const LruEntry&)> visit) const;

 private:
  struct Block;

  Block* NewBlock();
  size_t FreeBlock(Block* b);

  Block* oldest_ = nullptr;
  Block* newest_ = nullptr;
  size_t size_ = 0;
  size_t blocks_ = 0;
  // Sweep position: a block and an index into it, or null to start at the tail.
  Block* sweep_block_ = nullptr;
  uint32_t sweep_index_ = 0;
};

}  // namespace ringcache::storage
