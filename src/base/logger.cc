#include "ringcache/base/logger.h"

#include <errno.h>
#include <unistd.h>

namespace ringcache::base {

void Logger::Write(std::string_view line) const {
  std::string buf;
  buf.reserve(line.size() + 1);
  buf.append(line);
  buf.push_back('\n');
  const int fd = fd_.load(std::memory_order_relaxed);
  const char* p = buf.data();
  size_t left = buf.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a failing log
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace ringcache::base
