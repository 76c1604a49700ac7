#include "stale_set.h"

#include <bit>

namespace ringcache::storage {

void StaleSet::Add(const LruEntry& e) {
  if (2 * (size_ + 1) > capacity_) Resize(2 * capacity_);
  Insert(Key(e));
  ++size_;
}

void StaleSet::Insert(uint32_t key) {
  const size_t mask = capacity_ - 1;
  const uint64_t mixed = Mix(key);
  size_t i = Home(mixed);
  while (tags_[i] != 0) i = (i + 1) & mask;
  tags_[i] = Tag(mixed);
  slots_[i] = key;
}

void StaleSet::Remove(size_t i) {
  const size_t mask = capacity_ - 1;
  // Backward shift: pull later keys of the run into the hole unless that
  // would move one before its home.
  size_t hole = i;
  for (size_t j = (i + 1) & mask; tags_[j] != 0; j = (j + 1) & mask) {
    const size_t home = Home(Mix(slots_[j]));
    // Movable when home is not cyclically within (hole, j].
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      tags_[hole] = tags_[j];
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  tags_[hole] = 0;
  slots_[hole] = 0;
  --size_;
  if (capacity_ > kMinCapacity && 8 * size_ < capacity_) Resize(capacity_ / 2);
}

size_t StaleSet::Count(const LruEntry& e) const {
  if (size_ == 0) return 0;
  const uint64_t key = Key(e);
  const size_t mask = capacity_ - 1;
  size_t n = 0;
  for (size_t i = Home(Mix(key)); tags_[i] != 0; i = (i + 1) & mask) n += slots_[i] == key ? 1 : 0;
  return n;
}

void StaleSet::Resize(size_t capacity) {
  std::unique_ptr<uint32_t[]> old = std::move(slots_);
  const size_t old_capacity = capacity_;
  tags_ = std::make_unique<uint8_t[]>(capacity);  // zeroed: all free
  slots_ = std::make_unique<uint32_t[]>(capacity);
  capacity_ = capacity;
  shift_ = 64 - std::countr_zero(capacity);
  for (size_t i = 0; i < old_capacity; ++i) {
    if (old[i] != 0) Insert(old[i]);
  }
}

}  // namespace ringcache::storage
