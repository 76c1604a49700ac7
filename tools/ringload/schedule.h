// The open loop's arrival schedule: a Poisson process of a given rate, i.e.
// exponentially distributed gaps between intended send times.
//
// Each thread runs one schedule at its share of the total rate and hands
// every arrival to a connection chosen uniformly at random; by the splitting
// property of Poisson processes each connection then sees a Poisson process
// of its own share. A request's latency is measured from its intended time,
// not from when the tool got round to sending it, so a stalled server (or a
// stalled tool) shows up as latency instead of silently lowering the offered
// load (no coordinated omission).
//
// Threading: one schedule per thread.
#pragma once

#include <cstdint>

#include "rng.h"

namespace ringcache::ringload {

class PoissonSchedule {
 public:
  // `rate` arrivals per second (> 0), the first one an exponential gap after
  // `start_ns`.
  PoissonSchedule(double rate, int64_t start_ns, Rng* rng)
      : mean_gap_ns_(1e9 / rate), rng_(rng), next_(start_ns) {
    Advance();
  }

  // The intended time of the next arrival.
  int64_t next() const { return next_; }
  // Moves to the arrival after next().
  void Advance() {
    exact_ += rng_->Exponential(mean_gap_ns_);
    // Whole nanoseconds from an exact running sum: rounding never drifts.
    next_ = base_ + static_cast<int64_t>(exact_);
  }

  double mean_gap_ns() const { return mean_gap_ns_; }

 private:
  double mean_gap_ns_;
  Rng* rng_;
  int64_t next_;
  int64_t base_ = next_;
  double exact_ = 0;
};

}  // namespace ringcache::ringload
