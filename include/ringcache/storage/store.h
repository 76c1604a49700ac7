// The cache store: every memcached data operation (text, meta and binary
// protocols) expressed as a few primitives with memcached 1.6's exact
// semantics, on a lock-striped index whose readers take no lock.
//
// Threading model:
//   - Any number of threads use one Store. Each registers once and gets a
//     StoreThread (allocation cache, memory-budget pool, reclamation slot,
//     counters), used only by that thread.
//   - Readers (Get without touch/vivify, Walk) take no lock and write nothing
//     shared except an item's own atomic metadata (fetched/active bits, last
//     access time, win token). An ItemView handed out stays valid until that
//     thread's next Quiesce(), which the worker calls at the end of every
//     event-loop turn. To keep an item past that point (a large value sent by
//     reference), take an ItemPin.
//   - Writers hold one stripe lock (of 2^k) at a time: for the lookup and
//     link/unlink, and for building the successor of an item from the item
//     itself (append, incr, a TTL added by touch). A set's item is allocated
//     and filled before the lock; eviction locks each victim stripe in turn;
//     unlinked items are freed after their grace period, outside any lock.
//   - A thread about to block for a long time (epoll_wait, io_uring_enter
//     with wait) calls Offline() first and Online() after, so it does not
//     hold up reclamation. Views must not be used while offline.
//   - Store::StartBackground runs the LRU maintainer/crawler thread.
//
// Time: every operation takes `now` (base::RelTime). Nothing in the store
// reads a clock, so tests inject time freely; the background thread reads
// the clock function it is given.
//
// Design, for the 80-bytes-per-small-item budget (details in each header):
//   - item.h: header + key + value in one jemalloc allocation, a 20-byte
//     header for a plain item (optional fields only when non-zero); values
//     whose size class would waste more than ~3 % are split into an exact
//     head class and a small tail.
//   - memory/item_heap.h: items live in one reserved region carved into
//     per-NUMA-node arenas, so 32-bit references (base + ref*16) replace
//     pointers in the index and the LRU.
//   - bucket_index.h: per-stripe buckets of ten references with tag bytes in
//     one cache line, two candidate buckets per key, grown one bucket per
//     insert (linear hashing): no rehash pause, ~10 bytes per item, readers
//     retry only when a split crossed their path.
//   - lru_queue.h + stripe.h: memcached's segmented LRU as FIFO queues of
//     4-byte references; each item keeps its entry's position, so removing
//     it leaves a tombstone there, and sparse queue blocks are merged;
//     active COLD items are rescued at the tail instead of through a bump
//     queue. Writers evict from the stripe whose COLD tail is
//     oldest, so eviction follows the LRU across stripes.
//   - memory/budget.h: -m as one atomic budget drawn on through per-thread
//     pools; item, index and queue bytes are all charged, exactly.
//   - memory/qsbr.h: quiescent-state reclamation behind the lock-free reads.
//
// Changes from the lead's draft (see docs/ARCHITECTURE.md §4):
//   - StoreThread is a concrete final class (no virtual calls on GET).
//   - ItemView::size_class() became Store::ClassId(view): class ids come from
//     the store's size-class table; fetched_before() became fetched(); the
//     pre-request state meta h/l/t need is in GetResult::prior.
//   - Allocate takes AllocOptions (base64 keys, drop-on-failure for set).
//   - GetResult reports why a lookup missed; Get/Arith report prior exptime.
//   - ItemPin works only on items whose value is at least
//     StoreConfig::pin_min_value_size (they carry a pin count); Pin() of a
//     smaller item returns an empty pin and the caller copies the value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

#include "ringcache/base/clock.h"
#include "ringcache/base/out_buffer.h"
#include "ringcache/storage/item.h"
#include "ringcache/storage/store_stats.h"

namespace ringcache::storage {

class Store;
class StoreThread;

// Results map one-to-one onto protocol replies.
enum class StoreResult : uint8_t {
  kStored,     // STORED / HD
  kNotStored,  // NOT_STORED / NS
  kExists,     // EXISTS / EX   (CAS mismatch)
  kNotFound,   // NOT_FOUND / NF
};
enum class DeleteResult : uint8_t { kDeleted, kNotFound, kExists };
enum class TouchResult : uint8_t { kTouched, kNotFound };
enum class ArithResult : uint8_t {
  kOk,
  kNotFound,
  kNonNumeric,  // CLIENT_ERROR cannot increment or decrement non-numeric value
  kExists,      // CAS mismatch (meta C flag)
  kOutOfMemory,
};
enum class AllocResult : uint8_t {
  kOk,
  kTooLarge,     // SERVER_ERROR object too large for cache
  kOutOfMemory,  // SERVER_ERROR out of memory storing object (-M, or nothing evictable)
};
enum class StoreMode : uint8_t { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };
// Why Get found nothing (get_misses vs get_expired vs get_flushed).
enum class MissReason : uint8_t { kNone, kAbsent, kExpired, kFlushed };

// Read-only view of a live item. Cheap to copy (one pointer).
class ItemView {
 public:
  ItemView() = default;
  explicit ItemView(const Item* item) : item_(item) {}
  explicit operator bool() const { return item_ != nullptr; }
  const Item* item() const { return item_; }

  std::string_view key() const { return item_->key(); }
  bool key_binary() const { return item_->has(item_layout::kKeyBinary); }  // meta b
  uint32_t client_flags() const { return item_->client_flags(); }
  base::RelTime exptime() const { return item_->exptime(); }   // 0: never expires
  base::RelTime last_access() const { return item_->time(); }  // memcached's it->time
  uint64_t cas() const { return item_->cas(); }                // 0 with -C
  bool fetched() const { return (item_->state_bits() & item_state::kFetched) != 0; }
  bool stale() const { return (item_->state_bits() & item_state::kStale) != 0; }  // meta X
  bool token_sent() const { return (item_->state_bits() & item_state::kTokenSent) != 0; }
  Segment segment() const { return item_->segment(); }
  size_t value_size() const { return item_->value_size(); }
  // Bytes the item occupies: header, key and value (metadump's size=).
  size_t total_size() const { return item_->head_bytes() + item_->tail_len(); }
  // The value as one or two contiguous parts (second empty unless split).
  struct ValueParts {
    std::string_view first;
    std::string_view second;
  };
  ValueParts value() const {
    const size_t tail = item_->tail_len();
    return {{item_->head_value(), item_->value_size() - tail}, {item_->tail(), tail}};
  }
  bool pinnable() const { return item_->has(item_layout::kPinnable); }

 private:
  const Item* item_ = nullptr;
};

// Keeps an item's memory alive beyond the current turn (even after it is
// deleted or replaced). Move-only; may be released on any thread. The Store
// must outlive every pin.
class ItemPin {
 public:
  ItemPin() = default;
  ~ItemPin() { Release(); }
  ItemPin(ItemPin&& other) noexcept : item_(other.item_) { other.item_ = nullptr; }
  ItemPin& operator=(ItemPin&& other) noexcept;
  explicit operator bool() const { return item_ != nullptr; }
  ItemView view() const { return ItemView(item_); }
  // Transfers the pin into an OutRef: the item is released when the bytes
  // referencing it are sent.
  base::OutRef ToOutRef() &&;

 private:
  friend class StoreThread;
  explicit ItemPin(Item* item) : item_(item) {}
  void Release();
  static void ReleaseItem(void* item);
  Item* item_ = nullptr;
};

// A new item being filled before it is linked (set/add/... while the value
// bytes arrive from the network). Move-only; dropping it frees the memory.
// It must be stored or dropped on the thread that allocated it.
class NewItem {
 public:
  NewItem() = default;
  inline ~NewItem();
  inline NewItem(NewItem&& other) noexcept;
  inline NewItem& operator=(NewItem&& other) noexcept;
  explicit operator bool() const { return item_ != nullptr; }
  size_t value_size() const { return item_->value_size(); }
  std::string_view key() const { return item_->key(); }
  // Where the value bytes go, in up to two parts (fill first, then second).
  struct Writable {
    char* first;
    size_t first_len;
    char* second;
    size_t second_len;
  };
  Writable value() {
    const size_t tail = item_->tail_len();
    return {item_->head_value(), item_->value_size() - tail, item_->tail(), tail};
  }

 private:
  friend class StoreThread;
  // What the store's accounting charges for the item, known when it was
  // planned: its size class index, class bytes and bytes asked for.
  struct Cost {
    int cls = -1;
    uint32_t charge = 0;
    uint32_t requested = 0;
  };
  NewItem(Item* item, StoreThread* owner, uint64_t hash, Cost cost)
      : item_(item), owner_(owner), hash_(hash), cost_(cost) {}
  inline void Drop();
  Item* item_ = nullptr;
  StoreThread* owner_ = nullptr;
  uint64_t hash_ = 0;
  Cost cost_;
};

// --- Options of the primitive operations (meta flags map onto these) ---

struct GetOptions {
  bool bump = true;               // count as an access (fetched/active bits, last access)
  bool touch = false;             // gat/gats, meta T
  base::RelTime new_exptime = 0;  // with touch
  // Meta N: on a miss, create an empty item (client flags 0) with this
  // exptime and hand the caller the win token. When both N and T are given,
  // the caller passes whichever comes last in the request as vivify_exptime.
  bool vivify = false;
  base::RelTime vivify_exptime = 0;
  // Meta R: if the item's exptime is below this, the first caller wins.
  bool recache = false;
  base::RelTime recache_below = 0;
  // Meta T before R in the request: R compares the already touched exptime.
  bool recache_after_touch = false;
};

struct GetResult {
  ItemView item;                        // null on a miss
  MissReason miss = MissReason::kNone;  // why item is null
  bool won = false;                     // meta W: this caller should refresh the item
  bool lost = false;                    // meta Z: another caller already holds the win token
  bool created = false;                 // vivified on this call (meta: empty value + W)
  // State before this request changed it (meta h, l and t before T).
  struct Prior {
    base::RelTime exptime = 0;
    base::RelTime last_access = 0;
    bool fetched = false;
  } prior;
};

struct AllocOptions {
  bool key_binary = false;  // meta b: echo the key base64-encoded
  // memcached drops the key's current item when a set cannot allocate, so
  // stale data does not persist ("set" and every "ms"; not add/replace/...).
  bool unlink_on_failure = false;
};

struct StoreOptions {
  StoreMode mode = StoreMode::kSet;
  uint64_t compare_cas = 0;  // kCas / meta C (0: none; text cas with 0 never matches)
  uint64_t new_cas = 0;      // meta E: use this CAS instead of a fresh one
  bool invalidate = false;   // meta I: a CAS older than the item's stores but marks stale
};

struct DeleteOptions {
  uint64_t compare_cas = 0;  // meta C
  uint64_t new_cas = 0;      // meta E
  bool invalidate = false;   // meta I: mark stale instead of removing
  bool touch = false;        // meta T with I
  base::RelTime new_exptime = 0;
  bool drop_value_only = false;  // meta x: keep the item, empty its value
  uint32_t client_flags = 0;     // meta x with F: flags of the emptied item
};

struct ArithOptions {
  bool incr = true;
  uint64_t delta = 0;
  uint64_t compare_cas = 0;
  uint64_t new_cas = 0;
  bool vivify = false;  // meta N: create with `initial` on a miss
  uint64_t initial = 0;
  base::RelTime vivify_exptime = 0;
  bool touch = false;
  base::RelTime new_exptime = 0;
};

struct ArithOutcome {
  ArithResult result = ArithResult::kNotFound;
  uint64_t value = 0;
  uint64_t cas = 0;
  base::RelTime exptime = 0;        // after the operation
  base::RelTime prior_exptime = 0;  // before T (meta t before T)
  bool created = false;             // vivified
};

struct LruTuning {
  int hot_lru_pct = 20;  // lru tune
  int warm_lru_pct = 40;
  double hot_max_factor = 0.2;
  double warm_max_factor = 2.0;
  bool segmented = true;  // lru mode segmented|flat
  bool temp_lru = false;  // lru temp_ttl (negative: off)
  base::RelTime temporary_ttl = 61;
};

struct StoreConfig {
  size_t memory_limit = 64u << 20;  // -m, bytes; bounds items, index and LRU queues
  size_t item_size_max = 1u << 20;  // -I
  bool evict = true;                // false: -M
  bool cas_enabled = true;          // -C turns it off (CAS reported as 0)
  int workers = 4;                  // -t: sizes the stripe count
  int stripes_log2 = -1;            // < 0: chosen from workers and memory
  int hashpower = 16;               // -o hashpower: log2 of the initial buckets, all stripes
  bool hash_expand = true;          // -o no_hashexpand
  LruTuning lru;
  // Background thread (StartBackground).
  bool lru_maintainer = true;             // juggle HOT/WARM/COLD, reclaim expired tails
  bool lru_crawler = true;                // lru_crawler enable|disable
  uint32_t crawler_sleep_us = 100;        // lru_crawler sleep
  uint32_t crawler_tocrawl = 0;           // lru_crawler tocrawl (0: unlimited)
  base::RelTime autocrawl_interval = 60;  // seconds between automatic expiry crawls
  // Values at least this large carry a pin count (send by reference).
  size_t pin_min_value_size = 16384;
  // NUMA: topology root (tests inject a fake tree) and whether to bind each
  // node's memory with mbind.
  std::string numa_sysfs_root = "/sys/devices/system/node";
  bool numa_bind = true;
  // Virtual address space reserved for items (refs are 32-bit: at most 64 GiB).
  size_t region_bytes = size_t{64} << 30;
  // Transparent huge pages for item memory (memcached's -L, roughly).
  bool huge_pages = true;
  // Hash seed; 0,0 draws one from getrandom at start.
  uint64_t hash_seed0 = 0, hash_seed1 = 0;
};

// Position of a walk over all live items (metadump, snapshots). Holding a
// cursor in a stripe pauses that stripe's index growth, so each live item is
// visited exactly once; destroy or finish cursors promptly. Move-only.
class WalkCursor {
 public:
  WalkCursor() = default;
  ~WalkCursor();
  WalkCursor(WalkCursor&& other) noexcept;
  WalkCursor& operator=(WalkCursor&& other) noexcept;
  bool done() const { return done_; }

 private:
  friend class StoreThread;
  void Leave();
  Store* store_ = nullptr;
  uint32_t stripe_ = 0;
  uint64_t bucket_ = 0;
  bool in_stripe_ = false;
  bool done_ = false;
};

enum class CrawlStart : uint8_t {
  kOk,          // OK
  kBusy,        // BUSY currently processing crawler request
  kBadClass,    // BADCLASS invalid class id
  kNotStarted,  // NOTSTARTED no items to crawl
  kDisabled,    // the crawler is disabled (or no background thread)
};

// Told about every eviction (memcached's `watch evictions`). wanted() is
// asked first on every eviction, so it must be cheap; OnEviction runs on the
// evicting thread with the stripe locked and the item still readable.
struct EvictionEvent {
  std::string_view key;
  bool fetched = false;
  base::RelTime exptime = 0;  // 0: none
  base::RelTime last_access = 0;
  base::RelTime now = 0;
  int class_id = 0;
  size_t value_bytes = 0;
};
class EvictionListener {
 public:
  virtual ~EvictionListener() = default;
  virtual bool wanted() const = 0;
  virtual void OnEviction(const EvictionEvent& event) = 0;
};

class StoreThreadImpl;

// Per-thread handle. Create one per thread with Store::RegisterThread; use it
// only from that thread. Every data operation lives here.
class StoreThread final {
 public:
  ~StoreThread();
  StoreThread(const StoreThread&) = delete;
  StoreThread& operator=(const StoreThread&) = delete;

  // (Qualified: the member function Store() hides the class name here.)
  storage::Store* store() const { return store_; }
  int numa_node() const;

  GetResult Get(std::string_view key, base::RelTime now, const GetOptions& options);

  // Prefetch hints for pipelined requests: PrefetchBucket starts loading the
  // index buckets of a key that will be looked up soon and returns its hash;
  // PrefetchItems, called a little later with such hashes, starts loading the
  // items those buckets name under the keys' tags. Lookups of a batch then
  // wait for memory once, together, instead of once per request. Pure hints:
  // results never change.
  uint64_t PrefetchBucket(std::string_view key) const;
  uint64_t KeyHash(std::string_view key) const;
  // A staged look-ahead over `count` lookups about to be served in order
  // (their KeyHash()es in `hashes`): as lookup `index` is served, this moves
  // the loads of the ones after it one stage on: lookup index + 12 starts
  // loading its two buckets, index + 6 reads their tags and starts loading
  // the items they name under its tag (kPlanStages stages, kPlanDistance
  // apart). `staged[k]` counts the lookups stage k has reached and starts
  // zeroed; `cursors` (kPlanCursors per lookup) holds the addresses of its
  // buckets between the stages (written before read). Both belong to the
  // caller (server/key_plan.h). Cursors are valid until the thread next
  // quiesces or goes offline; pure hints otherwise. One call does every
  // stage, so the stages inline into it.
  static constexpr int kPlanStages = 2;
  static constexpr int kPlanDistance = 6;
  static constexpr int kPlanCursors = 2;
  void AdvancePlan(const uint64_t* hashes, uint64_t* cursors, int count, int* staged,
                   int index) const;
  void PrefetchItems(const uint64_t* hashes, int n) const;
  GetResult Get(std::string_view key, base::RelTime now) { return Get(key, now, GetOptions{}); }
  TouchResult Touch(std::string_view key, base::RelTime new_exptime, base::RelTime now);

  // Allocates an unlinked item whose value the caller fills, then Store()s.
  // kTooLarge follows memcached's limit: its own item size for this key,
  // flags and value (48-byte header, key+1, flags, value+2, CAS) above -I.
  AllocResult Allocate(std::string_view key, uint32_t client_flags, base::RelTime exptime,
                       size_t value_size, base::RelTime now, NewItem* out,
                       const AllocOptions& options = {});
  // Links `item` according to options.mode; on success *cas_out (if given)
  // receives the stored item's CAS.
  StoreResult Store(NewItem item, const StoreOptions& options, base::RelTime now,
                    uint64_t* cas_out);
  DeleteResult Delete(std::string_view key, const DeleteOptions& options, base::RelTime now);
  ArithOutcome Arith(std::string_view key, const ArithOptions& options, base::RelTime now);

  // Pins an item returned by Get this turn so it outlives Quiesce(). Empty
  // when the item is not pinnable (copy its value instead).
  ItemPin Pin(ItemView item);

  // Reclamation: end of an event-loop turn; before/after a long block.
  void Quiesce();
  void Offline();
  void Online();

  // Visits live items from `cursor` on: at most about `max_items` (whole
  // buckets) per call, each valid until Quiesce(). Returns false once the
  // walk is complete. Expired and flushed items are skipped.
  bool Walk(WalkCursor* cursor, size_t max_items, base::RelTime now,
            absl::FunctionRef<void(ItemView)> visit);

 private:
  friend class storage::Store;
  friend class NewItem;
  friend class StoreThreadImpl;
  StoreThread(storage::Store* store, std::unique_ptr<StoreThreadImpl> impl);
  void DropNew(Item* item);

  storage::Store* store_;
  std::unique_ptr<StoreThreadImpl> impl_;
};

inline void NewItem::Drop() {
  if (item_ != nullptr) owner_->DropNew(item_);
}
inline NewItem::~NewItem() { Drop(); }
inline NewItem::NewItem(NewItem&& other) noexcept
    : item_(other.item_), owner_(other.owner_), hash_(other.hash_), cost_(other.cost_) {
  other.item_ = nullptr;
}
inline NewItem& NewItem::operator=(NewItem&& other) noexcept {
  if (this != &other) {
    Drop();
    item_ = other.item_;
    owner_ = other.owner_;
    hash_ = other.hash_;
    cost_ = other.cost_;
    other.item_ = nullptr;
  }
  return *this;
}

class StoreImpl;

class Store {
 public:
  static absl::StatusOr<std::unique_ptr<Store>> Create(const StoreConfig& config);
  // Stops the background thread. Every StoreThread must be gone.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // `numa_node` < 0: the node of the calling thread's CPU.
  absl::StatusOr<std::unique_ptr<StoreThread>> RegisterThread(int numa_node = -1);

  // flush_all: memcached's rule. `when` is realtime(delay) for a positive
  // delay, else `now`; items last accessed at or before when-1 (and, for an
  // immediate flush, items whose CAS predates it) are dead once `when` - 1 <= now.
  void FlushAll(base::RelTime when, base::RelTime now);
  // cache_memlimit. Lowering it evicts lazily, on later writes and in the
  // background thread. Fails above the reserved region.
  absl::Status SetMemoryLimit(size_t bytes);
  size_t memory_limit() const;

  void SetLruTuning(const LruTuning& tuning);
  LruTuning lru_tuning() const;

  // Background LRU maintainer and crawler; `clock` is called for `now`.
  absl::Status StartBackground(std::function<base::RelTime()> clock);
  void StopBackground();
  void SetCrawlerEnabled(bool enabled);  // lru_crawler enable|disable
  // Listener for evictions (null: none); it must outlive the store's use of it.
  void SetEvictionListener(EvictionListener* listener);
  bool crawler_enabled() const;
  void SetCrawlerSleep(uint32_t micros);
  void SetCrawlerToCrawl(uint32_t items);
  // lru_crawler crawl <ids>|all: reclaim expired items of these classes
  // (empty: all) in the background.
  CrawlStart StartCrawl(std::span<const int> class_ids);
  bool crawler_running() const;

  // Class id (memcached's slab class) of a live item; 1 is the smallest.
  int ClassId(ItemView item) const;
  int class_count() const;
  // Largest item memcached would store (what -I bounds), for this key size.
  bool ItemTooLarge(size_t key_len, uint32_t client_flags, size_t value_size) const;

  void CollectStats(StoreStats* out) const;
  // Every class that has items, allocations or counters, ascending ids.
  // `now` dates the LRU ages.
  void CollectClassStats(std::vector<ClassStats>* out, base::RelTime now) const;
  // stats sizes_enable / sizes_disable / sizes.
  SizesHistogram::Status EnableSizes(bool enable);
  void CollectSizes(SizesHistogram* out) const;

  const StoreConfig& config() const;
  StoreImpl* impl() const { return impl_.get(); }

 private:
  explicit Store(std::unique_ptr<StoreImpl> impl);
  std::unique_ptr<StoreImpl> impl_;
};

}  // namespace ringcache::storage
