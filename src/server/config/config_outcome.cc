#include "ringcache/server/config_outcome.h"

#include <cerrno>

#include <unistd.h>

namespace ringcache::server {

void Outcome::Merge(const Outcome& other) {
  messages_.insert(messages_.end(), other.messages_.begin(), other.messages_.end());
  if (other.exit_code_.has_value()) exit_code_ = other.exit_code_;
}

std::string Outcome::Text(Stream stream) const {
  std::string text;
  for (const OutcomeMessage& m : messages_) {
    if (m.stream == stream) text += m.text;
  }
  return text;
}

void Outcome::Print() const {
  for (const OutcomeMessage& m : messages_) {
    const int fd = m.stream == Stream::kStdout ? STDOUT_FILENO : STDERR_FILENO;
    const char* p = m.text.data();
    size_t left = m.text.size();
    while (left > 0) {
      const ssize_t n = ::write(fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        break;  // a closed stdout/stderr: nothing else to tell
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
}

}  // namespace ringcache::server
