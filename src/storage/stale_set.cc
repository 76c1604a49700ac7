#include "stale_set.h"

#include <bit>

namespace ringcache::storage {

void StaleSet::Add(const LruEntry& e) {
  if (2 * (size_ + 1) > capacity_) Resize(2 * capacity_);
  Insert(Key(e));
  ++size_;
}

void StaleSet::Insert(uint64_t key) {
  const size_t mask = capacity_ - 1;
  size_t i = Home(key);
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = key;
}

bool StaleSet::Take(const LruEntry& e) {
  if (size_ == 0) return false;
  const uint64_t key = Key(e);
  const size_t mask = capacity_ - 1;
  size_t i = Home(key);
  while (slots_[i] != key) {
    if (slots_[i] == 0) return false;
    i = (i + 1) & mask;
  }
  // Backward shift: pull later keys of the run into the hole unless that
  // would move one before its home.
  size_t hole = i;
  for (size_t j = (i + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
    const size_t home = Home(slots_[j]);
    // Movable when home is not cyclically within (hole, j].
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = 0;
  --size_;
  if (capacity_ > kMinCapacity && 8 * size_ < capacity_) Resize(capacity_ / 2);
  return true;
}

size_t StaleSet::Count(const LruEntry& e) const {
  if (size_ == 0) return 0;
  const uint64_t key = Key(e);
  const size_t mask = capacity_ - 1;
  size_t n = 0;
  for (size_t i = Home(key); slots_[i] != 0; i = (i + 1) & mask) n += slots_[i] == key ? 1 : 0;
  return n;
}

void StaleSet::Resize(size_t capacity) {
  std::unique_ptr<uint64_t[]> old = std::move(slots_);
  const size_t old_capacity = capacity_;
  slots_ = std::make_unique<uint64_t[]>(capacity);  // zeroed: all free
  capacity_ = capacity;
  shift_ = 64 - std::countr_zero(capacity);
  for (size_t i = 0; i < old_capacity; ++i) {
    if (old[i] != 0) Insert(old[i]);
  }
}

}  // namespace ringcache::storage
