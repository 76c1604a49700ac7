// A stripe's hash index: buckets of ten item references, one cache line each,
// two candidate buckets per key, grown one bucket at a time (linear hashing),
// read without locks.
//
// Bucket (64 bytes): tags of the ten slots (a byte each: 0 empty, else 0x80 |
// seven bits of the key's hash), per-slot writer metadata, an overflow link and
// the ten item references. A lookup compares its tag against all ten at once
// (two word loads) and reads only the items whose tags match. The index does
// not use the item's `next` field (the LRU keeps the item's queue position
// there).
//
// Two choices: a key's hash gives two bucket words, w1 (bits 0..31) and w2
// (bits 24..55; the stripe takes the top bits). A new key goes into the less
// loaded of its two buckets (the first on a tie), which keeps buckets even
// enough that a mean of ~6.5 items per bucket puts a fraction of a percent of
// items in overflow buckets; a lookup reads both (two independent lines, which
// the request look-ahead loads together). A bucket that is full links an
// overflow ("spill") bucket from a per-index pool.
//
// Growth: with 2^L base buckets and split pointer p, a word w names bucket
// w mod 2^L, or w mod 2^(L+1) when that is below p. Splitting bucket p moves
// the items whose next address bit is set to bucket p + 2^L. That bit comes
// from the slot's metadata (the bits of w above the bucket's address when the
// item was placed, six at a time), so a split reads no item; an item whose
// saved bits ran out (six doublings since it was placed) is rehashed from its
// key. One split per insert above the target load keeps the load there without
// a pause.
//
// Readers: load the shape (L, p) and the directory with acquire, then per
// candidate bucket the tags (acquire), the matching slots' references
// (acquire), compare keys, follow the overflow link. Writers publish a slot by
// storing its reference and then its tag (release), retract one by clearing
// the tag and then the reference, and replace an item (same key) by storing
// the new reference (release). A reader that read a tag and then a cleared or
// reused reference compares a key that is not its own, or finds the item that
// replaced it: never a wrong answer. A split copies the moving items to the new
// bucket, publishes the new shape, then compacts the old bucket; a per-index
// sequence number, odd meanwhile, tells a reader whose miss overlapped a split
// to retry, and after a few tries it reports kRetry so the caller can look up
// under the stripe lock. Bucket memory is never freed while the index lives
// (directories are retired through QSBR by the caller), so a reader on a stale
// view reads valid memory.
//
// Writers hold the stripe lock. Items are never freed here; removing one only
// takes it out of its slot (the caller retires it).
//
// Threading: Find and the Prefetch hints are lock-free and may run
// concurrently with one writer. Everything else requires the stripe lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include <emmintrin.h>

#include "ringcache/base/compiler.h"
#include "ringcache/base/hash.h"
#include "ringcache/memory/item_heap.h"
#include "ringcache/storage/item.h"

namespace ringcache::storage {

class BucketIndex {
 public:
  static constexpr int kSlots = 10;
  static constexpr int kSegmentBits = 6;  // 64 buckets of 64 bytes: 4 KB
  static constexpr uint64_t kSegmentBuckets = uint64_t{1} << kSegmentBits;

  struct alignas(64) Bucket {
    std::atomic<uint64_t> tags_lo;   // tags of slots 0..7, a byte each
    std::atomic<uint16_t> tags_hi;   // tags of slots 8..9
    uint8_t meta[kSlots];            // writers only: kChoiceBit | split bits
    std::atomic<uint32_t> overflow;  // spill bucket id, 0: none
    std::atomic<uint32_t> refs[kSlots];
  };
  static_assert(sizeof(Bucket) == 64);
  static constexpr size_t kSegmentBytes = kSegmentBuckets * sizeof(Bucket);

  // `initial_log2`: log2 of the starting bucket count (at least one
  // segment). `max_load`: items per bucket the index grows at. `hash`
  // recomputes an item's hash when its saved split bits run out.
  BucketIndex(const memory::ItemHeap* heap, const base::KeyedHash* hash, int initial_log2,
              double max_load);
  // Frees the buckets; no reader may be active.
  ~BucketIndex();
  BucketIndex(const BucketIndex&) = delete;
  BucketIndex& operator=(const BucketIndex&) = delete;

  enum class Lookup : uint8_t { kFound, kAbsent, kRetry };
  struct FindResult {
    Lookup lookup;
    Item* item;
  };
  // Lock-free lookup; the caller is online in QSBR. `hash`: the key's full
  // 64-bit hash.
  FindResult Find(std::string_view key, uint64_t hash) const;

  // --- Below: stripe lock held ---

  // Where an item sits, for replacing or removing it. item == nullptr: none.
  // Valid until the next Split (which moves and compacts slots) or Remove of
  // that slot; inserts and other removes leave it in place.
  struct Slot {
    Bucket* bucket = nullptr;
    int index = 0;
    Item* item = nullptr;
  };
  Slot Locate(std::string_view key, uint64_t hash) const;
  // The slot holding reference `ref` among `hash`'s buckets.
  Slot LocateRef(uint32_t ref, uint64_t hash) const;

  // Memory an index change took or gave up: bytes newly allocated (to be
  // charged by the caller) and a directory replaced, to retire through QSBR
  // (FreeDirectory after its grace period) crediting `retired_bytes`.
  struct Growth {
    size_t allocated = 0;
    void* retired = nullptr;
    size_t retired_bytes = 0;
  };
  // Links a new key. May take a spill bucket (and allocate a segment of them).
  Growth Insert(Item* item, uint64_t hash);
  // Puts `item` (same key) where slot.item was.
  void Replace(const Slot& slot, Item* item) {
    slot.bucket->refs[slot.index].store(heap_->ToRef(item), std::memory_order_release);
  }
  // Takes slot.item out. Slots after it in a walk keep their places.
  void Remove(const Slot& slot);

  // Bytes a split would need allocated now (a segment, a bigger directory).
  size_t SplitCost() const;
  // Whether the load is above target and growth is allowed.
  bool WantsSplit() const {
    return expand_ && freeze_ == 0 && static_cast<double>(items_) > max_load_ * buckets();
  }
  // Splits one bucket. The caller has charged SplitCost() (`allocated` is
  // that amount); spill buckets it empties go back to the pool.
  Growth Split();
  static void FreeDirectory(void* directory);

  void set_expand(bool expand) { expand_ = expand; }
  // Walks pause growth so bucket positions stay put between batches.
  void Freeze() { ++freeze_; }
  void Unfreeze() { --freeze_; }
  bool frozen() const { return freeze_ > 0; }

  size_t items() const { return items_; }
  uint64_t buckets() const { return (uint64_t{1} << level_) + split_; }
  // Spill buckets linked into some bucket's chain.
  size_t spill_buckets() const { return spill_used_ - spill_free_.size(); }
  // Bytes of bucket segments and directories (charged to the memory budget).
  size_t bytes() const;

  // Visits the occupied slots of base bucket `b` (< buckets()) and its spill
  // buckets, in slot order; `visit(const Slot&)` may Remove the slot it is
  // given. Returns the slots visited.
  template <typename Visit>
  size_t ForEachSlot(uint64_t b, Visit&& visit) {
    size_t n = 0;
    for (Bucket* k = MainLocked(b); k != nullptr; k = SpillOf(*k)) {
      for (uint32_t m = Occupied(*k); m != 0; m &= m - 1) {
        const int i = __builtin_ctz(m);
        ++n;
        visit(Slot{k, i, ItemAt(k->refs[i].load(std::memory_order_relaxed))});
      }
    }
    return n;
  }

  // Prefetch hints for a lookup coming soon (caller online in QSBR). They
  // change nothing; a stale view merely prefetches in vain. First both
  // candidate buckets' lines (their addresses stored to out[0..1] if given:
  // they stay readable until the caller next quiesces), then, once those
  // landed, the items whose tags match in them (`buckets`: those addresses,
  // or null to look them up again).
  void PrefetchBuckets(uint64_t hash, const Bucket** out = nullptr) const;
  void PrefetchMatches(uint64_t hash, const Bucket* const* buckets = nullptr) const;

  Item* ItemAt(uint32_t ref) const {
    return ref == 0 ? nullptr : reinterpret_cast<Item*>(heap_->FromRef(ref));
  }

 private:
  static constexpr uint8_t kChoiceBit = 0x80;
  // Split bits: the next address bits of the item's word, lowest first,
  // above a marker bit; kNoSplitBits (the marker alone) means used up.
  static constexpr int kSplitBits = 6;
  static constexpr uint8_t kNoSplitBits = 1;

  struct Directory {
    size_t capacity;
    Bucket* segments[1];  // `capacity` entries
  };
  static Directory* NewDirectory(size_t capacity);
  static size_t DirectoryBytes(size_t capacity);
  // Makes segment `segment` of *dir exist (growing the directory if needed).
  static Growth AddSegment(std::atomic<Directory*>* dir, size_t segment);

  // The two bucket words of a hash, and the tag (never 0).
  static uint32_t Word(uint64_t hash, int choice) {
    return static_cast<uint32_t>(choice == 0 ? hash : hash >> 24);
  }
  static uint8_t TagOf(uint64_t hash) {
    return static_cast<uint8_t>(((hash * 0x9E3779B97F4A7C15ull) >> 57) | 0x80);
  }

  static uint64_t PackShape(int level, uint64_t split) {
    return (static_cast<uint64_t>(level) << 56) | split;
  }
  // Bucket of word `w` under `shape`, and the number of address bits it used.
  static uint64_t BucketOf(uint32_t w, uint64_t shape, int* width = nullptr) {
    const int level = static_cast<int>(shape >> 56);
    const uint64_t split = shape & ((uint64_t{1} << 56) - 1);
    uint64_t b = w & ((uint64_t{1} << level) - 1);
    int bits = level;
    if (b < split) {
      b = w & ((uint64_t{1} << (level + 1)) - 1);
      bits = level + 1;
    }
    if (width != nullptr) *width = bits;
    return b;
  }
  static uint8_t SplitBitsOf(uint32_t w, int width) {
    const uint32_t rest = width >= 32 ? 0 : w >> width;
    return static_cast<uint8_t>((rest & ((1u << kSplitBits) - 1)) | (1u << kSplitBits));
  }

  static Bucket* At(const Directory* dir, uint64_t b) {
    return &dir->segments[b >> kSegmentBits][b & (kSegmentBuckets - 1)];
  }
  Bucket* MainLocked(uint64_t b) const { return At(dir_.load(std::memory_order_relaxed), b); }
  Bucket* Spill(const Directory* dir, uint32_t id) const { return At(dir, id - 1); }
  Bucket* SpillOf(const Bucket& k) const {
    const uint32_t id = k.overflow.load(std::memory_order_relaxed);
    return id == 0 ? nullptr : Spill(spill_dir_.load(std::memory_order_relaxed), id);
  }

  static constexpr uint32_t kAllSlots = (1u << kSlots) - 1;
  // Slots (bit i: slot i) whose tag byte equals the bytes of `tags` (a tag
  // repeated, _mm_set1_epi8): one SSE2 compare of the ten tags, read as two
  // atomic words.
  static uint32_t MatchMask(uint64_t lo, uint16_t hi, __m128i tags) {
    const __m128i t = _mm_set_epi64x(static_cast<int64_t>(hi), static_cast<int64_t>(lo));
    return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(t, tags))) & kAllSlots;
  }
  static uint32_t Match(const Bucket& k, __m128i tags) {
    return MatchMask(k.tags_lo.load(std::memory_order_acquire),
                     k.tags_hi.load(std::memory_order_acquire), tags);
  }
  static uint32_t Occupied(const Bucket& k) {
    return ~MatchMask(k.tags_lo.load(std::memory_order_relaxed),
                      k.tags_hi.load(std::memory_order_relaxed), _mm_setzero_si128()) &
           kAllSlots;
  }
  // The item of the first slot in `m` (a Match of `k`) whose key is `key`.
  RC_ALWAYS_INLINE Item* FirstKey(const Bucket& k, uint32_t m, std::string_view key) const {
    for (; m != 0; m &= m - 1) {
      const uint32_t ref = k.refs[__builtin_ctz(m)].load(std::memory_order_acquire);
      if (ref == 0) continue;
      Item* item = ItemAt(ref);
      if (KeyIs(item, key)) return item;
    }
    return nullptr;
  }
  // Find's walk of the spill buckets chained to `main`.
  Item* FindInSpills(const Bucket& main, __m128i tags, std::string_view key) const;
  static uint8_t TagAt(const Bucket& k, int i) {
    return i < 8 ? static_cast<uint8_t>(k.tags_lo.load(std::memory_order_relaxed) >> (8 * i))
                 : static_cast<uint8_t>(k.tags_hi.load(std::memory_order_relaxed) >> (8 * (i - 8)));
  }
  // Writers only (one at a time): a release store of the word holding it.
  static void SetTag(Bucket& k, int i, uint8_t tag);
  // Puts (ref, tag, meta) into a free slot of the chain starting at `k`,
  // taking a spill bucket if all are full.
  Growth Place(Bucket* k, uint32_t ref, uint8_t tag, uint8_t meta);
  // A spill bucket, empty and unlinked.
  uint32_t TakeSpill(Growth* g);

  template <typename Match>
  Slot Search(uint64_t hash, Match&& match) const;

  static bool KeyIs(const Item* item, std::string_view key) {
    const size_t n = key.size();
    if (item->key_len() != n) return false;
    const char* a = item->key_data();
    const char* b = key.data();
    // Keys of 8 to 16 bytes, the common case: two overlapping word compares
    // instead of a call to memcmp.
    if (n >= 8 && n <= 16) return Word8(a) == Word8(b) && Word8(a + n - 8) == Word8(b + n - 8);
    return std::memcmp(a, b, n) == 0;
  }
  static uint64_t Word8(const char* p) {
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
  size_t segments_ = 0;        // allocated main segments
  size_t spill_segments_ = 0;  // allocated spill segments
  uint32_t spill_used_ = 0;    // spill ids handed out: 1..spill_used_
  std::vector<uint32_t> spill_free_;
  int level_;
  uint64_t split_ = 0;
  std::atomic<uint64_t> seq_{0};
  std::atomic<uint64_t> shape_;
  std::atomic<Directory*> dir_;
  std::atomic<Directory*> spill_dir_;
};

}  // namespace ringcache::storage
