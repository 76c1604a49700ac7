// The cache store: every memcached data operation (text, meta and binary
// protocols) expressed as a few primitives with memcached's exact semantics.
//
// CONTRACT DRAFT (server layer is written against it; the storage
// implementation may refine names but keeps the semantics and the threading
// model, and updates this comment when it does).
//
// Threading model:
//   - Any number of threads use one Store. Each registers once and gets a
//     StoreThread (per-thread allocation cache, reclamation slot, counters).
//   - Readers (Get, ...) take no lock and write nothing shared (except setting
//     an item's "active"/"fetched" bit once). A `const Item*`/ItemView handed
//     out stays valid until that thread's next Quiesce(), which the worker
//     calls at the end of every event-loop turn. To keep an item past that
//     point (a large value sent by reference), take an ItemPin.
//   - Writers lock one stripe for the lookup and link/unlink only.
//   - A thread about to block for a long time (epoll_wait, io_uring_enter
//     with wait) calls Offline() first and Online() after, so it does not
//     hold up reclamation.
//
// Time: every operation takes `now` (base::RelTime). Nothing in the store
// reads a clock, so tests inject time freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"

#include "ringcache/base/clock.h"
#include "ringcache/base/out_buffer.h"

namespace ringcache::storage {

class Item;  // opaque: header + key + value in one allocation
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

// Read-only view of a live item. Cheap to copy (one pointer).
class ItemView {
 public:
  ItemView() = default;
  explicit ItemView(const Item* item) : item_(item) {}
  explicit operator bool() const { return item_ != nullptr; }
  const Item* item() const { return item_; }

  std::string_view key() const;
  uint32_t client_flags() const;
  base::RelTime exptime() const;      // 0: never expires
  base::RelTime last_access() const;  // memcached's it->time
  uint64_t cas() const;
  bool fetched_before() const;  // meta 'h'
  bool stale() const;           // invalidated by meta I; meta 'X'
  size_t value_size() const;
  // The value as one or two contiguous parts (second may be empty).
  struct ValueParts {
    std::string_view first;
    std::string_view second;
  };
  ValueParts value() const;
  // jemalloc size class index the item is accounted in (stats slabs/items).
  int size_class() const;

 private:
  const Item* item_ = nullptr;
};

// Keeps an item's memory alive beyond the current turn. Move-only.
class ItemPin {
 public:
  ItemPin() = default;
  ~ItemPin();
  ItemPin(ItemPin&& other) noexcept;
  ItemPin& operator=(ItemPin&& other) noexcept;
  ItemView view() const { return ItemView(item_); }
  // Transfers the pin into an OutRef: the item is released when the bytes
  // referencing it are sent.
  base::OutRef ToOutRef() &&;

 private:
  friend class StoreThread;
  explicit ItemPin(Item* item) : item_(item) {}
  Item* item_ = nullptr;
};

// A new item being filled before it is linked (set/add/... while the value
// bytes arrive from the network). Move-only; dropping it frees the memory.
class NewItem {
 public:
  NewItem() = default;
  ~NewItem();
  NewItem(NewItem&& other) noexcept;
  NewItem& operator=(NewItem&& other) noexcept;
  explicit operator bool() const { return item_ != nullptr; }
  size_t value_size() const;
  // Where the value bytes go, in up to two parts (fill first, then second).
  struct Writable {
    char* first;
    size_t first_len;
    char* second;
    size_t second_len;
  };
  Writable value();

 private:
  friend class StoreThread;
  NewItem(Item* item, StoreThread* owner) : item_(item), owner_(owner) {}
  Item* item_ = nullptr;
  StoreThread* owner_ = nullptr;
};

// --- Options of the primitive operations (meta flags map onto these) ---

struct GetOptions {
  bool bump = true;               // count as an access (active bit, last access)
  bool touch = false;             // gat/gats, meta T
  base::RelTime new_exptime = 0;  // with touch
  // Meta N: on a miss, create an empty item with this exptime and hand the
  // caller the win token.
  bool vivify = false;
  base::RelTime vivify_exptime = 0;
  // Meta R: if the item's remaining TTL is below this, the first caller wins
  // the right to recache it.
  bool recache = false;
  base::RelTime recache_below = 0;
};

struct GetResult {
  ItemView item;         // null on a miss
  bool won = false;      // meta W: this caller should refresh the item
  bool lost = false;     // meta Z: another caller already holds the win token
  bool created = false;  // vivified on this call (meta: empty value + W)
};

struct StoreOptions {
  StoreMode mode = StoreMode::kSet;
  uint64_t compare_cas = 0;  // kCas / meta C
  uint64_t new_cas = 0;      // meta E: use this CAS instead of a fresh one
  bool invalidate = false;   // meta I: with a stale CAS, store but mark stale
};

struct DeleteOptions {
  uint64_t compare_cas = 0;  // meta C
  uint64_t new_cas = 0;      // meta E
  bool invalidate = false;   // meta I: mark stale instead of removing
  bool touch = false;        // meta T with I
  base::RelTime new_exptime = 0;
  bool drop_value_only = false;  // meta x: keep the item, empty its value
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
  base::RelTime exptime = 0;
};

struct StoreConfig {
  size_t memory_limit = 64u << 20;  // -m, bytes; bounds items, headers, index
  size_t item_size_max = 1u << 20;  // -I
  bool evict = true;                // false: -M
  bool cas_enabled = true;          // -C turns it off (CAS reported as 0)
  int stripes_log2 = 0;             // 0: chosen from the worker count
  int hashpower = 0;                // -o hashpower: initial index size, 0 = default
  bool hash_expand = true;          // -o no_hashexpand
  // Segmented LRU tuning (memcached's defaults).
  int hot_lru_pct = 20;
  int warm_lru_pct = 40;
  double hot_max_factor = 0.2;
  double warm_max_factor = 2.0;
  bool temp_lru = false;
  base::RelTime temporary_ttl = 61;
};

// Aggregated counters for `stats` (server layer adds its per-thread counters).
// The storage implementation extends this with everything `stats`, `stats
// items`, `stats slabs` and `stats sizes` need.
struct StoreStats {
  uint64_t curr_items = 0;
  uint64_t total_items = 0;
  uint64_t bytes = 0;  // item bytes accounted (nallocx sizes)
  uint64_t limit_maxbytes = 0;
  uint64_t evictions = 0;
  uint64_t evicted_unfetched = 0;
  uint64_t evicted_active = 0;
  uint64_t expired_unfetched = 0;
  uint64_t reclaimed = 0;
  uint64_t moves_to_cold = 0;
  uint64_t moves_to_warm = 0;
  uint64_t moves_within_lru = 0;
  uint64_t lru_bumps_dropped = 0;
  uint64_t crawler_reclaimed = 0;
  uint64_t crawler_items_checked = 0;
  uint64_t lru_crawler_starts = 0;
  uint64_t hash_power_level = 0;
  uint64_t hash_bytes = 0;
  bool hash_is_expanding = false;
};

// Per-thread handle. Create one per thread with Store::RegisterThread; use it
// only from that thread. Every data operation lives here.
class StoreThread {
 public:
  virtual ~StoreThread() = default;

  virtual GetResult Get(std::string_view key, base::RelTime now, const GetOptions& options) = 0;
  GetResult Get(std::string_view key, base::RelTime now) { return Get(key, now, GetOptions{}); }
  virtual TouchResult Touch(std::string_view key, base::RelTime new_exptime, base::RelTime now) = 0;

  // Allocates an unlinked item whose value the caller fills, then Store()s.
  virtual AllocResult Allocate(std::string_view key, uint32_t client_flags, base::RelTime exptime,
                               size_t value_size, base::RelTime now, NewItem* out) = 0;
  // Links `item` according to options.mode; on success *cas_out (if given)
  // receives the stored item's CAS.
  virtual StoreResult Store(NewItem item, const StoreOptions& options, base::RelTime now,
                            uint64_t* cas_out) = 0;
  virtual DeleteResult Delete(std::string_view key, const DeleteOptions& options,
                              base::RelTime now) = 0;
  virtual ArithOutcome Arith(std::string_view key, const ArithOptions& options,
                             base::RelTime now) = 0;

  // Pins an item returned by Get this turn so it outlives Quiesce().
  virtual ItemPin Pin(ItemView item) = 0;

  // Reclamation: end of an event-loop turn; before/after a long block.
  virtual void Quiesce() = 0;
  virtual void Offline() = 0;
  virtual void Online() = 0;
};

class Store {
 public:
  static absl::StatusOr<std::unique_ptr<Store>> Create(const StoreConfig& config);
  virtual ~Store() = default;

  // `numa_node` < 0: the node of the calling thread's CPU.
  virtual std::unique_ptr<StoreThread> RegisterThread(int numa_node) = 0;

  // flush_all: items stored before `when` (<= now: immediately) are dead.
  virtual void FlushAll(base::RelTime when, base::RelTime now) = 0;
  // cache_memlimit.
  virtual absl::Status SetMemoryLimit(size_t bytes) = 0;
  virtual void CollectStats(StoreStats* out) const = 0;
};

}  // namespace ringcache::storage
