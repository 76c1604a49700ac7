// ItemPin: large values outlive their turn (and their unlinking) while a send
// by reference is in flight.
#include <string>

#include "gtest/gtest.h"

#include "ringcache/base/out_buffer.h"
#include "store_fixture.h"

namespace ringcache::storage {
namespace {

using testing::StoreFixture;
using testing::ValueOf;

using PinTest = StoreFixture;

TEST_F(PinTest, PinnedItemSurvivesDeleteAndQuiesce) {
  const std::string big(100000, 'P');
  Set("big", big);
  ItemPin pin = t_->Pin(t_->Get("big", 100).item);
  ASSERT_TRUE(pin);
  t_->Delete("big", {}, 100);
  Set("big", "replaced");
  for (int i = 0; i < 20; ++i) t_->Quiesce();  // grace periods pass
  EXPECT_EQ(ValueOf(pin.view()), big);         // still readable (ASan would object)
  EXPECT_EQ(Value("big"), "replaced");
}

TEST_F(PinTest, SmallItemsAreNotPinnable) {
  Set("small", "v");
  GetResult g = t_->Get("small", 100);
  EXPECT_FALSE(g.item.pinnable());
  EXPECT_FALSE(t_->Pin(g.item));
  EXPECT_FALSE(t_->Pin(ItemView()));
}

TEST_F(PinTest, OutRefReleasesThePinWhenSent) {
  const std::string big(70000, 'Q');
  Set("big", big);
  base::BlockPool pool;
  {
    base::OutBuffer out(&pool);
    ItemPin pin = t_->Pin(t_->Get("big", 100).item);
    const ItemView::ValueParts parts = pin.view().value();
    out.AppendRef(parts.first, std::move(pin).ToOutRef());
    t_->Delete("big", {}, 100);
    for (int i = 0; i < 20; ++i) t_->Quiesce();
    std::string sent;
    out.CopyTo(&sent);
    EXPECT_EQ(sent, std::string(parts.first));
    out.Consume(out.size());  // releases the pin: the item is freed now
  }
  // Many pins on the same item, released in any order.
  Set("big2", big);
  ItemView v = t_->Get("big2", 100).item;
  ItemPin a = t_->Pin(v);
  ItemPin b = t_->Pin(v);
  t_->Delete("big2", {}, 100);
  for (int i = 0; i < 20; ++i) t_->Quiesce();
  a = ItemPin();
  EXPECT_EQ(ValueOf(b.view()), big);
  b = ItemPin();
}

TEST_F(PinTest, UnpinnedBeforeTheGracePeriodEndsIsFreedByReclamation) {
  const std::string big(50000, 'R');
  for (int round = 0; round < 50; ++round) {
    Set("big", big);
    { ItemPin pin = t_->Pin(t_->Get("big", 100).item); }
    t_->Delete("big", {}, 100);
    t_->Quiesce();
  }
  for (int i = 0; i < 20; ++i) t_->Quiesce();
  EXPECT_EQ(Stats().curr_items, 0u);
}

}  // namespace
}  // namespace ringcache::storage
