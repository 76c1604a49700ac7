// Where a load thread leaves its finished one-second intervals for the main
// thread, which merges them into the live line and the timeline.
//
// A thread posts once per second, so a mutex costs nothing that matters and
// keeps the hand-over obviously correct. It is a std::mutex rather than an
// absl::Mutex so ThreadSanitizer sees it (Debian's abseil is not built with
// the sanitizer's annotations).
//
// Threading: Post from the load thread, Take from the main thread.
#pragma once

#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

#include "stats.h"

namespace ringcache::ringload {

class IntervalMailbox {
 public:
  void Post(IntervalRecord record) {
    std::lock_guard<std::mutex> lock(mu_);
    records_.push_back(std::move(record));
  }
  std::vector<IntervalRecord> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(records_, {});
  }

 private:
  std::mutex mu_;
  std::vector<IntervalRecord> records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ringcache::ringload
