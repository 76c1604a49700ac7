// Time as memcached counts it: whole seconds relative to process start.
//
// `RelTime` is a seconds counter that starts a little above zero (memcached
// starts its clock 62 s "before" it really started so that 0 can mean
// "never"). Expiry times given by clients are converted with
// ProcessClock::ToRelExpiry, which implements memcached's rules exactly:
// 0 never expires, up to 30 days is relative to now, larger values are an
// absolute Unix time, negative values are already expired.
//
// Threading: ProcessClock is immutable after construction and may be shared.
// Each worker samples `Now()` once per event-loop turn and passes the value
// down; nothing below the server layer reads the time itself, which is what
// makes expiry testable with an injected clock.
#pragma once

#include <cstdint>
#include <ctime>

namespace ringcache::base {

using RelTime = uint32_t;

// Largest relative expiry in seconds; larger exptimes are absolute Unix times.
inline constexpr int64_t kMaxRelativeExpiry = 60 * 60 * 24 * 30;

class ProcessClock {
 public:
  // `started_unix` is the Unix time the process started; memcached subtracts
  // 62 s from it so a RelTime of 0 never occurs for a real instant.
  explicit ProcessClock(time_t started_unix) : epoch_(started_unix - 62) {}
  // Uses the current wall clock.
  static ProcessClock StartingNow();

  // Unix time corresponding to RelTime 0.
  time_t epoch() const { return epoch_; }

  // Current RelTime from the wall clock (CLOCK_REALTIME_COARSE).
  RelTime Now() const;

  RelTime FromUnix(time_t t) const { return t <= epoch_ ? 1 : static_cast<RelTime>(t - epoch_); }
  time_t ToUnix(RelTime t) const { return epoch_ + t; }

  // memcached's realtime(): a client exptime to a RelTime deadline, 0 = never.
  RelTime ToRelExpiry(int64_t exptime, RelTime now) const {
    if (exptime == 0) return 0;
    if (exptime < 0) return 1;  // memcached: already expired
    if (exptime > kMaxRelativeExpiry) {
      if (exptime <= epoch_) return 1;
      return static_cast<RelTime>(exptime - epoch_);
    }
    return static_cast<RelTime>(exptime + now);
  }

 private:
  time_t epoch_;
};

}  // namespace ringcache::base
