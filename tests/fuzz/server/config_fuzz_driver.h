// Shared by the command-line and config-file fuzz targets: parses a word list
// as ringcached's command line and checks what must hold of any result.
//
// A successful parse must leave a Config that memcached would also accept
// (its cross-checks hold), and the help text and `stats settings` of any
// Config must be producible. A refused parse stops with a failure status
// (usually with a message; memcached refuses an empty slab_sizes silently). `--config-file` is kept
// out: reading arbitrary paths (/dev/zero, fifos) is not what is being fuzzed.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include "ringcache/server/config_help.h"
#include "ringcache/server/config_parser.h"
#include "ringcache/server/config_stats.h"

namespace ringcache::server::fuzz {

inline void Check(bool ok) {
  if (!ok) std::abort();
}

inline void ParseWords(std::vector<std::string> words) {
  for (const std::string& w : words) {
    // Any abbreviation of --config-file ("--con" is --conn-limit's).
    if (w.size() > 5 && std::string("--config-file").starts_with(w.substr(0, w.find('=')))) {
      return;
    }
  }
  words.insert(words.begin(), "ringcached");
  HostFacts host;
  host.allowed_cpus = 4;
  host.transparent_hugepage = "always [madvise] never\n";
  const ParsedCommandLine p = ParseCommandLine(words, host);
  const Config& c = p.config;
  if (p.outcome.stop()) {
    // Only -h, -i and -V stop successfully, and they print.
    Check(*p.outcome.exit_code() != 0 || !p.outcome.Text(Stream::kStdout).empty());
    return;
  }
  Check(c.item_size_max >= 1024 && c.item_size_max <= 1024 * 1024 * 1024);
  Check(static_cast<uint64_t>(c.item_size_max) <= c.max_bytes / 2);
  Check(c.slab_chunk_size_max > 0 && c.item_size_max % c.slab_chunk_size_max == 0);
  Check(c.port <= 65535);
  Check(c.max_connections > 0 && c.num_threads > 0 && c.reqs_per_event != 0);
  Check(c.hot_lru_pct + c.warm_lru_pct <= 80);
  Check(!HelpText(c).empty());
  Check(!SettingsStats(c, 0).empty());
}

}  // namespace ringcache::server::fuzz
