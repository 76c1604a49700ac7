#include "lru_queue.h"

#include <algorithm>
#include <new>

namespace ringcache::storage {

LruQueue::~LruQueue() {
  while (oldest_ != nullptr) FreeBlock(oldest_);
}

LruQueue::Block* LruQueue::NewBlock() {
  static_assert(sizeof(Block) <= kBlockBytes);
  Block* b = new (::operator new(kBlockBytes)) Block();
  if (free_ids_.empty()) {
    b->id = static_cast<uint32_t>(by_id_.size());
    by_id_.push_back(b);
  } else {
    b->id = free_ids_.back();
    free_ids_.pop_back();
    by_id_[b->id] = b;
  }
  ++blocks_;
  return b;
}

size_t LruQueue::FreeBlock(Block* b) {
  (b->older != nullptr ? b->older->newer : oldest_) = b->newer;
  (b->newer != nullptr ? b->newer->older : newest_) = b->older;
  size_ -= b->count();
  by_id_[b->id] = nullptr;
  free_ids_.push_back(b->id);
  b->~Block();
  ::operator delete(b);
  --blocks_;
  return kBlockBytes;
}

void LruQueue::PrefetchFromOldest(size_t from, size_t count) const {
  constexpr uint32_t kPerLine = 64 / sizeof(uint32_t);
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

}  // namespace ringcache::storage
