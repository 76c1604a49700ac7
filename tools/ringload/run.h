// A whole ringload run: resolve the servers, start one ClientThread per
// --threads (pinned when --cpus says so), connect, preload, warm up, measure,
// and gather what the threads counted into one RunResult.
//
// While the load runs, the calling thread wakes once a second, merges the
// intervals the load threads posted into the timeline and calls `on_second`
// (the live line). It also owns SIGINT and SIGTERM: they are blocked in
// every thread and taken with sigtimedwait here, so a Ctrl-C ends the run
// early but cleanly (results of the time measured so far are kept) without
// a signal handler or any global state.
//
// Threading: Run() blocks the calling thread until the run ends.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "histogram.h"
#include "options.h"
#include "stats.h"

namespace ringcache::ringload {

// One second of the measured run, all threads merged.
struct TimelinePoint {
  int64_t index = 0;     // seconds since the measured phase began (negative: warmup)
  double seconds = 1.0;  // length of the interval (the last may be shorter)
  Counters counters;
  uint64_t p50_ns = 0;
  uint64_t p99_ns = 0;
  uint64_t p999_ns = 0;
  uint64_t max_ns = 0;
  double ops_per_sec() const { return seconds > 0 ? counters.requests() / seconds : 0; }
};

struct RunResult {
  Options options;
  std::string ring_mode;
  uint64_t seed = 0;
  int64_t started_unix = 0;
  bool interrupted = false;
  int connections = 0;
  int live_connections = 0;

  Counters preload;
  double preload_seconds = 0;

  double measured_seconds = 0;
  Counters counters;
  Histogram latency;
  ScheduleStats schedule;
  std::vector<TimelinePoint> timeline;  // measured seconds only, in order

  // The load tool's own cost over the measured phase.
  double cpu_user_seconds = 0;
  double cpu_system_seconds = 0;
  uint64_t ring_enters = 0;
  uint64_t completions = 0;
  uint64_t sends = 0;
  uint64_t receives = 0;

  double ops_per_sec() const {
    return measured_seconds > 0 ? counters.requests() / measured_seconds : 0;
  }
};

// `on_second` sees every merged interval, warmup included, as it completes.
absl::StatusOr<RunResult> Run(const Options& options,
                              const std::function<void(const TimelinePoint&)>& on_second);

}  // namespace ringcache::ringload
