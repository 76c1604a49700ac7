#include "ringcache/base/clock.h"

#include "gtest/gtest.h"

namespace ringcache::base {
namespace {

TEST(ProcessClockTest, EpochIsSixtyTwoSecondsBeforeStart) {
  ProcessClock clock(1'000'000);
  EXPECT_EQ(clock.epoch(), 1'000'000 - 62);
  EXPECT_EQ(clock.FromUnix(1'000'000), 62u);
  EXPECT_EQ(clock.ToUnix(62), 1'000'000);
}

TEST(ProcessClockTest, ExpiryFollowsMemcachedRules) {
  ProcessClock clock(1'700'000'000);
  const RelTime now = 500;
  EXPECT_EQ(clock.ToRelExpiry(0, now), 0u) << "0 never expires";
  EXPECT_EQ(clock.ToRelExpiry(10, now), 510u) << "small values are relative";
  EXPECT_EQ(clock.ToRelExpiry(kMaxRelativeExpiry, now), now + kMaxRelativeExpiry);
  EXPECT_EQ(clock.ToRelExpiry(-1, now), 1u) << "negative is already expired";
  // Past the 30-day limit the value is an absolute Unix time.
  EXPECT_EQ(clock.ToRelExpiry(1'700'000'100, now), 162u);
  EXPECT_EQ(clock.ToRelExpiry(kMaxRelativeExpiry + 1, now), 1u) << "absolute time in the past";
}

TEST(ProcessClockTest, NowIsCloseToWallClock) {
  const ProcessClock clock = ProcessClock::StartingNow();
  const RelTime t = clock.Now();
  EXPECT_GE(t, 61u);
  EXPECT_LE(t, 64u);
}

}  // namespace
}  // namespace ringcache::base
