#include "retire_queue.h"

namespace ringcache::storage {

void RetireQueue::Grow() {
  const size_t old_capacity = capacity();
  const size_t new_capacity = old_capacity == 0 ? kInitialCapacity : 2 * old_capacity;
  auto slots = std::make_unique_for_overwrite<Entry[]>(new_capacity);
  size_t n = 0;
  for (uint64_t i = head_; i != tail_; ++i) slots[n++] = slots_[i & mask_];
  slots_ = std::move(slots);
  capacity_ = new_capacity;
  mask_ = new_capacity - 1;
  head_ = 0;
  tail_ = n;
}

}  // namespace ringcache::storage
