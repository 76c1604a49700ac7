#include "chain_index.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ringcache::storage {

ChainIndex::Directory* ChainIndex::NewDirectory(size_t capacity) {
  auto* d = static_cast<Directory*>(std::calloc(1, DirectoryBytes(capacity)));
  if (d == nullptr) std::abort();  // a few KB from the system allocator
  d->capacity = capacity;
  return d;
}

size_t ChainIndex::DirectoryBytes(size_t capacity) {
  return sizeof(Directory) + (capacity - 1) * sizeof(std::atomic<uint32_t>*);
}

void ChainIndex::FreeDirectory(void* directory) { std::free(directory); }

ChainIndex::ChainIndex(const memory::ItemHeap* heap, const base::KeyedHash* hash, int initial_log2,
                       double max_load)
    : heap_(heap), hash_(hash), max_load_(max_load), level_(std::max(initial_log2, kSegmentBits)) {
  const size_t segments = size_t{1} << (level_ - kSegmentBits);
  Directory* dir = NewDirectory(std::max<size_t>(segments, 4));
  for (size_t i = 0; i < segments; ++i) {
    dir->segments[i] = static_cast<std::atomic<uint32_t>*>(std::calloc(1, kSegmentBytes));
    if (dir->segments[i] == nullptr) std::abort();
  }
  segments_ = segments;
  shape_.store(PackShape(level_, 0), std::memory_order_relaxed);
  dir_.store(dir, std::memory_order_release);
}

ChainIndex::~ChainIndex() {
  Directory* dir = dir_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < segments_; ++i) std::free(dir->segments[i]);
  std::free(dir);
}

ChainIndex::FindResult ChainIndex::Find(std::string_view key, uint32_t hash) const {
  constexpr int kAttempts = 4;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const uint64_t seq = seq_.load(std::memory_order_acquire);
    // Shape before directory: a shape naming a new bucket was published after
    // the directory that holds it.
    const uint64_t shape = shape_.load(std::memory_order_acquire);
    const Directory* dir = dir_.load(std::memory_order_acquire);
    uint32_t ref = Head(dir, BucketOf(hash, shape))->load(std::memory_order_acquire);
    while (ref != 0) {
      Item* item = ItemAt(ref);
      if (KeyIs(item, key)) return {Lookup::kFound, item};
      ref = item->next().load(std::memory_order_acquire);
    }
    // No fence needed: a reader that saw any store of a split saw it through
    // an acquire load of a release store made after the odd seq store, so
    // this load sees that odd value (or a later one) and the reader retries.
    if ((seq & 1) == 0 && seq_.load(std::memory_order_acquire) == seq) {
      return {Lookup::kAbsent, nullptr};
    }
  }
  return {Lookup::kRetry, nullptr};
}

ChainIndex::Slot ChainIndex::Locate(std::string_view key, uint32_t hash) {
  std::atomic<uint32_t>* link = HeadLocked(BucketOf(hash, shape_.load(std::memory_order_relaxed)));
  while (true) {
    const uint32_t ref = link->load(std::memory_order_relaxed);
    if (ref == 0) return {link, nullptr};
    Item* item = ItemAt(ref);
    if (KeyIs(item, key)) return {link, item};
    link = &item->next();
  }
}

ChainIndex::Slot ChainIndex::LocateRef(uint32_t ref, uint32_t hash) const {
  std::atomic<uint32_t>* link = HeadLocked(BucketOf(hash, shape_.load(std::memory_order_relaxed)));
  while (true) {
    const uint32_t r = link->load(std::memory_order_relaxed);
    if (r == 0) return {link, nullptr};
    Item* item = ItemAt(r);
    if (r == ref) return {link, item};
    link = &item->next();
  }
}

void ChainIndex::InsertHead(Item* item, uint32_t hash) {
  std::atomic<uint32_t>* head = HeadLocked(BucketOf(hash, shape_.load(std::memory_order_relaxed)));
  item->next().store(head->load(std::memory_order_relaxed), std::memory_order_relaxed);
  head->store(heap_->ToRef(item), std::memory_order_release);
  ++items_;
}

void ChainIndex::Replace(const Slot& slot, Item* item) {
  item->next().store(slot.item->next().load(std::memory_order_relaxed), std::memory_order_relaxed);
  slot.link->store(heap_->ToRef(item), std::memory_order_release);
}

void ChainIndex::Remove(const Slot& slot) {
  // slot.item->next is left alone: a reader standing on the item follows it.
  slot.link->store(slot.item->next().load(std::memory_order_relaxed), std::memory_order_release);
  --items_;
}

size_t ChainIndex::SplitCost() const {
  const uint64_t to = split_ + (uint64_t{1} << level_);
  const size_t segment = to >> kSegmentBits;
  if (segment < segments_) return 0;
  const Directory* dir = dir_.load(std::memory_order_relaxed);
  return kSegmentBytes + (segment >= dir->capacity ? DirectoryBytes(dir->capacity * 2) : 0);
}

ChainIndex::Retired ChainIndex::Split() {
  Retired retired;
  const uint64_t half = uint64_t{1} << level_;
  const uint64_t from = split_;
  const uint64_t to = split_ + half;

  const size_t segment = to >> kSegmentBits;
  if (segment >= segments_) {
    Directory* dir = dir_.load(std::memory_order_relaxed);
    if (segment >= dir->capacity) {
      Directory* bigger = NewDirectory(dir->capacity * 2);
      // NOLINTNEXTLINE(bugprone-sizeof-expression): an array of segment pointers
      std::memcpy(bigger->segments, dir->segments, dir->capacity * sizeof(dir->segments[0]));
      dir_.store(bigger, std::memory_order_release);
      retired = {dir, DirectoryBytes(dir->capacity)};
      dir = bigger;
    }
    dir->segments[segment] = static_cast<std::atomic<uint32_t>*>(std::calloc(1, kSegmentBytes));
    if (dir->segments[segment] == nullptr) std::abort();
    ++segments_;
  }

  // Odd while relinking. The relinking stores below are all releases, which
  // order this store before them for any reader that observes one.
  const uint64_t seq = seq_.load(std::memory_order_relaxed);
  seq_.store(seq + 1, std::memory_order_relaxed);

  // Partition the chain in place, keeping relative order. Each rewritten
  // `next` skips forward along the old chain, so a reader on it never loops.
  std::atomic<uint32_t>* from_head = HeadLocked(from);
  Item* stay_tail = nullptr;
  Item* move_tail = nullptr;
  uint32_t stay_head = 0;
  uint32_t move_head = 0;
  for (uint32_t ref = from_head->load(std::memory_order_relaxed); ref != 0;) {
    Item* item = ItemAt(ref);
    const uint32_t next = item->next().load(std::memory_order_relaxed);
    const bool moves = (static_cast<uint32_t>((*hash_)(item->key())) & half) != 0;
    Item*& tail = moves ? move_tail : stay_tail;
    if (tail != nullptr) {
      tail->next().store(ref, std::memory_order_release);
    } else {
      (moves ? move_head : stay_head) = ref;
    }
    tail = item;
    ref = next;
  }
  if (stay_tail != nullptr) stay_tail->next().store(0, std::memory_order_release);
  if (move_tail != nullptr) move_tail->next().store(0, std::memory_order_release);
  from_head->store(stay_head, std::memory_order_release);
  HeadLocked(to)->store(move_head, std::memory_order_release);

  if (++split_ == half) {
    ++level_;
    split_ = 0;
  }
  shape_.store(PackShape(level_, split_), std::memory_order_release);
  seq_.store(seq + 2, std::memory_order_release);
  return retired;
}

size_t ChainIndex::bytes() const {
  return segments_ * kSegmentBytes + DirectoryBytes(dir_.load(std::memory_order_relaxed)->capacity);
}

Item* ChainIndex::BucketHead(uint64_t b) const {
  return ItemAt(Head(dir_.load(std::memory_order_acquire), b)->load(std::memory_order_acquire));
}

}  // namespace ringcache::storage
