// One segment of a stripe's segmented LRU, as a FIFO of 4-byte item
// references whose positions the items keep (a back-pointer).
//
// memcached's segmented LRU only ever moves items from segment tails: the
// HOT tail goes to WARM or COLD, the WARM tail is bumped within WARM or goes
// to COLD, the COLD tail is evicted or rescued to WARM. Reads never move an
// item (they set its active bit). So a segment does not need a doubly linked
// list through its items (16 bytes each, and a write to two neighbours per
// move); a FIFO of item references in 4 KB blocks serves it.
//
// What a FIFO cannot do by itself is remove an item from its middle. So every
// entry has a position (its block's id << kIndexBits | its index), which the
// stripe keeps in the item's `next` field, and removing an item (delete,
// overwrite, expiry, a read bump out of COLD) writes a tombstone (reference 0)
// there. A tail pops tombstones without looking anything up; every other
// entry is live.
//
// Memory: a block left without live entries is freed, and a block that falls
// to a quarter of its capacity is merged with the neighbours whose live
// entries fit with its own in one block, keeping FIFO order; every entry that
// moves is reported to a relocator so its item's back-pointer follows. Under
// uniform churn a block then holds between a quarter and all of its capacity
// (a queue stays under ~2 x its live entries), and an entry moves about
// 1 / ln 4 ~ 0.7 times in its life. The newest block, which pushes fill, is
// left alone until a newer one starts.
//
// The queue knows nothing of items: a Relocator (Hint(ref): start loading
// the item; Move(ref, pos): the item's entry is now at pos) does that part.
//
// Threading: none; the owning stripe's lock guards every call.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ringcache::storage {

class LruQueue {
 public:
  static constexpr size_t kBlockBytes = 4096;
  static constexpr int kIndexBits = 10;

  LruQueue() = default;
  ~LruQueue();
  LruQueue(const LruQueue&) = delete;
  LruQueue& operator=(const LruQueue&) = delete;

  // Entries, tombstones included.
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Bytes of blocks held (charged to the memory budget by the caller).
  size_t bytes() const { return blocks_ * kBlockBytes; }

  // Appends `ref` (non-zero) at the head and stores its position in *pos.
  // Starting a new block may free or merge the one before; returns the bytes
  // allocated minus those freed.
  template <typename Relocator>
  int64_t PushNewest(uint32_t ref, uint32_t* pos, Relocator& relocator) {
    Block* b = newest_;
    if (b == nullptr || b->end == Block::kCap) return PushNewestInNewBlock(ref, pos, relocator);
    *pos = Position(b, b->end);
    b->e[b->end++] = ref;
    ++b->live;
    ++size_;
    return 0;
  }
  // Whether the next push starts a block (and so may merge the one before).
  bool NeedsBlock() const { return newest_ == nullptr || newest_->end == Block::kCap; }
  // The oldest entry (0: a tombstone), or null when empty; valid until the
  // next change.
  const uint32_t* PeekOldest() const {
    return oldest_ != nullptr ? &oldest_->e[oldest_->begin] : nullptr;
  }
  // The entry `k` places from the tail (0: the oldest), or null past the
  // head. Walks blocks, so cheap for k below a block's capacity.
  const uint32_t* PeekFromOldest(size_t k) const {
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
    if (b->e[b->begin] != 0) --b->live;
    ++b->begin;
    --size_;
    return b->begin == b->end ? FreeBlock(b) : 0;
  }
  // The entry at `pos` (tests and consistency checks).
  uint32_t At(uint32_t pos) const { return by_id_[pos >> kIndexBits]->e[pos & kIndexMask]; }
  // Starts loading the line of the entry at `pos`, for writing (a pure hint).
  void PrefetchPosition(uint32_t pos) const {
    __builtin_prefetch(&by_id_[pos >> kIndexBits]->e[pos & kIndexMask], 1);
  }
  // Writes tombstones at the `n` positions (live entries, all distinct), then
  // frees the blocks left without live entries and merges the sparse ones.
  // Returns the bytes freed.
  template <typename Relocator>
  size_t Tombstone(const uint32_t* positions, int n, Relocator& relocator);

  // Visits entries from the tail (oldest) towards the head until
  // `visit(uint32_t ref, uint32_t pos)` returns true or `max` entries were
  // seen; read-only. Tombstones are visited too (ref 0).
  template <typename Visit>
  void ScanFromOldest(size_t max, Visit&& visit) const;
  // Starts loading the lines that hold the entries `from` .. `from + count`
  // places from the tail (a pure hint; reads no entry).
  void PrefetchFromOldest(size_t from, size_t count) const;

 private:
  static constexpr uint32_t kIndexMask = (1u << kIndexBits) - 1;
  // Entries live in [begin, end); blocks are linked oldest -> newest and
  // never empty while linked.
  struct Block {
    // Two links, four counters, the rest entries.
    static constexpr uint32_t kCap =
        (kBlockBytes - 2 * sizeof(void*) - 4 * sizeof(uint32_t)) / sizeof(uint32_t);
    Block* older = nullptr;
    Block* newer = nullptr;
    uint32_t begin = 0;
    uint32_t end = 0;
    uint32_t id = 0;
    uint32_t live = 0;  // non-zero entries in [begin, end)
    uint32_t e[kCap];

    uint32_t count() const { return end - begin; }
  };
  static_assert(Block::kCap <= (1u << kIndexBits));
  // A block this sparse is merged with its neighbours when it loses an entry.
  static constexpr uint32_t kSparse = Block::kCap / 4;

  static uint32_t Position(const Block* b, uint32_t index) { return b->id << kIndexBits | index; }
  Block* NewBlock();
  template <typename Relocator>
  int64_t PushNewestInNewBlock(uint32_t ref, uint32_t* pos, Relocator& relocator);
  size_t FreeBlock(Block* b);
  // Frees `b` if it holds no live entry, else merges it with the neighbours
  // that fit when it is sparse; never touches the newest block.
  template <typename Relocator>
  size_t Tidy(Block* b, Relocator& relocator);
  template <typename Relocator>
  size_t Merge(Block* b, Relocator& relocator);

  Block* oldest_ = nullptr;
  Block* newest_ = nullptr;
  size_t size_ = 0;
  size_t blocks_ = 0;
  std::vector<Block*> by_id_;  // null: a free id
  std::vector<uint32_t> free_ids_;
};

template <typename Visit>
void LruQueue::ScanFromOldest(size_t max, Visit&& visit) const {
  for (const Block* b = oldest_; b != nullptr && max > 0; b = b->newer) {
    for (uint32_t i = b->begin; i < b->end && max > 0; ++i, --max) {
      if (visit(b->e[i], Position(b, i))) return;
    }
  }
}

template <typename Relocator>
int64_t LruQueue::PushNewestInNewBlock(uint32_t ref, uint32_t* pos, Relocator& relocator) {
  Block* before = newest_;
  Block* b = NewBlock();
  b->older = newest_;
  (newest_ != nullptr ? newest_->newer : oldest_) = b;
  newest_ = b;
  *pos = Position(b, 0);
  b->e[b->end++] = ref;
  b->live = 1;
  ++size_;
  // The block pushes filled until now may have lost entries meanwhile.
  const size_t freed = before != nullptr ? Tidy(before, relocator) : 0;
  return static_cast<int64_t>(kBlockBytes) - static_cast<int64_t>(freed);
}

template <typename Relocator>
size_t LruQueue::Tombstone(const uint32_t* positions, int n, Relocator& relocator) {
  // All tombstones first: a merge must not move an entry about to die.
  uint32_t ids[64];
  int touched = 0;
  for (int k = 0; k < n; ++k) {
    const uint32_t id = positions[k] >> kIndexBits;
    Block* b = by_id_[id];
    b->e[positions[k] & kIndexMask] = 0;
    --b->live;
    if (touched < static_cast<int>(std::size(ids)) &&
        std::find(ids, ids + touched, id) == ids + touched) {
      ids[touched++] = id;
    }
  }
  size_t freed = 0;
  for (int k = 0; k < touched; ++k) {
    // A block merged into another by an earlier step is gone.
    if (Block* b = by_id_[ids[k]]; b != nullptr) freed += Tidy(b, relocator);
  }
  return freed;
}

template <typename Relocator>
size_t LruQueue::Tidy(Block* b, Relocator& relocator) {
  if (b == newest_ || b->live > kSparse) return 0;
  if (b->live == 0) return FreeBlock(b);
  return Merge(b, relocator);
}

template <typename Relocator>
size_t LruQueue::Merge(Block* b, Relocator& relocator) {
  // The run of neighbours whose live entries fit in one block with b's.
  uint32_t total = b->live;
  Block* first = b;
  Block* last = b;
  while (last->newer != nullptr && last->newer != newest_ &&
         total + last->newer->live <= Block::kCap) {
    last = last->newer;
    total += last->live;
  }
  while (first->older != nullptr && total + first->older->live <= Block::kCap) {
    first = first->older;
    total += first->live;
  }
  if (first == last) return 0;  // the neighbours are too full: wait
  // Compact the run into `first`, in order. Within `first` an entry only
  // moves down (the write index never passes the read index). The moved
  // entries' items are hinted a few moves ahead of their back-pointer writes.
  struct Move {
    uint32_t ref;
    uint32_t pos;
  };
  Move moves[Block::kCap];
  uint32_t n = 0;
  uint32_t w = 0;
  for (Block* r = first;; r = r->newer) {
    for (uint32_t i = r->begin; i < r->end; ++i) {
      const uint32_t ref = r->e[i];
      if (ref == 0) continue;
      if (r != first || i != w) {
        first->e[w] = ref;
        moves[n++] = {ref, Position(first, w)};
      }
      ++w;
    }
    if (r == last) break;
  }
  constexpr uint32_t kAhead = 8;
  for (uint32_t k = 0; k < std::min(n, kAhead); ++k) relocator.Hint(moves[k].ref);
  for (uint32_t k = 0; k < n; ++k) {
    if (k + kAhead < n) relocator.Hint(moves[k + kAhead].ref);
    relocator.Move(moves[k].ref, moves[k].pos);
  }
  size_t freed = 0;
  while (first->newer != nullptr && first != last) {
    Block* gone = first->newer;
    const bool end = gone == last;
    freed += FreeBlock(gone);  // subtracts its entries from size_
    if (end) break;
  }
  size_ -= first->count();
  first->begin = 0;
  first->end = w;
  first->live = w;
  size_ += w;
  return freed;
}

}  // namespace ringcache::storage
