// Version numbers ringcached reports, kept together so they change in one place.
//
// Two numbers, two audiences: clients decide which protocol features to use
// from the `version` command, so that answers the memcached release whose
// behaviour ringcached reproduces (kMemcachedVersion); people and tools that
// need to know what is really running read ringcache's own version from `-V`,
// the first line of `-h` and `stats` (kRingcacheVersion).
//
// Threading: constants only.
#pragma once

#include <string_view>

namespace ringcache::server {

inline constexpr std::string_view kProgramName = "ringcached";
inline constexpr std::string_view kRingcacheVersion = "0.1.0";
inline constexpr std::string_view kMemcachedVersion = "1.6.18";

}  // namespace ringcache::server
