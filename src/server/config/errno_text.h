// strerror(3)'s text for an errno value, without strerror's shared buffer.
//
// Threading: thread-safe.
#pragma once

#include <string>

#include <string.h>

namespace ringcache::server::config_internal {

inline std::string ErrnoText(int err) {
  char buf[256];
  // GNU strerror_r: returns the message, in `buf` or in static storage.
  return std::string(strerror_r(err, buf, sizeof(buf)));
}

}  // namespace ringcache::server::config_internal
