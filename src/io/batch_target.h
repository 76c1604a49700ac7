// How many completions an io_uring loop serving many peers should wait for.
//
// Waking a thread for every completion is what makes a busy loop expensive:
// each wake is an inter-processor interrupt on the sender's side and a kernel
// entry on the receiver's. Under load a loop does better to wait for several
// completions at once, with a short timeout in case they do not come. This
// target grows by one while turns bring more completions than it asked for,
// halves when a wait timed out, and never exceeds a cap the caller gives
// (about half its open connections), so a lone ping-pong peer never waits.
// The server's worker (src/io/uring_worker.cc) uses it. (A closed-loop load
// generator must not: holding back its refills until several replies are in
// starves a server of requests; measured at depth 1, 185k -> 140k ops/s.)
//
// Threading: one loop thread; no synchronisation.
#pragma once

#include <algorithm>
#include <cstdint>

namespace ringcache::io {

class BatchTarget {
 public:
  static constexpr unsigned kMax = 64;

  // Completions (beyond any the loop's own submissions produce) to wait for;
  // 1 means "wait for one, without a timer".
  unsigned target() const { return target_; }
  bool batching() const { return target_ > 1; }

  // One turn's outcome. `batched`: the wait asked for target() > 1 with a
  // timeout; `timed_out`: it expired first. `blocked`: the turn waited at all
  // (a polling turn says nothing about batch sizes). `arrived`: completions of
  // interest (receives) the turn brought. `cap`: the most worth waiting for.
  void Update(bool batched, bool timed_out, bool blocked, uint64_t arrived, unsigned cap) {
    if (batched && timed_out) {
      target_ = std::max(1u, target_ / 2);
    } else if (blocked && arrived > target_) {
      ++target_;
    }
    target_ = std::min(target_, std::max(1u, std::min(kMax, cap)));
  }

 private:
  unsigned target_ = 1;
};

}  // namespace ringcache::io
