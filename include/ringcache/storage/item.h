// One cached item: header, key and value in one jemalloc allocation (or two,
// for a large value split into a head and a tail allocation).
//
// The header is variable-length so that a 12-byte key with a 32-byte value
// fits jemalloc's 64-byte class (20 bytes of header). Layout, all fields in
// host byte order, the item starting 16-byte aligned:
//
//   0  u32  next        index chain: reference of the next item (atomic)
//   4  u32  time        last access, memcached's it->time (atomic)
//   8  u8   state       flag bits below, set by readers too (atomic)
//   9  u8   layout      which optional fields follow (immutable)
//   10 u8   key_len     1..250
//   11 u8   value_len8  value length, or 255: the u32 field holds it
//   then the optional 4-byte fields, in this order, each present per layout:
//        value_len (kLongValue), exptime (kExptime, atomic),
//        client_flags (kFlags), tail_len (kSplit), pins (kPinnable, atomic)
//   then the optional 8-byte fields (4-byte aligned, read with memcpy):
//        tail pointer (kSplit), cas (kCas)
//   then the key, then the value (its first part, for a split item).
//
// Invariants:
//   - An item never changes size, key, value, flags or CAS once it is linked:
//     a new value, flags or CAS means a new item linked in its place. Only
//     `next`, `time`, `state`, `exptime` and `pins` change, all atomically.
//   - A missing exptime field means exptime 0 (never expires); giving such an
//     item an expiry relinks a copy that has the field.
//   - A split item's tail holds the last `tail_len` value bytes and nothing else.
//
// Threading: an item reachable from the index may be read by any thread
// without a lock; `state` bits kFetched/kActive/kTokenSent are set by readers
// with atomic RMW, everything else changes under the stripe lock.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ringcache/base/clock.h"
#include "ringcache/base/compiler.h"

namespace ringcache::storage {

// Segments of the segmented LRU, as memcached names them.
enum class Segment : uint8_t { kHot = 0, kWarm = 1, kCold = 2, kTemp = 3 };
inline constexpr int kSegments = 4;

namespace item_state {
inline constexpr uint8_t kFetched = 1 << 0;    // fetched at least once (meta h)
inline constexpr uint8_t kActive = 1 << 1;     // fetched twice: rescued from tails
inline constexpr uint8_t kTokenSent = 1 << 2;  // meta win token handed out (W/Z)
inline constexpr uint8_t kStale = 1 << 3;      // invalidated by meta I (X)
inline constexpr uint8_t kLinked = 1 << 4;     // reachable from the index
inline constexpr int kSegmentShift = 5;
inline constexpr uint8_t kSegmentMask = 3 << kSegmentShift;
}  // namespace item_state

namespace item_layout {
// 4-byte fields, in layout order.
inline constexpr uint8_t kLongValue = 1 << 0;
inline constexpr uint8_t kExptime = 1 << 1;
inline constexpr uint8_t kFlags = 1 << 2;
inline constexpr uint8_t kSplit = 1 << 3;  // tail_len (4 bytes) and tail pointer (8 bytes)
inline constexpr uint8_t kPinnable = 1 << 4;
inline constexpr uint8_t kU32Fields = kLongValue | kExptime | kFlags | kSplit | kPinnable;
// 8-byte fields, in layout order.
inline constexpr uint8_t kCas = 1 << 5;
inline constexpr uint8_t kU64Fields = kSplit | kCas;
// No field: the key arrived base64-encoded (meta b) and is echoed that way.
inline constexpr uint8_t kKeyBinary = 1 << 6;
}  // namespace item_layout

inline constexpr size_t kItemFixedHeader = 12;
inline constexpr size_t kMaxKeyLength = 250;
// Pin count bit marking "grace period over, the last unpin frees it".
inline constexpr uint32_t kPinReclaimPending = 1u << 31;

class Item {
 public:
  Item() = delete;

  // --- Mutable metadata ---
  std::atomic<uint32_t>& next() { return next_; }
  const std::atomic<uint32_t>& next() const { return next_; }
  std::atomic<uint8_t>& state() { return state_; }
  uint8_t state_bits() const { return state_.load(std::memory_order_relaxed); }
  base::RelTime time() const { return time_.load(std::memory_order_relaxed); }
  void set_time(base::RelTime t) { time_.store(t, std::memory_order_relaxed); }
  Segment segment() const {
    return static_cast<Segment>((state_bits() & item_state::kSegmentMask) >>
                                item_state::kSegmentShift);
  }

  // --- Immutable shape ---
  uint8_t layout() const { return layout_; }
  bool has(uint8_t layout_bit) const { return (layout_ & layout_bit) != 0; }
  size_t key_len() const { return key_len_; }
  size_t value_size() const {
    return RC_LIKELY(value_len8_ != 255) ? value_len8_
                                         : LoadU32(U32Offset(item_layout::kLongValue));
  }
  const char* key_data() const { return Bytes() + KeyOffset(); }
  std::string_view key() const { return {key_data(), key_len_}; }
  uint32_t client_flags() const {
    return has(item_layout::kFlags) ? LoadU32(U32Offset(item_layout::kFlags)) : 0;
  }
  uint64_t cas() const {
    if (!has(item_layout::kCas)) return 0;
    uint64_t v;
    std::memcpy(&v, Bytes() + U64Offset(item_layout::kCas), sizeof(v));
    return v;
  }
  base::RelTime exptime() const {
    if (!has(item_layout::kExptime)) return 0;
    return ExptimeRef().load(std::memory_order_relaxed);
  }
  void set_exptime(base::RelTime t) { ExptimeRef().store(t, std::memory_order_relaxed); }

  // Value bytes in the head allocation, and in the tail (split items).
  size_t tail_len() const {
    return has(item_layout::kSplit) ? LoadU32(U32Offset(item_layout::kSplit)) : 0;
  }
  const char* head_value() const { return key_data() + key_len_; }
  char* head_value() { return Bytes() + KeyOffset() + key_len_; }
  size_t head_value_len() const { return value_size() - tail_len(); }
  char* tail() const {
    if (!has(item_layout::kSplit)) return nullptr;
    char* p;
    std::memcpy(&p, Bytes() + U64Offset(item_layout::kSplit), sizeof(p));
    return p;
  }
  // Bytes of the head allocation actually used (header, key, head value).
  size_t head_bytes() const { return KeyOffset() + key_len_ + head_value_len(); }

  std::atomic_ref<uint32_t> pins() {
    return std::atomic_ref<uint32_t>(
        *reinterpret_cast<uint32_t*>(Bytes() + U32Offset(item_layout::kPinnable)));
  }

  // Header bytes before the key for a given layout.
  static constexpr size_t HeaderSize(uint8_t layout) {
    return kItemFixedHeader +
           4 * std::popcount(static_cast<unsigned>(layout & item_layout::kU32Fields)) +
           8 * std::popcount(static_cast<unsigned>(layout & item_layout::kU64Fields));
  }

  // --- Construction (the storage implementation only) ---
  // Writes the fixed header of an unlinked item; optional fields after.
  static Item* Init(void* mem, uint8_t layout, std::string_view key, size_t value_size) {
    Item* it = static_cast<Item*>(mem);
    new (&it->next_) std::atomic<uint32_t>(0);
    new (&it->time_) std::atomic<uint32_t>(0);
    new (&it->state_) std::atomic<uint8_t>(0);
    it->layout_ = layout;
    it->key_len_ = static_cast<uint8_t>(key.size());
    it->value_len8_ = value_size >= 255 ? 255 : static_cast<uint8_t>(value_size);
    if (value_size >= 255) it->StoreU32(it->U32Offset(item_layout::kLongValue), value_size);
    std::memcpy(it->Bytes() + it->KeyOffset(), key.data(), key.size());
    return it;
  }
  void InitExptime(base::RelTime t) { StoreU32(U32Offset(item_layout::kExptime), t); }
  void InitFlags(uint32_t f) { StoreU32(U32Offset(item_layout::kFlags), f); }
  void InitPins() { StoreU32(U32Offset(item_layout::kPinnable), 0); }
  void InitSplit(char* tail, size_t tail_len) {
    StoreU32(U32Offset(item_layout::kSplit), static_cast<uint32_t>(tail_len));
    std::memcpy(Bytes() + U64Offset(item_layout::kSplit), &tail, sizeof(tail));
  }
  void InitCas(uint64_t cas) { std::memcpy(Bytes() + U64Offset(item_layout::kCas), &cas, 8); }

 private:
  const char* Bytes() const { return reinterpret_cast<const char*>(this); }
  char* Bytes() { return reinterpret_cast<char*>(this); }
  size_t U32Offset(uint8_t bit) const {
    return kItemFixedHeader +
           4 * std::popcount(static_cast<unsigned>(layout_ & (bit - 1) & item_layout::kU32Fields));
  }
  size_t U64Base() const {
    return kItemFixedHeader +
           4 * std::popcount(static_cast<unsigned>(layout_ & item_layout::kU32Fields));
  }
  size_t U64Offset(uint8_t bit) const {
    return U64Base() +
           8 * std::popcount(static_cast<unsigned>(layout_ & (bit - 1) & item_layout::kU64Fields));
  }
  size_t KeyOffset() const { return HeaderSize(layout_); }
  uint32_t LoadU32(size_t off) const {
    uint32_t v;
    std::memcpy(&v, Bytes() + off, sizeof(v));
    return v;
  }
  void StoreU32(size_t off, size_t v) {
    const uint32_t u = static_cast<uint32_t>(v);
    std::memcpy(Bytes() + off, &u, sizeof(u));
  }
  std::atomic_ref<uint32_t> ExptimeRef() const {
    return std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(
        const_cast<char*>(Bytes()) + U32Offset(item_layout::kExptime)));
  }

  std::atomic<uint32_t> next_;
  std::atomic<uint32_t> time_;
  std::atomic<uint8_t> state_;
  uint8_t layout_;
  uint8_t key_len_;
  uint8_t value_len8_;
};

static_assert(sizeof(Item) == kItemFixedHeader);
static_assert(std::atomic<uint32_t>::is_always_lock_free);

}  // namespace ringcache::storage
