// How an item of a given shape is laid out in memory and what it costs.
//
// The plan fixes the header layout (which optional fields exist), whether the
// value is split into a head and a tail allocation, and the bytes charged to
// the memory budget (jemalloc's class sizes of both allocations). Everything
// is a pure function of (layout bits, key length, value size) and the size
// class table, so an item's charge and class can be recomputed from its
// header when it is unlinked or freed, without storing them.
//
// Splitting: jemalloc's classes are up to 25 % apart, so an item of 1048
// bytes would occupy 1280. When some head class below the item's size plus
// the class of the remainder cost less than the single class, the item is
// split. Cost counts jemalloc's per-slab metadata too (a slab of a 1 KB class
// may hold only a few regions), estimated from the class table.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ringcache/memory/size_classes.h"
#include "ringcache/storage/item.h"

namespace ringcache::storage {

struct ItemPlan {
  uint8_t layout = 0;
  size_t header = 0;      // bytes before the key
  size_t head_bytes = 0;  // request size of the head allocation
  size_t tail_len = 0;    // request size of the tail allocation (0: not split)
  size_t charge = 0;      // class bytes of head + tail
  int head_class = -1;    // index in the size class table of the head
  size_t total() const { return head_bytes + tail_len; }
};

// Items below this size are never split: the tail's own allocation and the
// 12 header bytes it needs outweigh what a split could save.
inline constexpr size_t kMinSplitItem = 512;

// `layout` holds the caller's optional fields (exptime, flags, CAS, key
// binary, pinnable); the plan adds kLongValue and kSplit as needed. Returns a
// plan with head_class -1 when the item exceeds the largest class.
// `allow_split` false forces one allocation (the fallback when a tail lands
// too far from its head to be addressed).
ItemPlan PlanItem(const memory::SizeClassTable& classes, uint8_t layout, size_t key_len,
                  size_t value_size, bool allow_split = true);

// The plan of an existing item, from its header.
ItemPlan PlanOf(const memory::SizeClassTable& classes, const Item& item);

// memcached's own size of this item (sizeof(item) 48, key + 1, 4 bytes of
// flags when non-zero, value + 2 for "\r\n", 8 bytes of CAS): what -I bounds.
// memcached stores items above half a slab page (512 KB) as chunks, and
// refuses incr/decr on chunked items as non-numeric.
inline constexpr size_t kMemcachedChunkMax = 512 * 1024;

inline size_t MemcachedItemSize(size_t key_len, uint32_t client_flags, size_t value_size,
                                bool cas_enabled) {
  return 48 + key_len + 1 + (client_flags != 0 ? 4 : 0) + value_size + 2 + (cas_enabled ? 8 : 0);
}

}  // namespace ringcache::storage
