// State shared by the pieces of the flag parser while one command line is read.
//
// memcached keeps a few facts about *how* settings were given (was -p given,
// was -B given, was slab_chunk_max given) that its checks after the option
// loop depend on. They are not settings, so they live here rather than in
// Config. The parser (config_parser.cc), the -o handlers (suboptions.cc) and
// the final checks (config_finish.cc) share this header.
//
// Threading: one parse, one thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ringcache/server/config.h"
#include "ringcache/server/config_outcome.h"
#include "ringcache/server/config_parser.h"

namespace ringcache::server::config_internal {

struct ParseState {
  const HostFacts* host = nullptr;
  bool tcp_specified = false;
  bool udp_specified = false;
  bool protocol_specified = false;
  bool slab_chunk_max_changed = false;
  // -o slab_sizes (and, through a fall-through in memcached's option switch,
  // -o worker_logbuf_size) leave a list that is checked after the loop.
  std::optional<std::string> slab_sizes_unparsed;
};

// Records that `name` was given but has no effect here (once per name).
void NoteIneffective(Config& config, std::string_view name);

// Applies one -o argument ("a=b,c"), left to right, stopping at the first
// error as memcached does.
void ApplySuboptions(std::string_view list, ParseState& state, Config& config, Outcome& out);

// memcached's checks and derived settings after the option loop, in its
// order. Stops at the first failure.
void FinishConfig(ParseState& state, Config& config, Outcome& out);

// Every -o name ringcached accepts, with whether it has an effect; the help
// text and tests use it.
struct SuboptionInfo {
  std::string_view name;
  bool ineffective;  // accepted and remembered, no effect in this design
};
std::span<const SuboptionInfo> AllSuboptions();

}  // namespace ringcache::server::config_internal
