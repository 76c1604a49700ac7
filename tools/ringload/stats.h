// What ringload counts: operations, hits and misses per kind of request,
// errors by kind, bytes, and latency histograms.
//
// Each load thread counts into its current interval (one second of the run);
// at every interval boundary it hands the interval to the run
// (IntervalRecord) and folds it into its totals if the interval was
// measured. Nothing on the request path is shared between threads.
//
// Threading: plain data, owned by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "histogram.h"

namespace ringcache::ringload {

enum class OpKind : uint8_t { kGet, kSet, kDelete, kIncr, kTouch };
inline constexpr size_t kOpKinds = 5;
std::string_view OpKindName(OpKind op);

enum class ErrorKind : uint8_t {
  kClientError,  // CLIENT_ERROR (or the binary equivalents)
  kServerError,  // SERVER_ERROR (out of memory, too large, ...)
  kError,        // ERROR: the server did not know the command
  kNotStored,    // a set answered NOT_STORED
  kExists,       // a set answered EXISTS
  kProtocol,     // a reply that is malformed or does not answer the request
  kConnection,   // a connection failed or was closed by the server
  kVerify,       // --verify: a value failed its checksum or named another key
  kTimeout,      // a connection with requests outstanding heard nothing for --timeout
};
inline constexpr size_t kErrorKinds = 9;
std::string_view ErrorKindName(ErrorKind kind);

struct OpCounters {
  uint64_t requests = 0;  // completed requests (a multi-key get counts once)
  uint64_t keys = 0;      // keys they named
  uint64_t hits = 0;      // keys found (gets), or found and changed (delete, incr, touch)
  uint64_t misses = 0;
};

struct Counters {
  std::array<OpCounters, kOpKinds> ops{};
  std::array<uint64_t, kErrorKinds> errors{};
  // kVerify broken down: too short, bad version field, bad checksum, a
  // value named by another key than the one asked for.
  std::array<uint64_t, 4> verify_failures{};
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;

  uint64_t requests() const;
  uint64_t keys() const;
  uint64_t hits() const;
  uint64_t misses() const;
  uint64_t error_total() const;
  void Add(const Counters& other);
};

// One interval of one thread, as handed to the run.
struct IntervalRecord {
  int64_t index = 0;  // seconds since the measured phase began (negative: warmup)
  Counters counters;
  std::unique_ptr<Histogram> latency;
};

// The open loop's lateness: how long after its intended time each request
// actually left.
struct ScheduleStats {
  Histogram lag;
  uint64_t backlog_peak = 0;  // most arrivals waiting for a free slot on one connection
  uint64_t dropped = 0;       // arrivals dropped because a backlog hit its limit
};

}  // namespace ringcache::ringload
