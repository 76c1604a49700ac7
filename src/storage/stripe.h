// One stripe of the store: a lock, a hash index, a segmented LRU (HOT, WARM,
// COLD, TEMP queues) and the byte counts that size the segments.
//
// The LRU policy is memcached 1.6's (items.c lru_pull_tail and the
// maintainer's juggle), per stripe instead of per slab class:
//   - New items enter HOT (TEMP for short TTLs when enabled, COLD in flat mode).
//   - A read sets the item's active bit; nothing moves.
//   - HOT tail: active -> WARM; over its share of bytes or older than
//     hot_max_factor x the COLD tail's age -> COLD; else it stays.
//   - WARM tail: active -> bumped within WARM; over its share or too old -> COLD.
//   - COLD tail: evicted when memory is needed; an active COLD item is moved
//     to WARM instead. memcached achieves that with an asynchronous bump queue
//     filled by readers; here the reader only sets the bit and the rescue
//     happens when the tail reaches the item, so readers never queue anything
//     and no bump is ever dropped.
//   - TEMP: never evicted for space; expired items are reclaimed at its tail.
//   - Any tail item found expired or flushed is reclaimed.
// Writers run a little of this juggling after every link (memcached leaves it
// to its maintainer thread; here the background thread does it for stripes
// nobody writes to).
//
// Each linked item keeps its queue entry's position in its `next` field; an
// item unlinked or bumped out of COLD leaves a tombstone there (lru_queue.h),
// written in batches whose lines load meanwhile, so a tail never needs the
// index to tell a live entry from a dead one.
//
// Threading: everything except the lock-free index lookups requires `mu`.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"

#include "bucket_index.h"
#include "lru_queue.h"
#include "ringcache/storage/item.h"
#include "ringcache/storage/store.h"
#include "store_impl.h"

namespace ringcache::storage {

class StoreImpl;
class StoreThreadImpl;

class Stripe {
 public:
  // The index's buckets hold about 2^kItemsPerBucketLog2 items each (the
  // growth target is 6.5): the store sizes -o hashpower's buckets by it.
  static constexpr int kItemsPerBucketLog2 = 3;

  Stripe(StoreImpl* store, int initial_log2);
  ~Stripe() = default;
  Stripe(const Stripe&) = delete;
  Stripe& operator=(const Stripe&) = delete;

  std::mutex& mu() { return mu_; }
  BucketIndex& index() { return index_; }
  const BucketIndex& index() const { return index_; }

  // --- Below: mu() held ---

  // Finds `key`, unlinking it first if it expired or was flushed (memcached's
  // do_item_get with DONT_UPDATE); `why` tells what a miss was.
  BucketIndex::Slot LocateLive(StoreThreadImpl& t, std::string_view key, uint64_t hash,
                               base::RelTime now, MissReason* why);
  // Links a new key. The item's CAS is set; its state bits may carry flags.
  // `cost` is store()->CostOf(*item) (callers have it at hand).
  void Link(StoreThreadImpl& t, Item* item, const StoreImpl::ItemCost& cost, uint64_t hash,
            base::RelTime now);
  // Links `item` in place of slot.item (same key) and retires the old one.
  // kNewValue: a new value (memcached links a new item: HOT, time now,
  // total_items). kSameItem: the same item re-laid out (an exptime field
  // added, a stale mark): it keeps its segment and last access time.
  enum ReplaceKind : uint8_t { kNewValue, kSameItem };
  void Replace(StoreThreadImpl& t, const BucketIndex::Slot& slot, Item* item,
               const StoreImpl::ItemCost& cost, uint64_t hash, base::RelTime now, ReplaceKind kind);
  // Replace() for callers that allocated (and so may have evicted) since they
  // located `old`: finds the key again, then replaces `old`, or links `item`
  // anew if eviction took `old` meanwhile.
  void Swap(StoreThreadImpl& t, Item* old, Item* item, uint64_t hash, base::RelTime now,
            ReplaceKind kind);
  // Unlinks and retires slot.item, crediting its bytes to `t`; returns them.
  size_t Unlink(StoreThreadImpl& t, const BucketIndex::Slot& slot);
  // memcached's do_item_update for an existing item: the last access time,
  // and an active COLD item moves to WARM.
  void Touched(StoreThreadImpl& t, Item* item, base::RelTime now);

  // Evicts (or reclaims) from the COLD tail, pulling HOT/WARM down when COLD
  // is empty, until `want` bytes were credited to `t` or ten rounds in a row
  // freed nothing (memcached's do_item_alloc_pull tries ten times). Returns
  // the bytes credited.
  size_t Evict(StoreThreadImpl& t, size_t want, base::RelTime now);
  // One maintenance pass (memcached's lru_maintainer_juggle), at most
  // `rounds` pulls per segment. `background`: also rescue active COLD tails
  // (writers leave that to eviction). Returns the items moved or removed.
  int Juggle(StoreThreadImpl& t, base::RelTime now, int rounds, bool background);
  // Unlinks the expired or flushed items of buckets [*bucket, ...), visiting
  // at most `max_items`; counts crawler statistics for the classes selected by
  // `class_filter` (null: all). Advances *bucket; false once the stripe is done.
  bool Crawl(StoreThreadImpl& t, uint64_t* bucket, size_t max_items, base::RelTime now,
             const std::vector<bool>* class_filter, uint64_t* checked);

  // Age of the oldest valid item of a segment (0 if empty).
  base::RelTime TailAge(StoreThreadImpl& t, Segment seg, base::RelTime now);
  // The same without popping tombstones (statistics; looks at most a few
  // hundred entries past the tail).
  base::RelTime PeekTailAge(Segment seg, base::RelTime now) const;

  uint64_t items(Segment s) const { return live_[static_cast<int>(s)]; }
  uint64_t bytes(Segment s) const { return live_bytes_[static_cast<int>(s)]; }
  uint64_t items() const { return live_[0] + live_[1] + live_[2] + live_[3]; }
  uint64_t bytes() const {
    return live_bytes_[0] + live_bytes_[1] + live_bytes_[2] + live_bytes_[3];
  }
  // Bytes of the LRU queues.
  size_t queue_bytes() const;
  // Checks the queues against the index (tests): every linked item of a
  // segment has exactly one live entry, in that segment's queue, at the
  // position its `next` names, and every other entry is a tombstone (written
  // or pending). Returns the first violation found, or an empty string.
  std::string CheckQueues() const;

  // Last access time of the COLD tail (kNoColdTail when COLD is empty),
  // readable without the lock: writers that must evict pick the stripe
  // whose COLD tail is oldest, so eviction follows the LRU across stripes.
  static constexpr base::RelTime kNoColdTail = UINT32_MAX;
  base::RelTime cold_tail_time() const { return cold_tail_time_.load(std::memory_order_relaxed); }
  // Recomputes cold_tail_time() if the COLD tail may have changed (lock held).
  void RefreshColdTail();

 private:
  // kPullAhead: each check starts the load of the item kTailAhead entries
  // behind it (every juggle and eviction pulls so; the first kTailAhead
  // entries are hinted before the run, PrefetchTails).
  enum PullFlags : uint8_t { kPullNone = 0, kPullEvict = 1, kPullAhead = 2 };

  // memcached's lru_pull_tail for one segment. Returns items removed or moved.
  // Bytes credited by unlinks are added to *freed.
  // `limit_bytes`: HOT's or WARM's share of the stripe (over it, the tail
  // moves to COLD).
  int PullTail(StoreThreadImpl& t, Segment seg, uint8_t flags, uint64_t limit_bytes,
               base::RelTime max_age, base::RelTime now, size_t* freed);
  // The tail entry of `seg` and its item; tombstones at the tail are
  // dropped on the way (pending ones written first).
  struct Tail {
    Item* item;
    uint32_t ref;
  };
  bool ValidTail(StoreThreadImpl& t, Segment seg, Tail* out, bool ahead = false);
  // Pops the tail entry and unlinks its item (expiry, eviction); returns the
  // bytes credited.
  size_t UnlinkTail(StoreThreadImpl& t, Segment seg, const Tail& tail);
  // Visits the items of the live entries from the tail of `seg` until `visit`
  // returns true or `max` entries were seen; drops nothing.
  void ScanLive(Segment seg, size_t max, absl::FunctionRef<bool(const Item&)> visit) const;
  // Whether a pending tombstone names `pos` in `seg`'s queue.
  bool Buried(Segment seg, uint32_t pos) const;
  // Queues the tombstone of `item`'s entry in `seg`'s queue (its line starts
  // loading); FlushTombs writes the batch, and runs before anything reads a
  // tail or moves entries.
  void Bury(StoreThreadImpl& t, Segment seg, const Item* item);
  void FlushTombs(StoreThreadImpl& t);
  // Charges (> 0) or credits (< 0) queue blocks, without evicting.
  void ChargeQueue(StoreThreadImpl& t, int64_t bytes);
  // Pops the tail entry of `from` and re-queues the item (of `cost`) at the
  // head of `to`.
  void MoveTail(StoreThreadImpl& t, Item* item, const StoreImpl::ItemCost& cost, Segment from,
                Segment to);
  // Appends `item` to `seg`'s queue and stores its position in the item.
  void Push(StoreThreadImpl& t, Segment seg, Item* item);
  void Pop(StoreThreadImpl& t, Segment seg);
  void SetSegment(Item* item, Segment seg, bool clear_active);
  // Starts loading what validating the next `entries` tail entries of HOT
  // and WARM (and COLD if `with_cold`) will touch.
  void PrefetchTails(size_t entries, bool with_cold) const;
  // Bookkeeping after a link: index growth, juggling.
  void AfterLink(StoreThreadImpl& t, base::RelTime now);
  // Adds (sign +1) or removes (-1) an item's bytes and count in `seg`.
  void Account(StoreThreadImpl& t, const StoreImpl::ItemCost& cost, Segment seg, int sign);
  // An item changes segment: the same as -1 in `from`, +1 in `to`.
  void AccountMove(StoreThreadImpl& t, const StoreImpl::ItemCost& cost, Segment from, Segment to);
  // Index and bookkeeping half of unlinking an item that left the index.
  // `entry_stays`: its entry stays in its queue and becomes a tombstone;
  // otherwise the caller popped it.
  size_t Release(StoreThreadImpl& t, Item* item, bool entry_stays);
  // Charges what the index allocated beyond `charged` and retires a
  // directory it replaced.
  void IndexGrew(StoreThreadImpl& t, const BucketIndex::Growth& g, size_t charged);
  // Marks `item` linked in `seg` (before it is published).
  static void MarkLinked(Item* item, Segment seg);

  StoreImpl* const store_;
  std::mutex mu_;
  BucketIndex index_;
  LruQueue queues_[kSegments];
  struct Relocator;
  struct Tomb {
    uint32_t pos;
    Segment seg;
  };
  static constexpr int kPendingTombs = 16;
  Tomb tombs_[kPendingTombs];
  int pending_tombs_ = 0;
  uint64_t live_[kSegments] = {};
  uint64_t live_bytes_[kSegments] = {};
  bool cold_tail_dirty_ = false;
  int links_since_juggle_ = 0;  // see kJuggleBatch
  bool tails_hinted_ = false;   // the next juggle's tail entries are loading
  std::atomic<base::RelTime> cold_tail_time_{kNoColdTail};
};

}  // namespace ringcache::storage
