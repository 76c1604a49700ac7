// A stripe's hash index: chained buckets of 32-bit item references, grown one
// bucket at a time (linear hashing), read without locks.
//
// Layout: bucket heads are 4-byte atomics in segments of 1024 (4 KB); a
// directory of segment pointers grows by doubling and is republished (the old
// one is retired through QSBR). Chains run through each item's `next` field.
//
// Growth: with 2^L base buckets and split pointer p, a hash h lives in bucket
// h mod 2^L, or h mod 2^(L+1) when that is below p. Splitting bucket p moves
// the items whose bit L is set to bucket p + 2^L; p advances, and L with it
// once p reaches 2^L. One split per insert keeps the load at the target
// without ever rehashing a whole table, so no request waits for growth and the
// index stays at ~4/load bytes per item (2.7 at memcached's 1.5; the store
// uses 1.0, see stripe.cc).
//
// Readers: load the shape (L, p) and the directory with acquire, walk the
// chain with acquire loads, compare keys. A split relinks one chain while a
// reader may be on it, which can only make the reader miss (never loop: every
// rewritten `next` points to an item later in the old chain). A per-index
// sequence number, odd while a split runs, tells a reader that its miss may be
// spurious; it retries, and after a few tries reports kRetry so the caller can
// look up under the stripe lock. A hit is always valid: the item was linked
// when the reader reached it.
//
// Writers hold the stripe lock. Items are never freed here; removing one only
// unlinks it (the caller retires it).
//
// Threading: Find* are lock-free and may run concurrently with one writer.
// Everything else requires the stripe lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringcache/base/hash.h"
#include "ringcache/memory/item_heap.h"
#include "ringcache/storage/item.h"

namespace ringcache::storage {

class ChainIndex {
 public:
  static constexpr int kSegmentBits = 10;
  static constexpr uint64_t kSegmentBuckets = uint64_t{1} << kSegmentBits;
  static constexpr size_t kSegmentBytes = kSegmentBuckets * sizeof(uint32_t);

  // `initial_log2`: log2 of the starting bucket count (at least one segment).
  // `hash` recomputes an item's bucket when it is split.
  ChainIndex(const memory::ItemHeap* heap, const base::KeyedHash* hash, int initial_log2,
             double max_load);
  // Frees the buckets; no reader may be active.
  ~ChainIndex();
  ChainIndex(const ChainIndex&) = delete;
  ChainIndex& operator=(const ChainIndex&) = delete;

  enum class Lookup : uint8_t { kFound, kAbsent, kRetry };
  struct FindResult {
    Lookup lookup;
    Item* item;
  };
  // Lock-free lookup; the caller is online in QSBR.
  FindResult Find(std::string_view key, uint32_t hash) const;

  // --- Below: stripe lock held ---

  // The link that points at a matching item (or at nothing, past the chain's
  // end), for replacing or removing it.
  struct Slot {
    std::atomic<uint32_t>* link = nullptr;
    Item* item = nullptr;
  };
  Slot Locate(std::string_view key, uint32_t hash);
  // The link that points at the item with reference `ref` in `hash`'s bucket.
  Slot LocateRef(uint32_t ref, uint32_t hash) const;
  void InsertHead(Item* item, uint32_t hash);
  // Puts `item` (same key) where slot.item was.
  void Replace(const Slot& slot, Item* item);
  void Remove(const Slot& slot);

  // Bytes a split would need allocated now (a segment, a bigger directory).
  size_t SplitCost() const;
  // Whether the load is above target and growth is allowed.
  bool WantsSplit() const {
    return expand_ && freeze_ == 0 && static_cast<double>(items_) > max_load_ * buckets();
  }
  // Splits one bucket. The caller has charged SplitCost(); a directory that
  // was replaced is returned for retirement with the bytes to credit.
  struct Retired {
    void* directory = nullptr;
    size_t bytes = 0;
  };
  Retired Split();
  // Frees a directory returned by Split (after its grace period).
  static void FreeDirectory(void* directory);

  void set_expand(bool expand) { expand_ = expand; }
  // Walks pause growth so bucket positions stay put between batches.
  void Freeze() { ++freeze_; }
  void Unfreeze() { --freeze_; }
  bool frozen() const { return freeze_ > 0; }

  size_t items() const { return items_; }
  uint64_t buckets() const { return (uint64_t{1} << level_) + split_; }
  // Bytes of segments and the directory (charged to the memory budget).
  size_t bytes() const;
  // First item of bucket `b` (< buckets()).
  Item* BucketHead(uint64_t b) const;

  // Prefetch hints for a lookup coming soon (caller online in QSBR): the
  // bucket head's line, then, once that line is cached, the first item of
  // the chain. They change nothing; a stale view merely prefetches in vain.
  void PrefetchBucket(uint32_t hash) const { __builtin_prefetch(HeadOf(hash)); }
  // The item `skip` links down the chain (0: the first; the ones before it
  // are loaded, so call this once the previous hint had time to land).
  void PrefetchChainItem(uint32_t hash, int skip) const {
    uint32_t ref = HeadRef(hash);
    for (; skip > 0 && ref != 0; --skip) ref = ItemAt(ref)->next().load(std::memory_order_acquire);
    if (ref != 0) __builtin_prefetch(ItemAt(ref));
  }
  // The slot holding the first reference of `hash`'s bucket, for a staged
  // hint (StoreThread::AdvancePlan): its memory stays readable until the
  // caller next quiesces, though a split may since have moved the chain.
  const std::atomic<uint32_t>* HeadOf(uint32_t hash) const {
    const Directory* dir = dir_.load(std::memory_order_acquire);
    return Head(dir, BucketOf(hash, shape_.load(std::memory_order_acquire)));
  }
  // Slot-wise walk of bucket `b`, for unlinking while walking.
  Slot BucketSlot(uint64_t b) {
    std::atomic<uint32_t>* link = HeadLocked(b);
    return {link, ItemAt(link->load(std::memory_order_relaxed))};
  }
  Slot NextSlot(const Slot& s) const {
    std::atomic<uint32_t>* link = &s.item->next();
    return {link, ItemAt(link->load(std::memory_order_relaxed))};
  }
  // After Remove(s), the slot holding whatever now follows s.link.
  Slot Reread(const Slot& s) const {
    return {s.link, ItemAt(s.link->load(std::memory_order_relaxed))};
  }
  Item* NextInChain(const Item* item) const {
    return ItemAt(item->next().load(std::memory_order_acquire));
  }

  uint32_t HeadRef(uint32_t hash) const { return HeadOf(hash)->load(std::memory_order_acquire); }
  Item* ItemAt(uint32_t ref) const {
    return ref == 0 ? nullptr : reinterpret_cast<Item*>(heap_->FromRef(ref));
  }

 private:
  struct Directory {
    size_t capacity;
    std::atomic<uint32_t>* segments[1];  // `capacity` entries
  };
  static Directory* NewDirectory(size_t capacity);
  static size_t DirectoryBytes(size_t capacity);

  static uint64_t PackShape(int level, uint64_t split) {
    return (static_cast<uint64_t>(level) << 56) | split;
  }
  static uint64_t BucketOf(uint32_t hash, uint64_t shape) {
    const int level = static_cast<int>(shape >> 56);
    const uint64_t split = shape & ((uint64_t{1} << 56) - 1);
    uint64_t b = hash & ((uint64_t{1} << level) - 1);
    if (b < split) b = hash & ((uint64_t{1} << (level + 1)) - 1);
    return b;
  }
  static std::atomic<uint32_t>* Head(const Directory* dir, uint64_t b) {
    return &dir->segments[b >> kSegmentBits][b & (kSegmentBuckets - 1)];
  }
  std::atomic<uint32_t>* HeadLocked(uint64_t b) const {
    return Head(dir_.load(std::memory_order_relaxed), b);
  }
  static bool KeyIs(const Item* item, std::string_view key) {
    const size_t n = key.size();
    if (item->key_len() != n) return false;
    const char* a = item->key_data();
    const char* b = key.data();
    // Keys of 8 to 16 bytes, the common case: two overlapping word compares
    // instead of a call to memcmp.
    if (n >= 8 && n <= 16) return Word(a) == Word(b) && Word(a + n - 8) == Word(b + n - 8);
    return std::memcmp(a, b, n) == 0;
  }
  static uint64_t Word(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, sizeof(w));
    return w;
  }

  const memory::ItemHeap* heap_;
  const base::KeyedHash* hash_;
  const double max_load_;
  bool expand_ = true;
  int freeze_ = 0;
  size_t items_ = 0;
  size_t segments_ = 0;  // allocated segments
  int level_;
  uint64_t split_ = 0;
  std::atomic<uint64_t> seq_{0};
  std::atomic<uint64_t> shape_;
  std::atomic<Directory*> dir_;
};

}  // namespace ringcache::storage
