// The stale entries of one LRU queue, recorded when they go stale, as a
// multiset of references.
//
// An LRU queue is a FIFO of entries (lru_queue.h): an item unlinked, or moved
// out of its segment by a read bump, leaves its entry behind. Recognising such
// an entry by looking it up in the index costs the item's line (for its key's
// hash) and two bucket lines, dependent cache misses, and an overwrite-heavy load
// checks about three entries per write that way (the HOT tail, the sweeps).
// The stripe knows the moment an entry goes stale, so it records the entry
// here, and checking an entry is one probe into a small table whose slot
// address follows from the entry alone (so it can be prefetched far ahead).
//
// Why an equal entry is enough: an item has at most one live entry, in the
// queue of its current segment, and it is the newest entry of that queue with
// its reference; every other entry with that reference in the queue is stale
// and recorded once (a reference freed and reused by another item names the
// new item only in entries pushed after it was linked). So while the queue is consumed from
// its tail, the first entry that matches a record is stale. A sweep that
// starts mid-queue may instead drop the live one and keep an older twin:
// both name the same reference, so the kept twin serves the item (it only
// looks older than it is).
//
// Layout: open addressing with linear probing over 4-byte keys (the
// reference; 0 is free, reference 0 is never an item), a
// duplicate as a further slot, backward-shift deletion. Beside the keys, a
// byte per slot holds a 7-bit fingerprint of its key (0: free). Most checks
// are of live entries, which are absent here: they read only the fingerprint
// bytes, an eighth of the table's size (a table of a large cache outgrows
// the L2 cache; its fingerprints mostly do not), and a key is read only when
// its fingerprint matches. The capacity is a power of two, doubled above 1/2
// load and halved below 1/8, never below a small table allocated up front
// (so a few records, say the entry a delete leaves, never need memory the
// delete has just given back).
//
// Threading: none; the owning stripe's lock guards every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "lru_queue.h"

namespace ringcache::storage {

class StaleSet {
 public:
  StaleSet() { Resize(kMinCapacity); }
  StaleSet(const StaleSet&) = delete;
  StaleSet& operator=(const StaleSet&) = delete;

  // Recorded entries, duplicates counted.
  size_t size() const { return size_; }
  // Bytes of the table (the owner charges changes to the memory budget).
  size_t bytes() const { return capacity_ * (sizeof(uint32_t) + 1); }

  void Add(const LruEntry& e);
  // Removes one record equal to `e`; false if there is none. Most checks
  // find none: that answer is inline, from the fingerprints alone.
  bool Take(const LruEntry& e) {
    if (size_ == 0) return false;
    const uint64_t key = Key(e);
    const uint64_t mixed = Mix(key);
    const uint8_t tag = Tag(mixed);
    const size_t mask = capacity_ - 1;
    for (size_t i = Home(mixed);; i = (i + 1) & mask) {
      const uint8_t t = tags_[i];
      if (t == 0) return false;
      if (t == tag && slots_[i] == key) {
        Remove(i);
        return true;
      }
    }
  }
  // Records equal to `e`.
  size_t Count(const LruEntry& e) const;
  bool Contains(const LruEntry& e) const { return Count(e) > 0; }
  // Starts loading the fingerprints where `e` would be looked for.
  void Prefetch(const LruEntry& e) const { __builtin_prefetch(&tags_[Home(Mix(Key(e)))]); }
  // Once those are loaded: starts loading the key of the first slot whose
  // fingerprint matches `e`'s, the one a check of `e` will compare (most
  // checks match none and load no key).
  void PrefetchMatch(const LruEntry& e) const {
    if (size_ == 0) return;
    const uint64_t mixed = Mix(Key(e));
    const uint8_t tag = Tag(mixed);
    const size_t mask = capacity_ - 1;
    for (size_t i = Home(mixed);; i = (i + 1) & mask) {
      const uint8_t t = tags_[i];
      if (t == 0) return;
      if (t == tag) {
        __builtin_prefetch(&slots_[i]);
        return;
      }
    }
  }

 private:
  static constexpr size_t kMinCapacity = 16;

  static uint32_t Key(const LruEntry& e) { return e.ref; }
  // The home slot comes from the top bits of the mixed key, the fingerprint
  // from bits below any table's home bits.
  static uint64_t Mix(uint64_t key) { return key * 0x9E3779B97F4A7C15ull; }
  size_t Home(uint64_t mixed) const { return static_cast<size_t>(mixed >> shift_); }
  static uint8_t Tag(uint64_t mixed) { return static_cast<uint8_t>((mixed >> 24) | 0x80); }
  void Resize(size_t capacity);
  void Insert(uint32_t key);
  // Deletes the record in slot `i` (backward shift), shrinking if sparse.
  void Remove(size_t i);

  std::unique_ptr<uint8_t[]> tags_;  // 0: free; else Tag(Mix(slots_[i]))
  std::unique_ptr<uint32_t[]> slots_;
  size_t capacity_ = 0;
  size_t size_ = 0;
  int shift_ = 0;  // 64 - log2(capacity_)
};

}  // namespace ringcache::storage
