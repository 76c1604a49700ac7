#include "item_plan.h"

#include <algorithm>

namespace ringcache::storage {
namespace {

// jemalloc's per-slab metadata (an extent descriptor) and per-page radix tree
// entries, measured on jemalloc 5.3 as ~128 bytes plus ~8 per page.
constexpr size_t kSlabMetadata = 128;
constexpr size_t kPageMetadata = 8;
constexpr size_t kPage = 4096;

// Estimated resident bytes of one allocation in class `index`.
size_t Cost(const memory::SizeClassTable& classes, int index) {
  const memory::SizeClass& c = classes.at(index);
  const size_t meta = kSlabMetadata + kPageMetadata * std::max<size_t>(1, c.slab_bytes / kPage);
  return c.size + meta / std::max<uint32_t>(1, c.regions_per_slab);
}

// Candidate head classes examined below the item's size.
constexpr int kHeadCandidates = 4;

}  // namespace

ItemPlan PlanItem(const memory::SizeClassTable& classes, uint8_t layout, size_t key_len,
                  size_t value_size, bool allow_split) {
  ItemPlan p;
  layout &= static_cast<uint8_t>(~(item_layout::kLongValue | item_layout::kSplit));
  if (value_size >= 255) layout |= item_layout::kLongValue;
  p.layout = layout;
  p.header = Item::HeaderSize(layout);
  const size_t single = p.header + key_len + value_size;
  p.head_bytes = single;
  p.head_class = classes.IndexOf(single);
  if (p.head_class >= 0) p.charge = classes.size(p.head_class);
  if (!allow_split || single < kMinSplitItem || p.head_class < 0 ||
      p.charge - single <= single / 32 /* waste under ~3 %: not worth a second allocation */) {
    return p;
  }

  const uint8_t split_layout = layout | item_layout::kSplit | item_layout::kLongValue;
  const size_t split_header = Item::HeaderSize(split_layout);
  const size_t total = split_header + key_len + value_size;
  // The head must hold the header, the key and at least some value.
  const size_t min_head = split_header + key_len + 1;
  size_t best_cost = Cost(classes, p.head_class);
  int best_head = -1;
  int h = classes.IndexAtMost(total - 1);
  for (int k = 0; k < kHeadCandidates && h >= 0; ++k, --h) {
    const size_t head = classes.size(h);
    if (head < min_head || head * 2 < total) break;
    if (EncodeHeadSize(head) < 0) continue;  // the header could not name it
    const int tail_class = classes.IndexOf(total - head);
    if (tail_class < 0) continue;
    const size_t cost = Cost(classes, h) + Cost(classes, tail_class);
    if (cost < best_cost) {
      best_cost = cost;
      best_head = h;
    }
  }
  if (best_head < 0) return p;
  p.layout = split_layout;
  p.header = split_header;
  p.head_class = best_head;
  p.head_bytes = classes.size(best_head);
  p.tail_len = total - p.head_bytes;
  p.charge = p.head_bytes + classes.size(classes.IndexOf(p.tail_len));
  return p;
}

ItemPlan PlanOf(const memory::SizeClassTable& classes, const Item& item) {
  ItemPlan p;
  p.layout = item.layout();
  p.header = Item::HeaderSize(p.layout);
  p.head_bytes = item.head_bytes();
  p.tail_len = item.tail_len();
  p.head_class = classes.IndexOf(p.head_bytes);
  p.charge =
      classes.size(p.head_class) + (p.tail_len > 0 ? classes.size(classes.IndexOf(p.tail_len)) : 0);
  return p;
}

}  // namespace ringcache::storage
