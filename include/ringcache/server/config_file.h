// Reads ringcached options from a file in the format of Debian's /etc/memcached.conf.
//
// Debian starts memcached through a wrapper that turns /etc/memcached.conf
// into a command line; an existing file must work unchanged with
// `ringcached --config-file /etc/memcached.conf`. The format, as the wrapper
// reads it:
//   - One or more options per line ("-m 64", "-l 127.0.0.1", "-vv").
//   - '#' starts a comment unless escaped as "\#"; blank lines are skipped.
//   - Words are split as the shell splits them ('single', "double" quotes
//     and backslash escapes), since the wrapper hands the line to a shell.
//   - Lines starting with "-d" or "-h" are skipped: the wrapper decides
//     whether to daemonize, and a help request makes no sense there.
//   - A line not starting with '-' is a directive "name value". `logfile
//     PATH` names where a daemonized server's output goes (start-memcached
//     redirects stdout and stderr there); ringcached does the same when run
//     with -d and ignores it in the foreground, like the systemd wrapper.
//     Unknown directives are ignored with a warning.
//
// Threading: pure functions, apart from ReadConfigFile's read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ringcache::server {

struct ConfigFileContents {
  std::vector<std::string> args;      // option words, in file order
  std::string log_file;               // the last `logfile` directive, if any
  std::vector<std::string> warnings;  // "line N: ...", without a newline
};

// Errors: InvalidArgument for an unterminated quote ("line N: ...").
absl::StatusOr<ConfigFileContents> ParseConfigFileText(std::string_view text);

inline constexpr size_t kMaxConfigFileBytes = 1 << 20;

// Errors: the read error ("<path>: <strerror>"), a file larger than
// kMaxConfigFileBytes, or ParseConfigFileText's.
absl::StatusOr<ConfigFileContents> ReadConfigFile(const std::string& path);

}  // namespace ringcache::server
