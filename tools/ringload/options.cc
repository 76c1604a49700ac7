#include "options.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <limits>

#include "absl/strings/str_format.h"

#include "value_codec.h"

namespace ringcache::ringload {
namespace {

using protocol::client::ParseProtocol;

absl::Status Bad(std::string_view flag, std::string_view value, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrFormat("%s %s: %s", flag, value, why));
}

// Whole-token number parsing (std::from_chars: no locale, no sign for
// unsigned, no trailing bytes).
template <typename T>
bool ParseNumber(std::string_view token, T* out) {
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, *out);
  return ec == std::errc() && ptr == end && !token.empty();
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

template <typename Int>
absl::Status ParseInt(std::string_view flag, std::string_view value, Int lo, Int hi, Int* out) {
  int64_t v;
  if (!ParseNumber(value, &v)) return Bad(flag, value, "not an integer");
  if (v < static_cast<int64_t>(lo) || static_cast<uint64_t>(v) > static_cast<uint64_t>(hi)) {
    return Bad(flag, value, absl::StrFormat("must be in [%d, %d]", lo, hi));
  }
  *out = static_cast<Int>(v);
  return absl::OkStatus();
}

// Counts may be written 100000, 100k, 10M, 1G.
absl::Status ParseCount(std::string_view flag, std::string_view value, uint64_t lo, uint64_t* out) {
  uint64_t scale = 1;
  std::string_view digits = value;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'k':
      case 'K':
        scale = 1000;
        break;
      case 'm':
      case 'M':
        scale = 1000 * 1000;
        break;
      case 'g':
      case 'G':
        scale = 1000 * 1000 * 1000;
        break;
    }
    if (scale != 1) digits.remove_suffix(1);
  }
  uint64_t v;
  if (!ParseNumber(digits, &v)) return Bad(flag, value, "not a count");
  if (v > std::numeric_limits<uint64_t>::max() / scale) return Bad(flag, value, "too large");
  if (v * scale < lo) return Bad(flag, value, absl::StrFormat("must be at least %d", lo));
  *out = v * scale;
  return absl::OkStatus();
}

absl::Status ParseSeconds(std::string_view flag, std::string_view value, double* out) {
  double v;
  if (!ParseNumber(value, &v) || !std::isfinite(v) || v < 0) {
    return Bad(flag, value, "not a non-negative number of seconds");
  }
  *out = v;
  return absl::OkStatus();
}

absl::StatusOr<ServerAddress> ParseServer(std::string_view value) {
  ServerAddress s;
  s.label = std::string(value);
  if (value.starts_with("/")) {
    s.unix_path = std::string(value);
    return s;
  }
  std::string_view host;
  std::string_view port;
  if (value.starts_with("[")) {  // [v6addr]:port
    const size_t close = value.find(']');
    if (close == std::string_view::npos || close + 1 >= value.size() || value[close + 1] != ':') {
      return Bad("--server", value, "expected [ipv6]:port");
    }
    host = value.substr(1, close - 1);
    port = value.substr(close + 2);
  } else {
    const size_t colon = value.rfind(':');
    if (colon == std::string_view::npos) {
      host = value;
      port = "11211";
    } else {
      host = value.substr(0, colon);
      port = value.substr(colon + 1);
    }
  }
  if (host.empty()) return Bad("--server", value, "no host");
  s.host = std::string(host);
  if (absl::Status st = ParseInt<int>("--server", port, 1, 65535, &s.port); !st.ok()) return st;
  return s;
}

absl::Status ParseRatio(std::string_view value, OpMix* mix) {
  const std::vector<std::string_view> parts = Split(value, ':');
  if (parts.size() < 2 || parts.size() > 5) {
    return Bad("--ratio", value, "expected GET:SET[:DELETE[:INCR[:TOUCH]]]");
  }
  uint32_t* fields[] = {&mix->get, &mix->set, &mix->del, &mix->incr, &mix->touch};
  for (uint32_t* f : fields) *f = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (absl::Status st = ParseInt<uint32_t>("--ratio", parts[i], 0, 1000000, fields[i]);
        !st.ok()) {
      return st;
    }
  }
  if (mix->total() == 0) return Bad("--ratio", value, "every weight is zero");
  return absl::OkStatus();
}

absl::Status ParseValueSize(std::string_view value, Options* o) {
  const size_t dash = value.find('-');
  uint64_t lo;
  uint64_t hi;
  constexpr uint64_t kMaxValue = 64ull << 20;
  if (absl::Status st = ParseCount("--value-size", value.substr(0, dash), 0, &lo); !st.ok()) {
    return st;
  }
  hi = lo;
  if (dash != std::string_view::npos) {
    if (absl::Status st = ParseCount("--value-size", value.substr(dash + 1), 0, &hi); !st.ok()) {
      return st;
    }
  }
  if (lo > hi) return Bad("--value-size", value, "the range is empty");
  if (hi > kMaxValue) return Bad("--value-size", value, "larger than 64 MB");
  o->value_min = lo;
  o->value_max = hi;
  return absl::OkStatus();
}

absl::Status ParseDistribution(std::string_view value, Options* o) {
  std::string_view name = value;
  const size_t colon = value.find(':');
  if (colon != std::string_view::npos) {
    name = value.substr(0, colon);
    if (name != "zipf") return Bad("--distribution", value, "only zipf takes a parameter");
    double s;
    if (!ParseNumber(value.substr(colon + 1), &s) || !(s >= 0) || s > 20) {
      return Bad("--distribution", value, "the zipf exponent must be in [0, 20]");
    }
    o->zipf_exponent = s;
  }
  if (name == "uniform") {
    o->distribution = Distribution::kUniform;
  } else if (name == "zipf") {
    o->distribution = Distribution::kZipf;
  } else if (name == "sequential") {
    o->distribution = Distribution::kSequential;
  } else {
    return Bad("--distribution", value, "expected uniform, zipf[:EXPONENT] or sequential");
  }
  return absl::OkStatus();
}

absl::Status ParseCpus(std::string_view value, std::vector<int>* cpus) {
  cpus->clear();
  for (std::string_view part : Split(value, ',')) {
    const size_t dash = part.find('-');
    int lo;
    int hi;
    if (absl::Status st = ParseInt<int>("--cpus", part.substr(0, dash), 0, 4095, &lo); !st.ok()) {
      return st;
    }
    hi = lo;
    if (dash != std::string_view::npos) {
      if (absl::Status st = ParseInt<int>("--cpus", part.substr(dash + 1), lo, 4095, &hi);
          !st.ok()) {
        return st;
      }
    }
    for (int c = lo; c <= hi; ++c) cpus->push_back(c);
  }
  return absl::OkStatus();
}

struct Flag {
  std::string_view name;
  bool takes_value;
  std::function<absl::Status(std::string_view, Options*)> apply;
};

const std::vector<Flag>& Flags() {
  static const std::vector<Flag> flags = {
      {"--server", true,
       [](std::string_view v, Options* o) {
         absl::StatusOr<ServerAddress> s = ParseServer(v);
         if (!s.ok()) return s.status();
         o->servers.push_back(*std::move(s));
         return absl::OkStatus();
       }},
      {"--threads", true,
       [](std::string_view v, Options* o) {
         return ParseInt("--threads", v, 1, 256, &o->threads);
       }},
      {"--connections", true,
       [](std::string_view v, Options* o) {
         return ParseInt("--connections", v, 1, 100000, &o->connections);
       }},
      {"--pipeline", true,
       [](std::string_view v, Options* o) {
         return ParseInt("--pipeline", v, 1, 65536, &o->pipeline);
       }},
      {"--multiget", true,
       [](std::string_view v, Options* o) {
         return ParseInt("--multiget", v, 1, 10000, &o->multiget);
       }},
      {"--protocol", true,
       [](std::string_view v, Options* o) {
         return ParseProtocol(v, &o->protocol)
                    ? absl::OkStatus()
                    : Bad("--protocol", v, "expected text, meta or binary");
       }},
      {"--ratio", true, [](std::string_view v, Options* o) { return ParseRatio(v, &o->mix); }},
      {"--keys", true,
       [](std::string_view v, Options* o) { return ParseCount("--keys", v, 1, &o->keys); }},
      {"--key-size", true,
       [](std::string_view v, Options* o) {
         return ParseInt<size_t>("--key-size", v, 1, KeySpace::kMaxKeySize, &o->key_size);
       }},
      {"--key-prefix", true,
       [](std::string_view v, Options* o) {
         o->key_prefix = std::string(v);
         return absl::OkStatus();
       }},
      {"--distribution", true, ParseDistribution},
      {"--zipf-exponent", true,
       [](std::string_view v, Options* o) {
         return ParseDistribution(absl::StrFormat("zipf:%s", v), o);
       }},
      {"--value-size", true, ParseValueSize},
      {"--ttl", true,
       [](std::string_view v, Options* o) {
         return ParseInt<uint32_t>("--ttl", v, 0, UINT32_MAX, &o->ttl);
       }},
      {"--preload", false,
       [](std::string_view, Options* o) {
         o->preload = true;
         return absl::OkStatus();
       }},
      {"--warmup", true,
       [](std::string_view v, Options* o) {
         return ParseSeconds("--warmup", v, &o->warmup_seconds);
       }},
      {"--duration", true,
       [](std::string_view v, Options* o) {
         return ParseSeconds("--duration", v, &o->duration_seconds);
       }},
      {"--requests", true,
       [](std::string_view v, Options* o) { return ParseCount("--requests", v, 1, &o->requests); }},
      {"--rate", true,
       [](std::string_view v, Options* o) {
         uint64_t rate;
         if (absl::Status st = ParseCount("--rate", v, 1, &rate); !st.ok()) return st;
         o->rate = static_cast<double>(rate);
         return absl::OkStatus();
       }},
      {"--verify", false,
       [](std::string_view, Options* o) {
         o->verify = true;
         return absl::OkStatus();
       }},
      {"--json", true,
       [](std::string_view v, Options* o) {
         o->json_path = std::string(v);
         return absl::OkStatus();
       }},
      {"--report", true,
       [](std::string_view v, Options* o) {
         o->report_path = std::string(v);
         return absl::OkStatus();
       }},
      {"--live", false,
       [](std::string_view, Options* o) {
         o->live = Options::Live::kOn;
         return absl::OkStatus();
       }},
      {"--quiet", false,
       [](std::string_view, Options* o) {
         o->live = Options::Live::kOff;
         return absl::OkStatus();
       }},
      {"--seed", true,
       [](std::string_view v, Options* o) {
         return ParseInt<uint64_t>("--seed", v, 0, INT64_MAX, &o->seed);
       }},
      {"--cpus", true, [](std::string_view v, Options* o) { return ParseCpus(v, &o->cpus); }},
      {"--timeout", true,
       [](std::string_view v, Options* o) {
         return ParseSeconds("--timeout", v, &o->timeout_seconds);
       }},
      {"--recv", true,
       [](std::string_view v, Options* o) {
         if (v == "auto") {
           o->receive = Options::Receive::kAuto;
         } else if (v == "plain") {
           o->receive = Options::Receive::kPlain;
         } else if (v == "multishot") {
           o->receive = Options::Receive::kMultishot;
         } else {
           return Bad("--recv", v, "expected auto, plain or multishot");
         }
         return absl::OkStatus();
       }},
      {"--connect-timeout", true,
       [](std::string_view v, Options* o) {
         return ParseSeconds("--connect-timeout", v, &o->connect_timeout_seconds);
       }},
  };
  return flags;
}

absl::Status Validate(Options* o) {
  if (o->servers.empty()) o->servers.push_back(*ParseServer("127.0.0.1:11211"));
  if (o->servers.size() > 255) return absl::InvalidArgumentError("at most 255 servers");
  if (o->verify && o->value_min < ValueCodec::kMinSize) {
    return absl::InvalidArgumentError(
        absl::StrFormat("--verify needs values of at least %d bytes", ValueCodec::kMinSize));
  }
  if (o->requests == 0 && o->duration_seconds == 0 && !o->preload) {
    return absl::InvalidArgumentError("--duration 0 only makes sense with --preload");
  }
  if (o->multiget > 1 && o->mix.get == 0) {
    return absl::InvalidArgumentError("--multiget needs gets in --ratio");
  }
  const uint64_t sockets = static_cast<uint64_t>(o->threads) * o->connections * o->servers.size();
  if (sockets > 1000000) return absl::InvalidArgumentError("more than a million connections");
  // Counters get a one-letter prefix that differs from the values' first
  // byte, so the two spaces never share a name.
  o->counter_prefix.assign(1, !o->key_prefix.empty() && o->key_prefix[0] == 'n' ? 'c' : 'n');
  for (absl::Status st : {KeySpace::Create(o->key_prefix, o->key_size, o->keys).status(),
                          KeySpace::Create(o->counter_prefix, o->key_size, o->keys).status()}) {
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") return absl::CancelledError(Usage());
    std::string_view value;
    bool inline_value = false;
    if (const size_t eq = arg.find('='); eq != std::string_view::npos && arg.starts_with("--")) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    const Flag* flag = nullptr;
    for (const Flag& f : Flags()) {
      if (f.name == arg) flag = &f;
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrFormat("unknown flag %s (see --help)", arg));
    }
    if (flag->takes_value && !inline_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrFormat("%s needs a value", arg));
      }
      value = args[++i];
    } else if (!flag->takes_value && inline_value) {
      return absl::InvalidArgumentError(absl::StrFormat("%s takes no value", arg));
    }
    if (absl::Status st = flag->apply(value, &o); !st.ok()) return st;
  }
  if (absl::Status st = Validate(&o); !st.ok()) return st;
  return o;
}

std::string Usage() {
  return R"(ringload: load generator for memcached-compatible servers (io_uring, one ring per thread)

usage: ringload [flags]

Target and connections
  --server HOST:PORT     server to load (repeatable; keys spread like a ketama client);
                         [v6addr]:port and /path/to/unix.sock also work. Default 127.0.0.1:11211
  --threads N            load threads, one io_uring each (default 1)
  --connections N        connections per thread to each server (default 50)
  --cpus LIST            pin thread i to the i-th CPU of LIST, e.g. 1 or 2-5,8
  --connect-timeout S    give up connecting after S seconds (default 5)
  --timeout S            drop a connection whose replies stop for S seconds (default 10; 0: never)
  --recv MODE            auto, plain or multishot receives (default auto: multishot
                         into provided buffers where the kernel has them)

Requests
  --protocol P           text, meta or binary (default text)
  --pipeline N           requests outstanding per connection (default 1)
  --multiget N           keys per get (default 1)
  --ratio G:S[:D[:I[:T]]]  weights of get, set, delete, incr, touch (default 9:1)
  --keys N               key space size; 100k, 10M also accepted (default 100000)
  --key-size N           bytes per key name (default 12)
  --key-prefix STR       key names start with STR (default "k")
  --distribution D       uniform, zipf[:EXPONENT] or sequential (default uniform)
  --zipf-exponent S      zipf exponent (default 0.99; implies --distribution zipf)
  --value-size N|MIN-MAX value bytes, fixed or uniform in a range (default 32)
  --ttl SECONDS          exptime of sets and touches (default 0: never expire)
  --verify               values carry a checksum of key and version; every get checks it

Run
  --preload              set every key once before the run (incr counters too)
  --warmup SECONDS       run this long before measuring (default 0)
  --duration SECONDS     measured run time (default 10; 0 with --preload: preload only)
  --requests N           stop after N requests in total instead of after a duration
  --rate OPS             open loop: Poisson arrivals at OPS per second in total; latency
                         counts from each request's intended send time
  --seed N               random seed (default: from the clock)

Output
  --json FILE            every result as JSON
  --report FILE.html     self-contained HTML page: throughput over time, latency curve
  --live / --quiet       force / suppress the per-second line (default: when stderr is a tty)
)";
}

}  // namespace ringcache::ringload
