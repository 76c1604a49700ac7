// One segment of a stripe's segmented LRU, as a FIFO of 4-byte entries.
//
// memcached's segmented LRU only ever moves items from segment tails: the
// HOT tail goes to WARM or COLD, the WARM tail is bumped within WARM or goes
// to COLD, the COLD tail is evicted or rescued to WARM. Reads never move an
// item (they set its active bit). So a segment does not need a doubly linked
// list through its items (16 bytes each, and a write to two neighbours per
// move); a FIFO of item references in 4 KB blocks serves it.
//
// What a FIFO cannot do is remove an item from its middle. An item unlinked
// by delete, overwrite or expiry leaves its entry behind; the entry is stale.
// Stale entries are recognised when they reach the tail (the stripe records
// them when they go stale, stale_set.h) and
// dropped, and a sweep compacts a queue whose stale entries outnumber its live
// ones, so a queue never holds much more than twice its live items.
//
// The queue itself knows nothing of items: validation is the caller's.
//
// Threading: none; the owning stripe's lock guards every call.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ringcache::storage {

struct LruEntry {
  uint32_t ref = 0;  // item reference (ItemHeap::ToRef)
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
  size_t PushNewest(LruEntry e) {
    if (newest_ == nullptr || newest_->end == Block::kCap) return PushNewestInNewBlock(e);
    newest_->e[newest_->end++] = e;
    ++size_;
    return 0;
  }
  // Puts an entry back at the tail (it stays the oldest).
  size_t PushOldest(LruEntry e);
  // The oldest entry, or null when empty; valid until the next change.
  const LruEntry* PeekOldest() const {
    return oldest_ != nullptr ? &oldest_->e[oldest_->begin] : nullptr;
  }
  // The entry `k` places from the tail (0: the oldest), or null past the
  // head. Walks blocks, so cheap for k below a block's capacity.
  const LruEntry* PeekFromOldest(size_t k) const {
    for (const Block* b = oldest_; b != nullptr; b = b->newer) {
      if (k < b->count()) return &b->e[b->begin + k];
      k -= b->count();
    }
    return nullptr;
  }
  // Removes the oldest entry; returns the bytes of a block it freed (0 if none).
  size_t PopOldest() {
    Block* b = oldest_;
    if (b == nullptr) return 0;
    if (sweep_block_ == b && sweep_index_ == b->begin) ++sweep_index_;
    ++b->begin;
    --size_;
    return b->begin == b->end ? FreeBlock(b) : 0;
  }

  // Visits entries from the tail (oldest) towards the head until `visit`
  // (bool(const LruEntry&)) returns true or `max` entries were seen; read-only.
  template <typename Visit>
  void ScanFromOldest(size_t max, Visit&& visit) const;

  // Compaction: visits up to `budget` entries from the sweep cursor towards
  // the head, keeping those `keep` (bool(const LruEntry&)) approves, in order.
  // The cursor wraps to the tail after the head. Returns the bytes of blocks
  // freed. A template, so the per-entry callback inlines into the loop.
  // Callers start their memory loads a step early with ScanFromSweep.
  template <typename Keep>
  size_t Sweep(size_t budget, Keep&& keep);
  // Starts loading the lines that hold the entries `from` .. `from + count`
  // places from the tail (a pure hint; reads no entry).
  void PrefetchFromOldest(size_t from, size_t count) const;
  // Visits up to `max` entries from where the next Sweep starts (without
  // wrapping), so a caller can start their loads a sweep step early.
  template <typename Visit>
  void ScanFromSweep(size_t max, Visit&& visit) const;

 private:
  // Entries live in [begin, end); blocks are linked oldest -> newest and
  // never empty while linked.
  struct Block {
    // Two links, two indices, the rest entries.
    static constexpr uint32_t kCap =
        (kBlockBytes - 2 * sizeof(void*) - 2 * sizeof(uint32_t)) / sizeof(LruEntry);
    Block* older = nullptr;
    Block* newer = nullptr;
    uint32_t begin = 0;
    uint32_t end = 0;
    LruEntry e[kCap];

    uint32_t count() const { return end - begin; }
  };

  Block* NewBlock();
  size_t PushNewestInNewBlock(LruEntry e);
  size_t FreeBlock(Block* b);
  // Sweep's end of a block: frees it if empty, or folds it into its newer
  // neighbour when both fit in one block, so sparse blocks do not pile up;
  // moves the cursor to where the next sweep step resumes.
  size_t FinishSweptBlock(Block* b);

  Block* oldest_ = nullptr;
  Block* newest_ = nullptr;
  size_t size_ = 0;
  size_t blocks_ = 0;
  // Sweep position: a block and an index into it, or null to start at the tail.
  Block* sweep_block_ = nullptr;
  uint32_t sweep_index_ = 0;
};

template <typename Visit>
void LruQueue::ScanFromOldest(size_t max, Visit&& visit) const {
  for (const Block* b = oldest_; b != nullptr && max > 0; b = b->newer) {
    for (uint32_t i = b->begin; i < b->end && max > 0; ++i, --max) {
      if (visit(b->e[i])) return;
    }
  }
}

template <typename Visit>
void LruQueue::ScanFromSweep(size_t max, Visit&& visit) const {
  const Block* b = sweep_block_ != nullptr ? sweep_block_ : oldest_;
  uint32_t i = sweep_block_ != nullptr ? std::max(sweep_index_, b->begin) : 0;
  for (; b != nullptr && max > 0; b = b->newer, i = 0) {
    for (i = std::max(i, b->begin); i < b->end && max > 0; ++i, --max) visit(b->e[i]);
  }
}

template <typename Keep>
size_t LruQueue::Sweep(size_t budget, Keep&& keep) {
  size_t freed = 0;
  if (sweep_block_ == nullptr) {
    sweep_block_ = oldest_;
    sweep_index_ = oldest_ != nullptr ? oldest_->begin : 0;
  }
  while (budget > 0 && sweep_block_ != nullptr) {
    Block* b = sweep_block_;
    if (sweep_index_ < b->begin) sweep_index_ = b->begin;
    uint32_t w = sweep_index_;
    uint32_t r = sweep_index_;
    const uint32_t run_end = static_cast<uint32_t>(std::min<size_t>(b->end, r + budget));
    for (; r < run_end; ++r) {
      if (keep(b->e[r])) b->e[w++] = b->e[r];
    }
    budget -= run_end - sweep_index_;
    if (w != r) {
      std::memmove(&b->e[w], &b->e[r], (b->end - r) * sizeof(LruEntry));
      const uint32_t dropped = r - w;
      b->end -= dropped;
      size_ -= dropped;
    }
    sweep_index_ = w;
    if (sweep_index_ < b->end) break;  // budget spent inside this block
    freed += FinishSweptBlock(b);
  }
  return freed;
}

}  // namespace ringcache::storage
