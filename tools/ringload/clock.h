// The load tool's time source: CLOCK_MONOTONIC in nanoseconds (a vDSO call,
// no system call). Read once per event-loop turn; every completion reaped in
// that turn shares the reading.
#pragma once

#include <cstdint>
#include <ctime>

namespace ringcache::ringload {

inline int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

inline constexpr int64_t kNsPerSecond = 1'000'000'000;

}  // namespace ringcache::ringload
