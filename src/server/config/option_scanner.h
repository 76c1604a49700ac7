// A re-entrant scanner with the grammar and messages of GNU getopt_long.
//
// memcached reads its flags with glibc's getopt_long, and users rely on every
// form it accepts: "-p 11211", "-p11211", clustered "-vvd", "--port=11211",
// "--port 11211", unambiguous abbreviations ("--vers"), "--" ending the
// options, and words that are not options being skipped (glibc permutes them
// to the end; memcached then ignores them). The diagnostics are part of the
// interface too ("option '--d' is ambiguous; possibilities: ..."). This scanner
// reproduces that grammar and those messages without getopt's process-wide
// state, so it can be run more than once (config file, tests, fuzzing).
//
// Extra long options (ringcache's own, e.g. --config-file) never change how
// memcached's options are read: they match when spelled in full, or as an
// abbreviation only when no memcached option matches it. memcached's
// abbreviations ("--con" for --conn-limit) keep working.
//
// Threading: a scanner is used by one thread; grammars are immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ringcache::server::config_internal {

enum class ArgKind : uint8_t { kNone, kRequired, kOptional };

struct LongOption {
  std::string_view name;
  ArgKind arg;
  int id;  // what Next() reports; memcached uses the short letter
};

struct OptionGrammar {
  // getopt's optstring: a letter, then ':' for a required argument or "::"
  // for an optional one. A letter reports itself as its id.
  std::string_view short_options;
  std::span<const LongOption> long_options;   // ordered as getopt_long's table
  std::span<const LongOption> extra_options;  // see the file comment
};

struct ScanEvent {
  enum class Kind : uint8_t { kOption, kError, kEnd };
  Kind kind = Kind::kEnd;
  int id = 0;                           // kOption
  std::optional<std::string_view> arg;  // kOption: the argument, when one was given
  size_t index = 0;                     // argument index where the option (or error) started
  std::string error;                    // kError: glibc's message, "<argv0>: ...\n"
};

class OptionScanner {
 public:
  // `args[0]` is the program name, used in messages. `args` must outlive
  // the scanner and the events it returns. `stop_at_non_option` is glibc's
  // behaviour when POSIXLY_CORRECT is set.
  OptionScanner(std::span<const std::string> args, const OptionGrammar& grammar,
                bool stop_at_non_option);

  // The next option or error; kEnd once the arguments are used up. After an
  // error scanning goes on with what follows, as getopt does.
  ScanEvent Next();

 private:
  ScanEvent ShortOption();
  ScanEvent LongOptionAt(std::string_view text, size_t index);
  ScanEvent Error(size_t index, std::string_view message) const;

  std::span<const std::string> args_;
  const OptionGrammar& grammar_;
  const bool stop_at_non_option_;
  size_t next_ = 1;           // next argument to look at
  size_t cluster_index_ = 0;  // argument holding the short-option cluster
  std::string_view cluster_;  // letters of the cluster not yet scanned
  bool done_ = false;
};

}  // namespace ringcache::server::config_internal
