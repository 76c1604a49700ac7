// Verbosity-gated log lines, as memcached's -v / -vv / -vvv print them.
//
// One Logger is created by the server and passed by pointer to whoever logs;
// there is no global logger. Each line is emitted with a single write(2) so
// lines from different threads never interleave mid-line.
//
// Threading: every method is thread-safe; verbosity is a relaxed atomic so
// the `verbosity` command can change it while workers run.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"

namespace ringcache::base {

class Logger {
 public:
  explicit Logger(int verbosity = 0, int fd = 2) : verbosity_(verbosity), fd_(fd) {}

  int verbosity() const { return verbosity_.load(std::memory_order_relaxed); }
  void set_verbosity(int v) { verbosity_.store(v, std::memory_order_relaxed); }
  bool Enabled(int level) const { return verbosity() >= level; }
  void set_fd(int fd) { fd_.store(fd, std::memory_order_relaxed); }

  // Writes `line` and a newline, regardless of verbosity.
  void Write(std::string_view line) const;

  template <typename... Args>
  void Log(int level, const absl::FormatSpec<Args...>& format, const Args&... args) const {
    if (!Enabled(level)) return;
    Write(absl::StrFormat(format, args...));
  }
  // Always printed (errors that memcached prints unconditionally).
  template <typename... Args>
  void Error(const absl::FormatSpec<Args...>& format, const Args&... args) const {
    Write(absl::StrFormat(format, args...));
  }

 private:
  std::atomic<int> verbosity_;
  std::atomic<int> fd_;
};

}  // namespace ringcache::base
