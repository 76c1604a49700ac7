#include "ringcache/base/clock.h"

#include <time.h>

namespace ringcache::base {

ProcessClock ProcessClock::StartingNow() { return ProcessClock(time(nullptr)); }

RelTime ProcessClock::Now() const {
  timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return FromUnix(ts.tv_sec);
}

}  // namespace ringcache::base
