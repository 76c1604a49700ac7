// Per-prefix counters for `stats detail` (memcached's -D / "stats detail on"):
// for each key prefix (the key up to the first delimiter, ':' by default),
// how many gets, hits, sets and deletes it saw. Keys without the delimiter
// are not counted, as in memcached.
//
// This is a debugging aid that memcached also serialises behind one lock;
// it is off by default and then costs a relaxed load per command.
//
// Threading: every method is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

#include "ringcache/base/compiler.h"
#include "ringcache/base/out_buffer.h"

namespace ringcache::server {

class PrefixStats {
 public:
  explicit PrefixStats(char delimiter, bool enabled) : delimiter_(delimiter), enabled_(enabled) {}

  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  void set_enabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }

  void RecordGet(std::string_view key, bool hit) {
    if (RC_UNLIKELY(enabled())) Record(key, 1, hit ? 1 : 0, 0, 0);
  }
  void RecordSet(std::string_view key) {
    if (RC_UNLIKELY(enabled())) Record(key, 0, 0, 1, 0);
  }
  void RecordDelete(std::string_view key) {
    if (RC_UNLIKELY(enabled())) Record(key, 0, 0, 0, 1);
  }

  // "PREFIX ..." lines then END (stats detail dump).
  void Dump(base::OutBuffer& out) const;
  // stats reset forgets every prefix.
  void Clear();

 private:
  struct Counts {
    uint64_t gets = 0, hits = 0, sets = 0, deletes = 0;
  };
  // Counts one command (the callers above checked enabled()).
  void Record(std::string_view key, uint64_t gets, uint64_t hits, uint64_t sets, uint64_t deletes);

  const char delimiter_;
  std::atomic<bool> enabled_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Counts> counts_;  // guarded by mu_
  std::vector<std::string> order_;                   // first-seen order, guarded by mu_
};

}  // namespace ringcache::server
