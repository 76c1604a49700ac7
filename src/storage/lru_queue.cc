#include "lru_queue.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace ringcache::storage {

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

size_t LruQueue::PushNewestInNewBlock(LruEntry e) {
  Block* b = NewBlock();
  b->older = newest_;
  (newest_ != nullptr ? newest_->newer : oldest_) = b;
  newest_ = b;
  newest_->e[newest_->end++] = e;
  ++size_;
  return kBlockBytes;
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

void LruQueue::PrefetchFromOldest(size_t from, size_t count) const {
  constexpr uint32_t kPerLine = 64 / sizeof(LruEntry);
  const Block* b = oldest_;
  while (b != nullptr && from >= b->count()) {
    from -= b->count();
    b = b->newer;
  }
  for (; b != nullptr && count > 0; b = b->newer, from = 0) {
    const uint32_t first = b->begin + static_cast<uint32_t>(from);
    const uint32_t last =
        static_cast<uint32_t>(std::min<size_t>(b->end, first + count));  // exclusive
    for (uint32_t i = first; i < last; i += kPerLine) __builtin_prefetch(&b->e[i]);
    __builtin_prefetch(&b->e[last - 1]);
    count -= last - first;
  }
}

size_t LruQueue::FinishSweptBlock(Block* b) {
  size_t freed = 0;
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
  return freed;
}

}  // namespace ringcache::storage
