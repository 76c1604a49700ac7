// memcached's -Y authfile: "user:password" lines checked by the text
// protocol's authentication exchange (protocol/ascii_auth.h).
//
// Loading follows memcached 1.6.18's authfile.c: at most 8 entries, each line
// at most 255 bytes, a line without ':' makes the whole file malformed, the
// password ends at '\r', '\n' or the end of the line. A reload (SIGHUP) that
// fails keeps the entries already in force. Comparisons take time
// independent of where the first differing byte is.
//
// Threading: Check from any worker, Load/Reload from the main or signal
// thread; entries are swapped under a mutex.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace ringcache::server {

class AuthFile {
 public:
  enum class LoadResult { kOk, kOpenFailed, kStatFailed, kMalformed };

  explicit AuthFile(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  // Reads the file; on anything but kOk the previous entries stay and
  // *error_number holds errno for the open/stat failures.
  LoadResult Load(int* error_number);
  // memcached's startup message for a failed load (no trailing newline
  // where memcached prints none).
  std::string FailureMessage(LoadResult result, int error_number) const;

  bool Check(std::string_view user, std::string_view password) const;

 private:
  struct Entry {
    std::string user;
    std::string password;
  };
  const std::string path_;
  mutable absl::Mutex mu_;
  std::vector<Entry> entries_;  // guarded by mu_
};

}  // namespace ringcache::server
