// ringcached's command line: memcached 1.6.18's flags, read and checked the way
// memcached reads and checks them, plus `--config-file`.
//
// Grammar: GNU getopt_long's, as memcached uses it (short "-p 1", "-p1",
// clusters "-vvd"; long "--port=1", "--port 1", unique abbreviations; "--"
// ends the options; other words are ignored). Each option is applied in
// order, so a bad value stops the parse at the same place memcached stops,
// with memcached's message on memcached's stream and its exit status; -h,
// -i and -V print and stop when they are reached (help shows the values
// set so far, as memcached's does). After the loop, memcached's cross-checks
// run in memcached's order (item size vs. memory, slab sizes, LRU percents,
// SASL/auth vs. protocol, port range, ...).
//
// `--config-file PATH` (ringcache's own, only on the command line) reads a
// file in the format of Debian's /etc/memcached.conf (config_file.h).
// Precedence: the file's options are read as if they had been typed on the
// command line *before* the real command-line options. Options holding one
// value therefore take the command line's value when both give one; options
// that accumulate in memcached (-l, -v, -o) accumulate across both.
//
// Differences from memcached, all deliberate:
//   - -t defaults to the number of CPUs the process may run on.
//   - -o relaxed_privileges is accepted (memcached's test suite always passes
//     it; Debian's production build refuses it).
//   - -o io_engine=auto|uring|epoll and -o no_pin_threads / pin_threads are
//     ringcache's own.
//   - Where memcached crashes on a malformed -o value (slab_chunk_max or
//     slab_sizes without a value, slab_chunk_max=0), ringcached prints
//     memcached's message, if it has one, and exits with status 1 or 64.
//
// Threading: pure apart from reading the config file; call from one thread.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "ringcache/server/config.h"
#include "ringcache/server/config_outcome.h"

namespace ringcache::server {

// What the parse needs to know about the machine; Probe() reads it, tests
// make it up.
struct HostFacts {
  int allowed_cpus = 1;          // sched_getaffinity: the -t default
  bool posixly_correct = false;  // POSIXLY_CORRECT set: options end at the first operand
  // Contents of /sys/kernel/mm/transparent_hugepage/enabled; nullopt when it
  // cannot be read. memcached's -L checks it.
  std::optional<std::string> transparent_hugepage;

  static HostFacts Probe();
};

struct ParsedCommandLine {
  Config config;
  // Lines to print (help, warnings, errors). When outcome.stop(), the
  // process exits with outcome.exit_code() after printing; `config` is then
  // incomplete.
  Outcome outcome;
};

// `args[0]` is the program name as invoked (it prefixes getopt's messages).
ParsedCommandLine ParseCommandLine(std::span<const std::string> args, const HostFacts& host);

}  // namespace ringcache::server
