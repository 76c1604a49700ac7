#include "stats.h"

namespace ringcache::ringload {

std::string_view OpKindName(OpKind op) {
  static constexpr std::string_view kNames[kOpKinds] = {"get", "set", "delete", "incr", "touch"};
  return kNames[static_cast<size_t>(op)];
}

std::string_view ErrorKindName(ErrorKind kind) {
  static constexpr std::string_view kNames[kErrorKinds] = {
      "client_error", "server_error", "error",  "not_stored", "exists",
      "protocol",     "connection",   "verify", "timeout"};
  return kNames[static_cast<size_t>(kind)];
}

uint64_t Counters::requests() const {
  uint64_t n = 0;
  for (const OpCounters& op : ops) n += op.requests;
  return n;
}

uint64_t Counters::keys() const {
  uint64_t n = 0;
  for (const OpCounters& op : ops) n += op.keys;
  return n;
}

uint64_t Counters::hits() const {
  uint64_t n = 0;
  for (const OpCounters& op : ops) n += op.hits;
  return n;
}

uint64_t Counters::misses() const {
  uint64_t n = 0;
  for (const OpCounters& op : ops) n += op.misses;
  return n;
}

uint64_t Counters::error_total() const {
  uint64_t n = 0;
  for (const uint64_t e : errors) n += e;
  return n;
}

void Counters::Add(const Counters& other) {
  for (size_t i = 0; i < kOpKinds; ++i) {
    ops[i].requests += other.ops[i].requests;
    ops[i].keys += other.ops[i].keys;
    ops[i].hits += other.ops[i].hits;
    ops[i].misses += other.ops[i].misses;
  }
  for (size_t i = 0; i < kErrorKinds; ++i) errors[i] += other.errors[i];
  for (size_t i = 0; i < verify_failures.size(); ++i) {
    verify_failures[i] += other.verify_failures[i];
  }
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
}

}  // namespace ringcache::ringload
