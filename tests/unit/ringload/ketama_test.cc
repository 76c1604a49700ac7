// Consistent hashing: stable, balanced, and moving few keys when a server
// joins.

#include "ketama.h"

#include <vector>

#include "gtest/gtest.h"

#include "key_space.h"

namespace ringcache::ringload {
namespace {

TEST(KetamaRingTest, OneServerOwnsEverything) {
  const KetamaRing ring({"a:1"});
  EXPECT_EQ(ring.ServerOf("anything"), 0u);
}

TEST(KetamaRingTest, BalancedAndDeterministic) {
  const std::vector<std::string> servers = {"10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211",
                                            "10.0.0.4:11211"};
  const KetamaRing ring(servers);
  const KetamaRing again(servers);
  const KeySpace keys = *KeySpace::Create("k", 12, 100'000);
  std::vector<int> counts(servers.size());
  for (uint64_t i = 0; i < keys.count(); ++i) {
    const std::string name = keys.Name(i);
    const uint32_t s = ring.ServerOf(name);
    ASSERT_LT(s, servers.size());
    ASSERT_EQ(s, again.ServerOf(name));
    ++counts[s];
  }
  // 160 points per server keep shares within about 15 % of even.
  for (const int c : counts) EXPECT_NEAR(c, 25'000, 3'750);
}

TEST(KetamaRingTest, AddingAServerMovesAboutItsShare) {
  const KetamaRing three({"a:1", "b:1", "c:1"});
  const KetamaRing four({"a:1", "b:1", "c:1", "d:1"});
  const KeySpace keys = *KeySpace::Create("k", 12, 60'000);
  int moved = 0;
  for (uint64_t i = 0; i < keys.count(); ++i) {
    const std::string name = keys.Name(i);
    const uint32_t before = three.ServerOf(name);
    const uint32_t after = four.ServerOf(name);
    if (before != after) {
      ++moved;
      EXPECT_EQ(after, 3u) << "keys only move to the new server";
    }
  }
  EXPECT_NEAR(moved, 15'000, 3'000);
}

}  // namespace
}  // namespace ringcache::ringload
