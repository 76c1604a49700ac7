// A store thread's retired objects, oldest first, waiting out their QSBR
// grace period (memory/qsbr.h).
//
// A FIFO ring of (epoch tag, object) entries. Retire appends at the back;
// reclamation pops from the front while the front's tag is below the safe
// epoch. Tags never decrease from front to back, so the scan stops at the
// first entry still in its grace period. Every overwrite retires one item,
// so this is on the SET path: a push or a pop is a store or a load and an
// index increment, and memory is allocated only when the ring doubles.
//
// Invariants: capacity is 0 or a power of two; size() <= capacity; an entry's
// object is an item or an index directory, both at least 16-byte aligned, so
// the low bit of its address is free to say which.
//
// Threading: belongs to one thread. StoreImpl::RemoveThread drains it once
// that thread no longer uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "ringcache/base/compiler.h"

namespace ringcache::storage {

class RetireQueue {
 public:
  struct Entry {
    uint64_t tag;
    uintptr_t word;  // the object's address | kDirectoryBit
    // An item's allocation size as its retirer knew it (0: read it from the
    // item). Freeing then need not load the item's line again, which by the
    // end of its grace period has usually left the cache.
    uint32_t bytes;

    static Entry ForItem(uint64_t tag, void* item, uint32_t bytes = 0) {
      return {tag, reinterpret_cast<uintptr_t>(item), bytes};
    }
    static Entry ForDirectory(uint64_t tag, void* dir) {
      return {tag, reinterpret_cast<uintptr_t>(dir) | kDirectoryBit, 0};
    }
    bool directory() const { return (word & kDirectoryBit) != 0; }
    void* ptr() const { return reinterpret_cast<void*>(word & ~kDirectoryBit); }
  };

  RetireQueue() = default;
  RetireQueue(const RetireQueue&) = delete;
  RetireQueue& operator=(const RetireQueue&) = delete;

  bool empty() const { return head_ == tail_; }
  size_t size() const { return static_cast<size_t>(tail_ - head_); }
  size_t capacity() const { return capacity_; }
  const Entry& front() const { return slots_[head_ & mask_]; }
  const Entry& back() const { return slots_[(tail_ - 1) & mask_]; }

  RC_ALWAYS_INLINE void push_back(const Entry& e) {
    if (RC_UNLIKELY(tail_ - head_ == capacity_)) Grow();
    slots_[tail_++ & mask_] = e;
  }
  void pop_front() { ++head_; }

  // Entries front to back.
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (uint64_t i = head_; i != tail_; ++i) fn(slots_[i & mask_]);
  }
  // Drops every entry; releases the ring if it grew past kKeepCapacity.
  void clear() {
    head_ = tail_ = 0;
    Trim();
  }
  // Called when empty after a scan: a ring that a burst grew past
  // kKeepCapacity goes back to the heap, so one stall does not pin it.
  void Trim() {
    if (empty() && capacity() > kKeepCapacity) {
      slots_.reset();
      capacity_ = 0;
      mask_ = 0;
      head_ = tail_ = 0;
    }
  }

  static constexpr size_t kInitialCapacity = 256;
  static constexpr size_t kKeepCapacity = 16384;  // 256 KB of entries

 private:
  static constexpr uintptr_t kDirectoryBit = 1;

  void Grow();

  std::unique_ptr<Entry[]> slots_;
  uint64_t capacity_ = 0;  // 0 or a power of two
  uint64_t mask_ = 0;      // capacity_ - 1, or 0
  uint64_t head_ = 0;      // index of the front entry (taken & mask_)
  uint64_t tail_ = 0;      // index one past the back entry
};

}  // namespace ringcache::storage
