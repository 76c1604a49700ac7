#include "ringcache/server/config_parser.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include <sysexits.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "c_numbers.h"
#include "option_scanner.h"
#include "parse_state.h"
#include "ringcache/io/cpus.h"
#include "ringcache/server/config_file.h"
#include "ringcache/server/config_help.h"
#include "ringcache/server/version.h"

namespace ringcache::server {

using config_internal::ArgKind;
using config_internal::LongOption;
using config_internal::OptionGrammar;
using config_internal::OptionScanner;
using config_internal::ParseState;
using config_internal::ScanEvent;

namespace {

// ringcache's own long options have ids outside the letter range.
constexpr int kConfigFileId = 256;

// memcached.c's getopt string and long option table, same order (the order
// shows in "ambiguous" messages).
constexpr std::string_view kShortOptions =
    "a:AZp:s:U:m:Mc:khiVrvdl:u:P:f:n:t:D:LR:Cb:B:I:SFXWY:e:o:N:";

constexpr auto kLongOptions = std::to_array<LongOption>({
    {"unix-mask", ArgKind::kRequired, 'a'},
    {"enable-shutdown", ArgKind::kNone, 'A'},
    {"enable-ssl", ArgKind::kNone, 'Z'},
    {"port", ArgKind::kRequired, 'p'},
    {"unix-socket", ArgKind::kRequired, 's'},
    {"udp-port", ArgKind::kRequired, 'U'},
    {"memory-limit", ArgKind::kRequired, 'm'},
    {"disable-evictions", ArgKind::kNone, 'M'},
    {"conn-limit", ArgKind::kRequired, 'c'},
    {"lock-memory", ArgKind::kNone, 'k'},
    {"help", ArgKind::kNone, 'h'},
    {"license", ArgKind::kNone, 'i'},
    {"version", ArgKind::kNone, 'V'},
    {"enable-coredumps", ArgKind::kNone, 'r'},
    {"verbose", ArgKind::kOptional, 'v'},
    {"daemon", ArgKind::kNone, 'd'},
    {"listen", ArgKind::kRequired, 'l'},
    {"user", ArgKind::kRequired, 'u'},
    {"pidfile", ArgKind::kRequired, 'P'},
    {"slab-growth-factor", ArgKind::kRequired, 'f'},
    {"slab-min-size", ArgKind::kRequired, 'n'},
    {"threads", ArgKind::kRequired, 't'},
    {"enable-largepages", ArgKind::kNone, 'L'},
    {"max-reqs-per-event", ArgKind::kRequired, 'R'},
    {"disable-cas", ArgKind::kNone, 'C'},
    {"listen-backlog", ArgKind::kRequired, 'b'},
    {"protocol", ArgKind::kRequired, 'B'},
    {"max-item-size", ArgKind::kRequired, 'I'},
    {"enable-sasl", ArgKind::kNone, 'S'},
    {"disable-flush-all", ArgKind::kNone, 'F'},
    {"disable-dumping", ArgKind::kNone, 'X'},
    {"disable-watch", ArgKind::kNone, 'W'},
    {"auth-file", ArgKind::kRequired, 'Y'},
    {"memory-file", ArgKind::kRequired, 'e'},
    {"extended", ArgKind::kRequired, 'o'},
    {"napi-ids", ArgKind::kRequired, 'N'},
});

constexpr auto kExtraOptions = std::to_array<LongOption>({
    {"config-file", ArgKind::kRequired, kConfigFileId},
});

const OptionGrammar& Grammar() {
  static const OptionGrammar grammar{kShortOptions, kLongOptions, kExtraOptions};
  return grammar;
}

// The item size flag: a number with an optional k/m suffix, multiplied in
// (wrapping) int arithmetic as memcached does.
int ParseItemSize(std::string_view arg) {
  const char unit = arg.empty() ? '\0' : arg.back();
  if (unit == 'k' || unit == 'K' || unit == 'm' || unit == 'M') {
    int64_t size = config_internal::Atoi(arg.substr(0, arg.size() - 1));
    size *= (unit == 'k' || unit == 'K') ? 1024 : 1024 * 1024;
    return static_cast<int>(static_cast<int32_t>(size));
  }
  return config_internal::Atoi(arg);
}

// memcached's -L on Linux: large pages are usable when transparent huge
// pages are compiled in and not set to "never".
void ApplyLargePages(const HostFacts& host, Config& config, Outcome& out) {
  if (!host.transparent_hugepage.has_value()) {
    out.Err("Transparent huge pages support not detected.\nWill use default page size.\n");
  } else if (host.transparent_hugepage->empty()) {
    out.Err(
        "Transparent huge pages could not read the configuration.\n"
        "Will use default page size.\n");
  } else if (host.transparent_hugepage->find("[never]") != std::string::npos) {
    out.Err("Transparent huge pages support disabled.\nWill use default page size.\n");
  } else {
    config.large_pages = true;
    return;
  }
  out.Err("Cannot enable large pages on this system\n(There is no support as of this version)\n");
  out.Exit(1);
}

// Applies one option as memcached's main() switch does.
void ApplyOption(const ScanEvent& ev, ParseState& state, Config& config, Outcome& out) {
  using config_internal::Atoi;
  const std::string_view arg = ev.arg.value_or(std::string_view());
  switch (ev.id) {
    case 'A':
      config.shutdown_command = true;
      break;
    case 'Z':
      config.tls.enabled = true;
      break;
    case 'a':
      config.unix_mask = config_internal::StrtolInt(arg, 8);
      break;
    case 'U':
      config.udp_port = Atoi(arg);
      state.udp_specified = true;
      break;
    case 'p':
      config.port = Atoi(arg);
      state.tcp_specified = true;
      break;
    case 's':
      config.unix_socket = std::string(arg);
      break;
    case 'm':
      // (size_t)atoi(x) * 1024 * 1024: a negative value wraps.
      config.max_bytes = static_cast<uint64_t>(static_cast<int64_t>(Atoi(arg))) * 1024 * 1024;
      break;
    case 'M':
      config.evict_to_free = false;
      break;
    case 'c':
      config.max_connections = Atoi(arg);
      if (config.max_connections <= 0) {
        out.Err("Maximum connections must be greater than 0\n");
        out.Exit(1);
      }
      break;
    case 'h':
      out.Out(HelpText(config));
      out.Exit(EXIT_SUCCESS);
      break;
    case 'i':
      out.Out(LicenseText());
      out.Exit(EXIT_SUCCESS);
      break;
    case 'V':
      out.Out(VersionLine());
      out.Exit(EXIT_SUCCESS);
      break;
    case 'k':
      config.lock_memory = true;
      break;
    case 'v':
      ++config.verbosity;
      break;
    case 'l':
      // memcached joins every -l with ',' and skips a value already
      // contained (as a substring) in the list so far.
      if (config.listen.has_value()) {
        if (config.listen->find(arg) != std::string::npos) break;
        *config.listen += ',';
        *config.listen += arg;
      } else {
        config.listen = std::string(arg);
      }
      break;
    case 'd':
      config.daemonize = true;
      break;
    case 'r':
      config.coredumps = true;
      break;
    case 'R':
      config.reqs_per_event = Atoi(arg);
      if (config.reqs_per_event == 0) {
        out.Err("Number of requests per event must be greater than 0\n");
        out.Exit(1);
      }
      break;
    case 'u':
      config.user = std::string(arg);
      break;
    case 'P':
      config.pid_file = std::string(arg);
      break;
    case 'e':
      config.memory_file = std::string(arg);
      break;
    case 'f':
      config.growth_factor = config_internal::Atof(arg);
      if (config.growth_factor <= 1.0) {
        out.Err("Factor must be greater than 1\n");
        out.Exit(1);
        break;
      }
      config_internal::NoteIneffective(config, "-f");
      break;
    case 'n':
      config.chunk_size = Atoi(arg);
      if (config.chunk_size == 0) {
        out.Err("Chunk size must be greater than 0\n");
        out.Exit(1);
        break;
      }
      config_internal::NoteIneffective(config, "-n");
      break;
    case 't':
      config.num_threads = Atoi(arg);
      if (config.num_threads <= 0) {
        out.Err("Number of threads must be greater than 0\n");
        out.Exit(1);
      } else if (config.num_threads > 64) {
        out.Err(
            "WARNING: Setting a high number of workerthreads is not recommended.\n"
            " Set this value to the number of cores in your machine or less.\n");
      }
      break;
    case 'D':
      if (arg.empty()) {
        out.Err("No delimiter specified\n");
        out.Exit(1);
        break;
      }
      config.prefix_delimiter = arg[0];
      config.detail_enabled = true;
      break;
    case 'L':
      ApplyLargePages(*state.host, config, out);
      if (!out.stop()) config_internal::NoteIneffective(config, "-L");
      break;
    case 'C':
      config.use_cas = false;
      break;
    case 'b':
      config.backlog = Atoi(arg);
      break;
    case 'B':
      state.protocol_specified = true;
      if (arg == "auto") {
        config.protocol = BindingProtocol::kNegotiating;
      } else if (arg == "binary") {
        config.protocol = BindingProtocol::kBinary;
      } else if (arg == "ascii") {
        config.protocol = BindingProtocol::kAscii;
      } else {
        out.Err(absl::StrFormat(
            "Invalid value for binding protocol: %s\n -- should be one of auto, binary, or ascii\n",
            arg));
        out.Exit(EX_USAGE);
      }
      break;
    case 'I':
      config.item_size_max = ParseItemSize(arg);
      break;
    case 'S':
      config.sasl = true;
      break;
    case 'F':
      config.flush_enabled = false;
      break;
    case 'X':
      config.dump_enabled = false;
      break;
    case 'W':
      config.watch_enabled = false;
      break;
    case 'Y':
      config.auth_file = std::string(arg);
      break;
    case 'N':
      config.num_napi_ids = Atoi(arg);
      if (config.num_napi_ids <= 0) {
        out.Err("Maximum number of NAPI IDs must be greater than 0\n");
        out.Exit(1);
      }
      break;
    case 'o':
      config_internal::ApplySuboptions(arg, state, config, out);
      break;
    default:
      // Every id of the grammar is handled above; a new one must be too.
      out.Err(
          absl::StrCat("Illegal argument \"", std::string(1, static_cast<char>(ev.id)), "\"\n"));
      out.Exit(1);
      break;
  }
}

// Finds `--config-file PATH` on the command line (the real parse reports any
// error around it). Returns the paths given, in order.
std::vector<std::string> FindConfigFiles(std::span<const std::string> args, bool posixly) {
  std::vector<std::string> paths;
  OptionScanner scanner(args, Grammar(), posixly);
  for (ScanEvent ev = scanner.Next(); ev.kind != ScanEvent::Kind::kEnd; ev = scanner.Next()) {
    if (ev.kind == ScanEvent::Kind::kOption && ev.id == kConfigFileId && ev.arg.has_value()) {
      paths.emplace_back(*ev.arg);
    }
  }
  return paths;
}

}  // namespace

namespace config_internal {

void NoteIneffective(Config& config, std::string_view name) {
  auto& list = config.ineffective_options;
  if (std::find(list.begin(), list.end(), name) == list.end()) list.emplace_back(name);
}

}  // namespace config_internal

HostFacts HostFacts::Probe() {
  HostFacts host;
  if (absl::StatusOr<std::vector<int>> cpus = io::AllowedCpus(); cpus.ok() && !cpus->empty()) {
    host.allowed_cpus = static_cast<int>(cpus->size());
  }
  // Read once at startup, before any other thread exists.
  host.posixly_correct =
      std::getenv("POSIXLY_CORRECT") != nullptr;  // NOLINT(concurrency-mt-unsafe)
  // memcached tries the Red Hat path when the standard one is missing.
  for (const char* path : {"/sys/kernel/mm/transparent_hugepage/enabled",
                           "/sys/kernel/mm/redhat_transparent_hugepage/enabled"}) {
    std::ifstream in(path);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    host.transparent_hugepage = text.str();
    break;
  }
  return host;
}

ParsedCommandLine ParseCommandLine(std::span<const std::string> args, const HostFacts& host) {
  ParsedCommandLine result{DefaultConfig(host.allowed_cpus), Outcome()};
  Config& config = result.config;
  Outcome& out = result.outcome;
  const std::string program = args.empty() ? std::string(kProgramName) : args[0];

  // The config file's words go first, as if typed before the command line.
  std::vector<std::string> words{program};
  const std::vector<std::string> files = FindConfigFiles(args, host.posixly_correct);
  if (files.size() > 1) {
    out.Err(absl::StrCat(program, ": --config-file may be given only once\n"));
    out.Exit(EX_USAGE);
    return result;
  }
  if (!files.empty()) {
    absl::StatusOr<ConfigFileContents> contents = ReadConfigFile(files[0]);
    if (!contents.ok()) {
      out.Err(
          absl::StrCat(program, ": cannot read config file ", contents.status().message(), "\n"));
      // Unreadable: EX_NOINPUT; read but not acceptable: EX_CONFIG.
      const absl::Status& status = contents.status();
      out.Exit(absl::IsNotFound(status) || absl::IsDataLoss(status) ? EX_NOINPUT : EX_CONFIG);
      return result;
    }
    for (const std::string& w : contents->warnings) {
      out.Err(absl::StrCat(program, ": ", files[0], ": ", w, "\n"));
    }
    words.insert(words.end(), contents->args.begin(), contents->args.end());
    config.config_file = files[0];
    config.log_file = contents->log_file;
  }
  const size_t first_command_line_word = words.size();
  words.insert(words.end(), args.begin() + (args.empty() ? 0 : 1), args.end());

  ParseState state;
  state.host = &host;
  OptionScanner scanner(words, Grammar(), host.posixly_correct);
  for (ScanEvent ev = scanner.Next(); ev.kind != ScanEvent::Kind::kEnd; ev = scanner.Next()) {
    if (ev.kind == ScanEvent::Kind::kError) {
      // getopt's message, then memcached's reaction to the '?' it returns.
      out.Err(ev.error);
      out.Err("Illegal argument \"?\"\n");
      out.Exit(1);
      return result;
    }
    if (ev.id == kConfigFileId) {
      if (ev.index < first_command_line_word) {
        out.Err(absl::StrCat(program, ": ", config.config_file,
                             ": --config-file cannot be used inside a config file\n"));
        out.Exit(EX_CONFIG);
        return result;
      }
      continue;  // already read
    }
    ApplyOption(ev, state, config, out);
    if (out.stop()) return result;
  }

  config_internal::FinishConfig(state, config, out);
  if (out.stop()) return result;
  if (config.verbosity > 0 && !config.ineffective_options.empty()) {
    out.Err(absl::StrCat(program, ": accepted for compatibility, no effect in this design: ",
                         absl::StrJoin(config.ineffective_options, ", "), "\n"));
  }
  return result;
}

}  // namespace ringcache::server
