// The `stats settings` listing: memcached 1.6.18's names, order and value
// formats, then ringcache's own settings.
//
// memcached's list depends on its build; this is the list of Debian's build
// (with TLS and external storage, without the seccomp sandbox or the proxy),
// since that is the server ringcached replaces. Values are formatted as
// memcached's printf formats format them ("%.2f" factors, "%o" umask, "NULL"
// or "(null)" for unset strings, yes/no flags).
//
// Settings that commands change at run time (verbosity, "stats detail on",
// "lru_crawler enable", "slabs automove", "stats sizes_enable", ...) are
// read from `config` too: the server passes its live copy. flush_all's
// "oldest" is not a setting and is passed separately.
//
// Threading: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ringcache/server/config.h"

namespace ringcache::server {

struct SettingStat {
  std::string name;
  std::string value;
  bool operator==(const SettingStat&) const = default;
};

// `oldest_live` is the relative time of the last flush_all (0 if none).
std::vector<SettingStat> SettingsStats(const Config& config, uint32_t oldest_live);

}  // namespace ringcache::server
