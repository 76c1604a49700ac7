// One cached item: header, key and value in one jemalloc allocation (or two,
// for a large value split into a head and a tail allocation).
//
// The header is variable-length so that a 12-byte key with a 32-byte value
// fits jemalloc's 64-byte class (20 bytes of header). Layout, all fields in
// host byte order, the item starting 16-byte aligned:
//
//   0  u32  next        position of the item's LRU queue entry while linked
//                       (lru_queue.h; under the stripe lock)
//   4  u32  time        last access, memcached's it->time (atomic)
//   8  u8   state       flag bits below, set by readers too (atomic)
//   9  u8   layout      which optional fields follow (immutable)
//   10 u8   key_len     1..250
//   11 u8   value_len8  value length without kLongValue; for a split item,
//                       the size of its head allocation (EncodeHeadSize)
//   then the optional 4-byte fields, in this order, each present per layout:
//        value_len (kLongValue), exptime (kExptime, atomic),
//        client_flags (kFlags), tail offset (kSplit), pins (kPinnable, atomic)
//   then the optional 8-byte field (4-byte aligned, read with memcpy): cas
//   then the key, then the value (its first part, for a split item).
//
// A split item's head is exactly one jemalloc size class, so the tail's
// length follows from the value length and the head size, and the tail is
// found at a signed offset (in 16-byte units) from the head: 8 bytes of
// header in all, which is what fits a 1000-byte value into 1024 + 16.
//
// Invariants:
//   - An item never changes size, key, value, flags or CAS once it is linked:
//     a new value, flags or CAS means a new item linked in its place. Only
//     `next`, `time`, `state`, `exptime` and `pins` change, all atomically.
//   - A missing exptime field means exptime 0 (never expires); giving such an
//     item an expiry relinks a copy that has the field.
//   - A split item's tail holds the last tail_len() value bytes and nothing
//     else; a split item always has kLongValue.
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
inline constexpr uint8_t kSplit = 1 << 3;  // tail offset; value_len8 holds the head size
inline constexpr uint8_t kPinnable = 1 << 4;
inline constexpr uint8_t kU32Fields = kLongValue | kExptime | kFlags | kSplit | kPinnable;
// 8-byte fields, in layout order.
inline constexpr uint8_t kCas = 1 << 5;
inline constexpr uint8_t kU64Fields = kCas;
// No field: the key arrived base64-encoded (meta b) and is echoed that way.
inline constexpr uint8_t kKeyBinary = 1 << 6;
}  // namespace item_layout

inline constexpr size_t kItemFixedHeader = 12;

namespace item_internal {
// Bits set in a 5-bit value. A table rather than std::popcount: without
// -mpopcnt the latter is a library call, and every item access needs it.
inline constexpr uint8_t kBits5[32] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                       1, 2, 2, 3, 2, 3, 3, 4, 2, 3, 3, 4, 3, 4, 4, 5};
}  // namespace item_internal
inline constexpr size_t kMaxKeyLength = 250;
// Pin count bit marking "grace period over, the last unpin frees it".
inline constexpr uint32_t kPinReclaimPending = 1u << 31;

// jemalloc's size classes from 256 bytes up are (4 + n) << k with n in 1..4:
// one byte holds k and n. Returns -1 for sizes that are not such a class.
constexpr int EncodeHeadSize(size_t size) {
  if (size < 256) return -1;
  const int top = std::bit_width(size) - 1;
  // A power of two is 8 << (top - 3); otherwise 5..7 << (top - 2).
  const int k = (size & (size - 1)) == 0 ? top - 3 : top - 2;
  const size_t m = size >> k;
  if ((m << k) != size || m < 5 || m > 8 || k > 63) return -1;
  return (k << 2) | static_cast<int>(m - 5);
}
constexpr size_t DecodeHeadSize(uint8_t code) {
  return static_cast<size_t>(4 + (code & 3) + 1) << (code >> 2);
}

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
    return RC_LIKELY(!has(item_layout::kLongValue)) ? value_len8_
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

  // Bytes of the head allocation actually used (header, key, head value); a
  // split item uses all of its head.
  size_t head_bytes() const {
    if (RC_LIKELY(!has(item_layout::kSplit))) return KeyOffset() + key_len_ + value_size();
    return DecodeHeadSize(value_len8_);
  }
  // Value bytes in the head allocation, and in the tail (split items).
  const char* head_value() const { return key_data() + key_len_; }
  char* head_value() { return Bytes() + KeyOffset() + key_len_; }
  size_t head_value_len() const {
    if (RC_LIKELY(!has(item_layout::kSplit))) return value_size();
    return DecodeHeadSize(value_len8_) - KeyOffset() - key_len_;
  }
  size_t tail_len() const { return has(item_layout::kSplit) ? value_size() - head_value_len() : 0; }
  char* tail() const {
    if (!has(item_layout::kSplit)) return nullptr;
    const auto offset = static_cast<int32_t>(LoadU32(U32Offset(item_layout::kSplit)));
    return const_cast<char*>(Bytes()) + static_cast<int64_t>(offset) * 16;
  }

  std::atomic_ref<uint32_t> pins() {
    return std::atomic_ref<uint32_t>(
        *reinterpret_cast<uint32_t*>(Bytes() + U32Offset(item_layout::kPinnable)));
  }

  // Header bytes before the key for a given layout.
  static constexpr size_t HeaderSize(uint8_t layout) {
    return kItemFixedHeader + 4 * item_internal::kBits5[layout & item_layout::kU32Fields] +
           ((layout & item_layout::kCas) != 0 ? 8 : 0);
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
    if (it->has(item_layout::kLongValue)) {
      it->value_len8_ = 0;
      it->StoreU32(it->U32Offset(item_layout::kLongValue), value_size);
    } else {
      it->value_len8_ = static_cast<uint8_t>(value_size);
    }
    std::memcpy(it->Bytes() + it->KeyOffset(), key.data(), key.size());
    return it;
  }
  void InitExptime(base::RelTime t) { StoreU32(U32Offset(item_layout::kExptime), t); }
  void InitFlags(uint32_t f) { StoreU32(U32Offset(item_layout::kFlags), f); }
  void InitPins() { StoreU32(U32Offset(item_layout::kPinnable), 0); }
  // The tail's offset must fit in 32 bits of 16-byte units (SplitFits).
  void InitSplit(const char* tail, size_t head_size) {
    value_len8_ = static_cast<uint8_t>(EncodeHeadSize(head_size));
    const auto units = static_cast<int32_t>((tail - Bytes()) / 16);
    StoreU32(U32Offset(item_layout::kSplit), static_cast<uint32_t>(units));
  }
  static bool SplitFits(const void* head, const void* tail) {
    const int64_t d = static_cast<const char*>(tail) - static_cast<const char*>(head);
    return d % 16 == 0 && d / 16 >= INT32_MIN && d / 16 <= INT32_MAX;
  }
  void InitCas(uint64_t cas) { std::memcpy(Bytes() + U64Offset(item_layout::kCas), &cas, 8); }

 private:
  const char* Bytes() const { return reinterpret_cast<const char*>(this); }
  char* Bytes() { return reinterpret_cast<char*>(this); }
  size_t U32Offset(uint8_t bit) const {
    return kItemFixedHeader +
           4 * item_internal::kBits5[layout_ & (bit - 1) & item_layout::kU32Fields];
  }
  // The only 8-byte field, CAS, follows the 4-byte ones.
  size_t U64Offset(uint8_t /*bit*/) const {
    return kItemFixedHeader + 4 * item_internal::kBits5[layout_ & item_layout::kU32Fields];
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
