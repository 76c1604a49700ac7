#include "lru_queue.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace ringcache::storage {

// Entries live in [begin, end); blocks are linked oldest -> newest and never
// empty while linked.
struct LruQueue::Block {
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

LruQueue::~LruQueue() {
  while (oldest_ != nullptr) FreeBlock(oldest_);
}

LruQueue::Block* LruQueue::NewBlock() {
  static_assert(sizeof(Block) <= kBlockBytes);
  ++blocks_;
  return new (::operator new(kBlockBytes)) Block();
}

size_t LruQueue::FreeBlock(Block* b) {
  if (sweep_block_ == b) {
    sweep_block_ = b->newer;
    sweep_index_ = sweep_block_ != nullptr ? sweep_block_->begin : 0;
  }
  (b->older != nullptr ? b->older->newer : oldest_) = b->newer;
  (b->newer != nullptr ? b->newer->older : newest_) = b->older;
  size_ -= b->count();
  b->~Block();
  ::operator delete(b);
  --blocks_;
  return kBlockBytes;
}

size_t LruQueue::PushNewest(LruEntry e) {
  size_t allocated = 0;
  if (newest_ == nullptr || newest_->end == Block::kCap) {
    Block* b = NewBlock();
    allocated = kBlockBytes;
    b->older = newest_;
    (newest_ != nullptr ? newest_->newer : oldest_) = b;
    newest_ = b;
  }
  newest_->e[newest_->end++] = e;
  ++size_;
  return allocated;
}

size_t LruQueue::PushOldest(LruEntry e) {
  size_t allocated = 0;
  if (oldest_ == nullptr || oldest_->begin == 0) {
    Block* b = NewBlock();
    allocated = kBlockBytes;
    b->begin = b->end = Block::kCap;
    b->newer = oldest_;
    (oldest_ != nullptr ? oldest_->older : newest_) = b;
    oldest_ = b;
  }
  oldest_->e[--oldest_->begin] = e;
  ++size_;
  return allocated;
}

std::optional<LruEntry> LruQueue::PeekOldest() const {
  if (oldest_ == nullptr) return std::nullopt;
  return oldest_->e[oldest_->begin];
}

void LruQueue::ScanFromSweep(size_t max, absl::FunctionRef<void(const LruEntry&)> visit) const {
  const Block* b = sweep_block_ != nullptr ? sweep_block_ : oldest_;
  uint32_t i = sweep_block_ != nullptr ? std::max(sweep_index_, b->begin) : 0;
  for (; b != nullptr && max > 0; b = b->newer, i = 0) {
    for (i = std::max(i, b->begin); i < b->end && max > 0; ++i, --max) visit(b->e[i]);
  }
}

size_t LruQueue::PopOldest() {
  Block* b = oldest_;
  if (b == nullptr) return 0;
  if (sweep_block_ == b && sweep_index_ == b->begin) ++sweep_index_;
  ++b->begin;
  --size_;
  return b->begin == b->end ? FreeBlock(b) : 0;
}

void LruQueue::ScanFromOldest(size_t max, absl::FunctionRef<bool(const LruEntry&)> visit) const {
  for (const Block* b = oldest_; b != nullptr && max > 0; b = b->newer) {
    for (uint32_t i = b->begin; i < b->end && max > 0; ++i, --max) {
      if (visit(b->e[i])) return;
    }
  }
}

size_t LruQueue::Sweep(size_t budget, absl::FunctionRef<bool(const LruEntry&)> keep,
                       size_t distance, Ahead ahead) {
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
    // A sliding window: entry i + distance is announced as entry i is checked.
    const uint32_t window = static_cast<uint32_t>(std::min<size_t>(distance, run_end - r));
    for (uint32_t i = r; i < r + window; ++i) ahead(b->e[i]);
    for (; r < run_end; ++r) {
      if (distance > 0 && r + window < run_end) ahead(b->e[r + window]);
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

    // Block done: free it if empty, or fold it into its newer neighbour when
    // both fit in one block, so sparse blocks do not pile up.
    Block* next = b->newer;
    uint32_t resume = next != nullptr ? next->begin : 0;
    if (b->count() == 0) {
      freed += FreeBlock(b);
    } else if (next != nullptr && b->count() + next->count() <= Block::kCap) {
      const uint32_t bc = b->count();
      const uint32_t nc = next->count();
      if (next->begin < bc) {
        std::memmove(&next->e[Block::kCap - nc], &next->e[next->begin], nc * sizeof(LruEntry));
        next->begin = Block::kCap - nc;
        next->end = Block::kCap;
      }
      std::memcpy(&next->e[next->begin - bc], &b->e[b->begin], bc * sizeof(LruEntry));
      next->begin -= bc;
      resume = next->begin + bc;  // the moved entries were just checked
      size_ += bc;                // FreeBlock subtracts them again
      freed += FreeBlock(b);
    }
    sweep_block_ = next;
    sweep_index_ = resume;
  }
  return freed;
}

}  // namespace ringcache::storage
