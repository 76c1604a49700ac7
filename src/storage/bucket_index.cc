#include "bucket_index.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "ringcache/base/compiler.h"

namespace ringcache::storage {
namespace {

BucketIndex::Bucket* NewSegment() {
  void* mem = std::aligned_alloc(64, BucketIndex::kSegmentBytes);
  if (mem == nullptr) std::abort();  // 4 KB from the system allocator
  std::memset(mem, 0, BucketIndex::kSegmentBytes);
  return static_cast<BucketIndex::Bucket*>(mem);
}

}  // namespace

BucketIndex::Directory* BucketIndex::NewDirectory(size_t capacity) {
  auto* d = static_cast<Directory*>(std::calloc(1, DirectoryBytes(capacity)));
  if (d == nullptr) std::abort();  // a few KB from the system allocator
  d->capacity = capacity;
  return d;
}

size_t BucketIndex::DirectoryBytes(size_t capacity) {
  // NOLINTNEXTLINE(bugprone-sizeof-expression): an array of segment pointers
  return sizeof(Directory) + (capacity - 1) * sizeof(Bucket*);
}

void BucketIndex::FreeDirectory(void* directory) { std::free(directory); }

BucketIndex::BucketIndex(const memory::ItemHeap* heap, const base::KeyedHash* hash,
                         int initial_log2, double max_load)
    : heap_(heap), hash_(hash), max_load_(max_load), level_(std::max(initial_log2, kSegmentBits)) {
  const size_t segments = size_t{1} << (level_ - kSegmentBits);
  Directory* dir = NewDirectory(std::max<size_t>(segments, 4));
  for (size_t i = 0; i < segments; ++i) dir->segments[i] = NewSegment();
  segments_ = segments;
  shape_.store(PackShape(level_, 0), std::memory_order_relaxed);
  dir_.store(dir, std::memory_order_release);
  spill_dir_.store(NewDirectory(4), std::memory_order_release);
}

BucketIndex::~BucketIndex() {
  Directory* dir = dir_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < segments_; ++i) std::free(dir->segments[i]);
  std::free(dir);
  Directory* spill = spill_dir_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < spill_segments_; ++i) std::free(spill->segments[i]);
  std::free(spill);
}

void BucketIndex::SetTag(Bucket& k, int i, uint8_t tag) {
  if (i < 8) {
    const int shift = 8 * i;
    const uint64_t w = k.tags_lo.load(std::memory_order_relaxed);
    k.tags_lo.store((w & ~(uint64_t{0xFF} << shift)) | (uint64_t{tag} << shift),
                    std::memory_order_release);
  } else {
    const int shift = 8 * (i - 8);
    const auto w = static_cast<uint32_t>(k.tags_hi.load(std::memory_order_relaxed));
    k.tags_hi.store(static_cast<uint16_t>((w & ~(0xFFu << shift)) | (uint32_t{tag} << shift)),
                    std::memory_order_release);
  }
}

BucketIndex::FindResult BucketIndex::Find(std::string_view key, uint64_t hash) const {
  constexpr int kAttempts = 4;
  const __m128i tags = _mm_set1_epi8(static_cast<char>(TagOf(hash)));
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const uint64_t seq = seq_.load(std::memory_order_acquire);
    // Shape before directory: a shape naming a new bucket was published after
    // the directory that holds it.
    const uint64_t shape = shape_.load(std::memory_order_acquire);
    const Directory* dir = dir_.load(std::memory_order_acquire);
    // Both candidate lines are read before either's items: their loads
    // overlap when they miss.
    const Bucket* k0 = At(dir, BucketOf(Word(hash, 0), shape));
    const Bucket* k1 = At(dir, BucketOf(Word(hash, 1), shape));
    const uint32_t m0 = Match(*k0, tags);
    const uint32_t m1 = k1 != k0 ? Match(*k1, tags) : 0;
    if (Item* item = FirstKey(*k0, m0, key)) return {Lookup::kFound, item};
    if (Item* item = FirstKey(*k1, m1, key)) return {Lookup::kFound, item};
    if (RC_UNLIKELY((k0->overflow.load(std::memory_order_acquire) |
                     k1->overflow.load(std::memory_order_acquire)) != 0)) {
      if (Item* item = FindInSpills(*k0, tags, key)) return {Lookup::kFound, item};
      if (k1 != k0) {
        if (Item* item = FindInSpills(*k1, tags, key)) return {Lookup::kFound, item};
      }
    }
    // No fence needed: every store a split makes is a release made after its
    // odd seq store, so a reader that saw any of them sees that odd value (or
    // a later one) here and retries.
    if ((seq & 1) == 0 && seq_.load(std::memory_order_acquire) == seq) {
      return {Lookup::kAbsent, nullptr};
    }
  }
  return {Lookup::kRetry, nullptr};
}

Item* BucketIndex::FindInSpills(const Bucket& main, __m128i tags, std::string_view key) const {
  for (uint32_t id = main.overflow.load(std::memory_order_acquire); id != 0;) {
    // Loaded after the link: a link to a new spill segment was published
    // after the directory that holds it.
    const Bucket* k = Spill(spill_dir_.load(std::memory_order_acquire), id);
    if (Item* item = FirstKey(*k, Match(*k, tags), key)) return item;
    id = k->overflow.load(std::memory_order_acquire);
  }
  return nullptr;
}

template <typename MatchFn>
BucketIndex::Slot BucketIndex::Search(uint64_t hash, MatchFn&& match) const {
  const __m128i tag = _mm_set1_epi8(static_cast<char>(TagOf(hash)));
  const uint64_t shape = shape_.load(std::memory_order_relaxed);
  const uint64_t b0 = BucketOf(Word(hash, 0), shape);
  const uint64_t b1 = BucketOf(Word(hash, 1), shape);
  for (int c = 0; c < 2; ++c) {
    if (c == 1 && b1 == b0) break;
    for (Bucket* k = MainLocked(c == 0 ? b0 : b1); k != nullptr; k = SpillOf(*k)) {
      for (uint32_t m = Match(*k, tag); m != 0; m &= m - 1) {
        const int i = __builtin_ctz(m);
        const uint32_t ref = k->refs[i].load(std::memory_order_relaxed);
        if (ref != 0 && match(ref)) return {k, i, ItemAt(ref)};
      }
    }
  }
  return {};
}

BucketIndex::Slot BucketIndex::Locate(std::string_view key, uint64_t hash) const {
  return Search(hash, [&](uint32_t ref) { return KeyIs(ItemAt(ref), key); });
}

BucketIndex::Slot BucketIndex::LocateRef(uint32_t ref, uint64_t hash) const {
  return Search(hash, [&](uint32_t r) { return r == ref; });
}

BucketIndex::Growth BucketIndex::AddSegment(std::atomic<Directory*>* atomic_dir, size_t segment) {
  Growth g;
  Directory* dir = atomic_dir->load(std::memory_order_relaxed);
  if (segment >= dir->capacity) {
    Directory* bigger = NewDirectory(dir->capacity * 2);
    // NOLINTNEXTLINE(bugprone-sizeof-expression): an array of segment pointers
    std::memcpy(static_cast<void*>(bigger->segments), dir->segments,
                dir->capacity * sizeof(Bucket*));
    atomic_dir->store(bigger, std::memory_order_release);
    g.allocated += DirectoryBytes(bigger->capacity);
    g.retired = dir;
    g.retired_bytes = DirectoryBytes(dir->capacity);
    dir = bigger;
  }
  // Readers reach the new segment only through a release store made after
  // this one (a shape, an overflow link).
  dir->segments[segment] = NewSegment();
  g.allocated += kSegmentBytes;
  return g;
}

uint32_t BucketIndex::TakeSpill(Growth* g) {
  if (!spill_free_.empty()) {
    const uint32_t id = spill_free_.back();
    spill_free_.pop_back();
    return id;
  }
  const uint32_t id = ++spill_used_;
  const size_t segment = (id - 1) >> kSegmentBits;
  if (segment >= spill_segments_) {
    const Growth added = AddSegment(&spill_dir_, segment);
    ++spill_segments_;
    g->allocated += added.allocated;
    // At most one directory per call: a directory doubles, and one spill
    // bucket needs at most one more segment.
    g->retired = added.retired;
    g->retired_bytes = added.retired_bytes;
  }
  return id;
}

BucketIndex::Growth BucketIndex::Place(Bucket* k, uint32_t ref, uint8_t tag, uint8_t meta) {
  Growth g;
  while (true) {
    const uint32_t empty = ~Occupied(*k) & kAllSlots;
    if (empty != 0) {
      const int i = __builtin_ctz(empty);
      k->meta[i] = meta;
      k->refs[i].store(ref, std::memory_order_release);
      SetTag(*k, i, tag);
      return g;
    }
    Bucket* next = SpillOf(*k);
    if (next == nullptr) {
      const uint32_t id = TakeSpill(&g);
      Bucket* s = Spill(spill_dir_.load(std::memory_order_relaxed), id);
      s->meta[0] = meta;
      s->refs[0].store(ref, std::memory_order_release);
      SetTag(*s, 0, tag);
      k->overflow.store(id, std::memory_order_release);  // publishes the spill bucket
      return g;
    }
    k = next;
  }
}

BucketIndex::Growth BucketIndex::Insert(Item* item, uint64_t hash) {
  const uint64_t shape = shape_.load(std::memory_order_relaxed);
  int width[2];
  const uint64_t b0 = BucketOf(Word(hash, 0), shape, &width[0]);
  const uint64_t b1 = BucketOf(Word(hash, 1), shape, &width[1]);
  Bucket* k0 = MainLocked(b0);
  Bucket* k1 = MainLocked(b1);
  // The less loaded base bucket; the first on a tie (fewer lookups read the
  // second line's items).
  const int c =
      b1 != b0 && __builtin_popcount(Occupied(*k1)) < __builtin_popcount(Occupied(*k0)) ? 1 : 0;
  const uint8_t meta =
      static_cast<uint8_t>((c == 1 ? kChoiceBit : 0) | SplitBitsOf(Word(hash, c), width[c]));
  ++items_;
  return Place(c == 0 ? k0 : k1, heap_->ToRef(item), TagOf(hash), meta);
}

void BucketIndex::Remove(const Slot& slot) {
  SetTag(*slot.bucket, slot.index, 0);
  slot.bucket->refs[slot.index].store(0, std::memory_order_release);
  --items_;
}

size_t BucketIndex::SplitCost() const {
  const uint64_t to = split_ + (uint64_t{1} << level_);
  const size_t segment = to >> kSegmentBits;
  if (segment < segments_) return 0;
  const Directory* dir = dir_.load(std::memory_order_relaxed);
  return kSegmentBytes + (segment >= dir->capacity ? DirectoryBytes(dir->capacity * 2) : 0);
}

BucketIndex::Growth BucketIndex::Split() {
  const uint64_t half = uint64_t{1} << level_;
  const uint64_t from = split_;
  const uint64_t to = split_ + half;

  Growth g;
  const size_t segment = to >> kSegmentBits;
  if (segment >= segments_) {
    g = AddSegment(&dir_, segment);
    ++segments_;
  }

  // Odd until the split is done. The stores below are all releases, which
  // order this store before them for any reader that observes one.
  const uint64_t seq = seq_.load(std::memory_order_relaxed);
  seq_.store(seq + 1, std::memory_order_relaxed);

  // Decide each item's side from its next split bit; copy the movers into
  // the new bucket (not yet reachable: the shape does not name it).
  struct Entry {
    uint32_t ref;
    uint8_t tag;
    uint8_t meta;
  };
  Entry stay[kSlots * 4];
  size_t stays = 0;
  std::vector<Entry> more_stay;  // only for chains beyond four buckets
  Bucket* target = MainLocked(to);
  for (Bucket* k = MainLocked(from); k != nullptr; k = SpillOf(*k)) {
    for (uint32_t m = Occupied(*k); m != 0; m &= m - 1) {
      const int i = __builtin_ctz(m);
      const uint32_t ref = k->refs[i].load(std::memory_order_relaxed);
      const uint8_t choice = k->meta[i] & kChoiceBit;
      uint8_t bits = k->meta[i] & ~kChoiceBit;
      if (bits == kNoSplitBits) {
        const uint64_t h = (*hash_)(ItemAt(ref)->key());
        bits = SplitBitsOf(Word(h, choice != 0 ? 1 : 0), level_);
      }
      const Entry e{ref, TagAt(*k, i), static_cast<uint8_t>(choice | (bits >> 1))};
      if ((bits & 1) != 0) {
        const Growth p = Place(target, e.ref, e.tag, e.meta);
        g.allocated += p.allocated;
        if (p.retired != nullptr) {
          g.retired = p.retired;  // spill directories double: one per split at most
          g.retired_bytes = p.retired_bytes;
        }
      } else if (stays < std::size(stay)) {
        stay[stays++] = e;
      } else {
        more_stay.push_back(e);
      }
    }
  }

  if (++split_ == half) {
    ++level_;
    split_ = 0;
  }
  shape_.store(PackShape(level_, split_), std::memory_order_release);

  // Compact the stayers into the front of the old chain, clear the rest, and
  // return spill buckets left empty to the pool.
  Bucket* k = MainLocked(from);
  int i = 0;
  auto put = [&](const Entry& e) {
    if (i == kSlots) {
      k = SpillOf(*k);
      i = 0;
    }
    k->meta[i] = e.meta;
    k->refs[i].store(e.ref, std::memory_order_release);
    SetTag(*k, i, e.tag);
    ++i;
  };
  for (size_t n = 0; n < stays; ++n) put(stay[n]);
  for (const Entry& e : more_stay) put(e);
  for (Bucket* c = k; c != nullptr; c = SpillOf(*c), i = 0) {
    for (; i < kSlots; ++i) {
      if (TagAt(*c, i) == 0) continue;
      SetTag(*c, i, 0);
      c->refs[i].store(0, std::memory_order_release);
    }
  }
  // The bucket holding the last stayer keeps its place; spill buckets after
  // it are empty now. (k is the main bucket when nothing stayed.)
  Bucket* last = k;
  for (uint32_t id = last->overflow.load(std::memory_order_relaxed); id != 0;) {
    Bucket* s = Spill(spill_dir_.load(std::memory_order_relaxed), id);
    const uint32_t next = s->overflow.load(std::memory_order_relaxed);
    s->overflow.store(0, std::memory_order_release);
    spill_free_.push_back(id);
    id = next;
  }
  last->overflow.store(0, std::memory_order_release);

  seq_.store(seq + 2, std::memory_order_release);
  return g;
}

size_t BucketIndex::bytes() const {
  return (segments_ + spill_segments_) * kSegmentBytes +
         DirectoryBytes(dir_.load(std::memory_order_relaxed)->capacity) +
         DirectoryBytes(spill_dir_.load(std::memory_order_relaxed)->capacity);
}

void BucketIndex::PrefetchBuckets(uint64_t hash, const Bucket** out) const {
  const uint64_t shape = shape_.load(std::memory_order_acquire);
  const Directory* dir = dir_.load(std::memory_order_acquire);
  const Bucket* k0 = At(dir, BucketOf(Word(hash, 0), shape));
  const Bucket* k1 = At(dir, BucketOf(Word(hash, 1), shape));
  __builtin_prefetch(k0);
  __builtin_prefetch(k1);
  if (out != nullptr) {
    out[0] = k0;
    out[1] = k1;
  }
}

void BucketIndex::PrefetchMatches(uint64_t hash, const Bucket* const* buckets) const {
  const Bucket* local[2];
  if (buckets == nullptr) {
    const uint64_t shape = shape_.load(std::memory_order_acquire);
    const Directory* dir = dir_.load(std::memory_order_acquire);
    local[0] = At(dir, BucketOf(Word(hash, 0), shape));
    local[1] = At(dir, BucketOf(Word(hash, 1), shape));
    buckets = local;
  }
  const __m128i tags = _mm_set1_epi8(static_cast<char>(TagOf(hash)));
  for (int c = 0; c < 2; ++c) {
    const Bucket* k = buckets[c];
    for (uint32_t m = MatchMask(k->tags_lo.load(std::memory_order_relaxed),
                                k->tags_hi.load(std::memory_order_relaxed), tags);
         m != 0; m &= m - 1) {
      const uint32_t ref = k->refs[__builtin_ctz(m)].load(std::memory_order_relaxed);
      if (ref != 0) __builtin_prefetch(ItemAt(ref));
    }
  }
}

}  // namespace ringcache::storage
