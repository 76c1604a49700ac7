#include "item_plan.h"

#include <cstring>
#include <vector>

#include "gtest/gtest.h"

#include "ringcache/memory/heap_cache.h"
#include "ringcache/memory/item_heap.h"

namespace ringcache::storage {
namespace {

const memory::SizeClassTable& Classes() {
  static const memory::SizeClassTable* t =
      new memory::SizeClassTable(memory::SizeClassTable::FromJemalloc(size_t{2} << 20));
  return *t;
}

TEST(ItemPlanTest, SmallItemWithCasFitsTheSixtyFourByteClass) {
  // The case: 12-byte key, 32-byte value, flags 0, no TTL.
  const ItemPlan p = PlanItem(Classes(), item_layout::kCas, 12, 32);
  EXPECT_EQ(p.header, 20u);
  EXPECT_EQ(p.head_bytes, 64u);
  EXPECT_EQ(p.charge, 64u);
  EXPECT_EQ(p.tail_len, 0u);
}

TEST(ItemPlanTest, OptionalFieldsCostFourBytesEach) {
  EXPECT_EQ(Item::HeaderSize(0), 12u);
  EXPECT_EQ(Item::HeaderSize(item_layout::kCas), 20u);
  EXPECT_EQ(Item::HeaderSize(item_layout::kCas | item_layout::kExptime), 24u);
  EXPECT_EQ(Item::HeaderSize(item_layout::kCas | item_layout::kExptime | item_layout::kFlags), 28u);
  // A split item names its tail with one 4-byte offset (and always has the
  // 4-byte value length).
  EXPECT_EQ(Item::HeaderSize(item_layout::kSplit | item_layout::kLongValue), 20u);
  // Values of 255 bytes and more store their length in a 4-byte field.
  EXPECT_EQ(PlanItem(Classes(), 0, 10, 254).header, 12u);
  EXPECT_EQ(PlanItem(Classes(), 0, 10, 255).header, 16u);
}

TEST(ItemPlanTest, ThousandByteValuesAreSplitInsteadOfWastingAQuarter) {
  const ItemPlan p = PlanItem(Classes(), item_layout::kCas, 12, 1000);
  ASSERT_NE(p.tail_len, 0u);
  // 28 bytes of header + 12 + 1000 = 1040 = a 1024-byte head + a 16-byte tail.
  EXPECT_EQ(p.header, 28u);
  EXPECT_EQ(p.head_bytes, 1024u);
  EXPECT_EQ(p.tail_len, 16u);
  EXPECT_EQ(p.charge, 1040u);
  EXPECT_EQ(p.head_bytes + p.tail_len, p.header + 12 + 1000);
  // Far below the 1280-byte class a single allocation would take.
  EXPECT_LT(p.charge, 1280u);
  EXPECT_LE(p.charge, 1.05 * 1012);
  EXPECT_EQ(Classes().size(p.head_class), p.head_bytes);
}

TEST(ItemPlanTest, SmallItemsAndWellFittingItemsAreNotSplit) {
  EXPECT_EQ(PlanItem(Classes(), item_layout::kCas, 10, 300).tail_len, 0u);
  // 1024 - 16 header - 8 cas: an exact fit.
  EXPECT_EQ(PlanItem(Classes(), item_layout::kCas, 10, 1024 - 24 - 10).tail_len, 0u);
}

TEST(ItemPlanTest, MegabyteItemsSplitOffTheirHeader) {
  const ItemPlan p = PlanItem(Classes(), item_layout::kCas, 20, 1 << 20);
  ASSERT_NE(p.tail_len, 0u);
  EXPECT_EQ(p.head_bytes, size_t{1} << 20);
  EXPECT_LT(p.charge, (size_t{1} << 20) + 4096);
}

TEST(ItemPlanTest, HeadSizesEncodeInOneByte) {
  int encodable = 0;
  for (int i = 0; i < Classes().count(); ++i) {
    const size_t size = Classes().size(i);
    const int code = EncodeHeadSize(size);
    if (size < 256) {
      EXPECT_EQ(code, -1);
      continue;
    }
    ASSERT_GE(code, 0) << size;  // every jemalloc class a head can be
    ASSERT_LE(code, 255);
    EXPECT_EQ(DecodeHeadSize(static_cast<uint8_t>(code)), size);
    ++encodable;
  }
  EXPECT_GT(encodable, 20);
  EXPECT_EQ(EncodeHeadSize(1000), -1);
  EXPECT_EQ(EncodeHeadSize(1025), -1);
}

TEST(ItemPlanTest, SplitTailIsAddressedRelativeToItsHead) {
  alignas(16) char buf[4096];
  EXPECT_TRUE(Item::SplitFits(buf, buf + 2048));
  EXPECT_TRUE(Item::SplitFits(buf + 2048, buf));
  EXPECT_FALSE(Item::SplitFits(buf, buf + 8));  // not in 16-byte units
  const char* far = buf + (int64_t{1} << 36);   // 64 GB away: beyond 2^31 units
  EXPECT_FALSE(Item::SplitFits(buf, far));
}

TEST(ItemPlanTest, TooLargeForEveryClass) {
  EXPECT_EQ(PlanItem(Classes(), 0, 10, size_t{64} << 20).head_class, -1);
}

TEST(ItemPlanTest, PlanOfAnItemMatchesItsPlanForEveryShape) {
  memory::ItemHeapOptions o;
  o.region_bytes = size_t{1} << 30;
  auto heap = std::move(*memory::ItemHeap::Create(o));
  memory::HeapCache cache(heap.get(), 0);
  const std::string key(40, 'k');
  for (uint8_t layout :
       {uint8_t{0}, item_layout::kCas,
        static_cast<uint8_t>(item_layout::kCas | item_layout::kExptime | item_layout::kFlags),
        static_cast<uint8_t>(item_layout::kPinnable | item_layout::kCas)}) {
    for (size_t v : {0, 1, 31, 254, 255, 600, 1000, 1500, 3000, 20000, 100000}) {
      const ItemPlan p = PlanItem(Classes(), layout, key.size(), v);
      void* head = cache.Allocate(p.head_bytes);
      char* tail = p.tail_len > 0 ? static_cast<char*>(cache.Allocate(p.tail_len)) : nullptr;
      Item* it = Item::Init(head, p.layout, key, v);
      if (tail != nullptr) it->InitSplit(tail, p.head_bytes);
      const ItemPlan q = PlanOf(Classes(), *it);
      EXPECT_EQ(q.charge, p.charge) << static_cast<int>(layout) << " " << v;
      EXPECT_EQ(q.head_bytes, p.head_bytes);
      EXPECT_EQ(it->value_size(), v);
      EXPECT_EQ(it->key(), key);
      EXPECT_EQ(it->head_value_len() + it->tail_len(), v);
      cache.Free(head, p.head_bytes);
      if (tail != nullptr) cache.Free(tail, p.tail_len);
    }
  }
}

TEST(ItemPlanTest, MemcachedSizeRuleForItemSizeMax) {
  // memcached's 48-byte header, key + 1, flags, value + "\r\n", CAS.
  EXPECT_EQ(MemcachedItemSize(3, 0, 10, true), 48u + 4 + 12 + 8);
  EXPECT_EQ(MemcachedItemSize(3, 7, 10, false), 48u + 4 + 4 + 12);
}

}  // namespace
}  // namespace ringcache::storage
