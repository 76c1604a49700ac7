#include "auth_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "absl/strings/str_format.h"

namespace ringcache::server {
namespace {

// memcached's authfile limits.
constexpr size_t kMaxEntryLength = 256;
constexpr size_t kMaxEntries = 8;

bool SameBytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

AuthFile::LoadResult AuthFile::Load(int* error_number) {
  *error_number = 0;
  FILE* f = fopen(path_.c_str(), "r");
  if (f == nullptr) {
    *error_number = errno;
    return LoadResult::kOpenFailed;
  }
  struct stat st;
  if (fstat(fileno(f), &st) != 0) {
    *error_number = errno;
    fclose(f);
    return LoadResult::kStatFailed;
  }
  std::vector<Entry> entries;
  char line[kMaxEntryLength];
  while (entries.size() < kMaxEntries && fgets(line, sizeof(line), f) != nullptr) {
    const std::string_view text(line, strnlen(line, sizeof(line)));
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
      fclose(f);
      return LoadResult::kMalformed;
    }
    std::string_view password = text.substr(colon + 1);
    const size_t end = password.find_first_of("\r\n");
    if (end != std::string_view::npos) password = password.substr(0, end);
    entries.push_back({std::string(text.substr(0, colon)), std::string(password)});
  }
  fclose(f);
  absl::MutexLock lock(&mu_);
  entries_ = std::move(entries);
  return LoadResult::kOk;
}

std::string AuthFile::FailureMessage(LoadResult result, int error_number) const {
  switch (result) {
    case LoadResult::kOk:
      return {};
    case LoadResult::kOpenFailed:
      // memcached's vperror: its message, then ": " and the error text again.
      return absl::StrFormat("Could not open authfile [%s] for reading, error %s: %s\n", path_,
                             strerror(error_number), strerror(error_number));
    case LoadResult::kStatFailed:
      return absl::StrFormat("Could not stat authfile [%s], error %s: %s\n", path_,
                             strerror(error_number), strerror(error_number));
    case LoadResult::kMalformed:
      return absl::StrFormat("Authfile [%s] has a malformed entry. Should be 'user:password'",
                             path_);
  }
  return {};
}

bool AuthFile::Check(std::string_view user, std::string_view password) const {
  absl::MutexLock lock(&mu_);
  bool ok = false;
  for (const Entry& e : entries_) {
    ok |= SameBytes(user, e.user) & SameBytes(password, e.password);
  }
  return ok;
}

}  // namespace ringcache::server
