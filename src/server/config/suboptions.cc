// The -o suboptions: memcached 1.6.18's (including Debian's build options,
// TLS and external storage) and ringcache's own, each checked with
// memcached's messages and exit statuses.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"

#include "c_numbers.h"
#include "parse_state.h"

namespace ringcache::server::config_internal {
namespace {

// One suboption being applied.
struct Sub {
  std::string_view name;
  std::optional<std::string_view> value;  // nullopt: written without '='
  ParseState& state;
  Config& config;
  Outcome& out;

  void Fail(std::string_view message, int code = 1) {
    out.Err(message);
    out.Exit(code);
  }
  // memcached's "Missing ... argument" check; true when the value is there.
  bool Need(std::string_view message) {
    if (value.has_value()) return true;
    Fail(message);
    return false;
  }
  std::string_view v() const { return *value; }
  // A safe_strtoul value; prints memcached's "could not parse" line on failure.
  bool Unsigned(uint32_t* dst) {
    if (SafeStrtoul(v(), dst)) return true;
    Fail(absl::StrFormat("could not parse argument to %s\n", name));
    return false;
  }
  bool Signed(int32_t* dst) {
    if (SafeStrtol(v(), dst)) return true;
    Fail(absl::StrFormat("could not parse argument to %s\n", name));
    return false;
  }
  bool Double(double* dst) {
    if (SafeStrtod(v(), dst)) return true;
    Fail(absl::StrFormat("could not parse argument to %s\n", name));
    return false;
  }
  std::string MissingArgument() const { return absl::StrFormat("Missing %s argument\n", name); }
};

using Handler = void (*)(Sub&);

struct Entry {
  SuboptionInfo info;
  Handler apply;
};

// strtok_r over a view: skips leading delimiters, returns the next token.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view s) : rest_(s) {}
  std::optional<std::string_view> Next(std::string_view delims) {
    const size_t start = rest_.find_first_not_of(delims);
    if (start == std::string_view::npos) {
      rest_ = {};
      return std::nullopt;
    }
    rest_.remove_prefix(start);
    const size_t end = rest_.find_first_of(delims);
    const std::string_view token = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + 1);
    return token;
  }

 private:
  std::string_view rest_;
};

// memcached's storage_conf_parse: "PATH:SIZE[:BUCKET]". Only syntax is
// checked; nothing is opened.
void ApplyExtPath(Sub& s) {
  if (!s.value.has_value()) {
    s.Fail("missing argument to ext_path, ie: ext_path=/d/file:5G\n");
    return;
  }
  Tokenizer t(s.v());
  bool ok = t.Next(":").has_value();
  if (ok && !t.Next(":").has_value()) {
    s.out.Err("must supply size to ext_path, ie: ext_path=/f/e:64m (M|G|T|P supported)\n");
    ok = false;
  }
  if (ok) {
    if (std::optional<std::string_view> bucket = t.Next(",")) {
      if (*bucket != "compact" && *bucket != "lowttl" && *bucket != "chunked" &&
          *bucket != "default") {
        s.out.Err(absl::StrFormat("Unknown extstore bucket: %s\n", *bucket));
        ok = false;
      } else if (*bucket != "default") {
        s.out.Err("ext_path only presently supports the default bucket\n");
        ok = false;
      }
    }
  }
  if (!ok) {
    s.Fail("failed to parse ext_path argument\n");
    return;
  }
  s.config.extstore.paths.emplace_back(s.v());
}

// ext_* values that are plain safe_strtoul numbers.
template <uint32_t ExtstoreConfig::*Field>
void ApplyExtUnsigned(Sub& s) {
  if (s.Need(s.MissingArgument())) s.Unsigned(&(s.config.extstore.*Field));
}

template <double ExtstoreConfig::*Field>
void ApplyExtDouble(Sub& s) {
  if (s.Need(s.MissingArgument())) s.Double(&(s.config.extstore.*Field));
}

template <std::optional<std::string> TlsConfig::*Field>
void ApplyTlsString(Sub& s) {
  if (s.Need(s.MissingArgument())) s.config.tls.*Field = std::string(s.v());
}

// Percent of slab memory for the HOT or WARM LRU.
template <int Config::*Field>
void ApplyLruPct(Sub& s) {
  if (!s.Need(s.MissingArgument())) return;
  s.config.*Field = Atoi(s.v());
  if (s.config.*Field < 1 || s.config.*Field >= 80) {
    s.Fail(absl::StrFormat("%s must be > 1 and < 80\n", s.name));
  }
}

template <double Config::*Field>
void ApplyMaxFactor(Sub& s) {
  if (!s.Need(s.MissingArgument())) return;
  s.config.*Field = Atof(s.v());
  if (s.config.*Field <= 0) s.Fail(absl::StrFormat("%s must be > 0\n", s.name));
}

// KiB values of the log buffers.
bool ApplyLogBuf(Sub& s, uint32_t* field) {
  if (!s.Need(s.MissingArgument()) || !s.Unsigned(field)) return false;
  *field *= 1024;
  return true;
}

constexpr auto kSuboptions = std::to_array<Entry>({
    {{"maxconns_fast", false}, [](Sub& s) { s.config.maxconns_fast = true; }},
    {{"hashpower", false},
     [](Sub& s) {
       if (!s.Need("Missing numeric argument for hashpower\n")) return;
       const int hp = Atoi(s.v());
       s.config.hashpower_init = hp;
       if (hp < 12) {
         s.Fail(absl::StrFormat("Initial hashtable multiplier of %d is too low\n", hp));
       } else if (hp > 32) {
         s.Fail(absl::StrFormat("Initial hashtable multiplier of %d is too high\n"
                                "Choose a value based on \"STAT hash_power_level\" from a "
                                "running instance\n",
                                hp));
       }
     }},
    {{"no_hashexpand", true}, [](Sub& s) { s.config.hash_expand = false; }},
    {{"slab_reassign", true}, [](Sub& s) { s.config.slab_reassign = true; }},
    {{"slab_automove", true},
     [](Sub& s) {
       if (!s.value.has_value()) {
         s.config.slab_automove = 1;
         return;
       }
       s.config.slab_automove = Atoi(s.v());
       if (s.config.slab_automove < 0 || s.config.slab_automove > 2) {
         s.Fail("slab_automove must be between 0 and 2\n");
       }
     }},
    {{"slab_automove_ratio", true},
     [](Sub& s) {
       if (!s.Need(s.MissingArgument())) return;
       s.config.slab_automove_ratio = Atof(s.v());
       if (s.config.slab_automove_ratio <= 0 || s.config.slab_automove_ratio > 1) {
         s.Fail("slab_automove_ratio must be > 0 and < 1\n");
       }
     }},
    {{"slab_automove_window", true},
     [](Sub& s) {
       if (!s.Need(s.MissingArgument())) return;
       // Unsigned in memcached: a negative value wraps and passes the check.
       s.config.slab_automove_window = static_cast<uint32_t>(Atoi(s.v()));
       if (s.config.slab_automove_window < 3) s.Fail("slab_automove_window must be > 2\n");
     }},
    {{"tail_repair_time", true},
     [](Sub& s) {
       if (!s.Need("Missing numeric argument for tail_repair_time\n")) return;
       s.config.tail_repair_time = Atoi(s.v());
       if (s.config.tail_repair_time < 10) {
         s.Fail("Cannot set tail_repair_time to less than 10 seconds\n");
       }
     }},
    {{"hash_algorithm", true},
     [](Sub& s) {
       if (!s.Need(s.MissingArgument())) return;
       if (s.v() == "jenkins") {
         s.config.hash_algorithm = HashAlgorithm::kJenkins;
       } else if (s.v() == "murmur3") {
         s.config.hash_algorithm = HashAlgorithm::kMurmur3;
       } else if (s.v() == "xxh3") {
         s.config.hash_algorithm = HashAlgorithm::kXxh3;
       } else {
         s.Fail("Unknown hash_algorithm option (jenkins, murmur3, xxh3)\n");
       }
     }},
    {{"lru_crawler", false}, [](Sub& s) { s.config.lru_crawler = true; }},
    {{"lru_crawler_sleep", true},
     [](Sub& s) {
       if (!s.Need("Missing lru_crawler_sleep value\n")) return;
       s.config.lru_crawler_sleep = Atoi(s.v());
       if (s.config.lru_crawler_sleep > 1000000 || s.config.lru_crawler_sleep < 0) {
         s.Fail("LRU crawler sleep must be between 0 and 1 second\n");
       }
     }},
    {{"lru_crawler_tocrawl", true},
     [](Sub& s) {
       if (!s.Need("Missing lru_crawler_tocrawl value\n")) return;
       if (!SafeStrtoul(s.v(), &s.config.lru_crawler_tocrawl)) {
         s.Fail("lru_crawler_tocrawl takes a numeric 32bit value\n");
       }
     }},
    {{"lru_maintainer", true},
     [](Sub& s) {
       s.config.lru_maintainer = true;
       s.config.lru_segmented = true;
     }},
    {{"hot_lru_pct", true}, ApplyLruPct<&Config::hot_lru_pct>},
    {{"warm_lru_pct", true}, ApplyLruPct<&Config::warm_lru_pct>},
    {{"hot_max_factor", true}, ApplyMaxFactor<&Config::hot_max_factor>},
    {{"warm_max_factor", true}, ApplyMaxFactor<&Config::warm_max_factor>},
    {{"temporary_ttl", true},
     [](Sub& s) {
       if (!s.Need(s.MissingArgument())) return;
       s.config.temp_lru = true;
       s.config.temporary_ttl = static_cast<uint32_t>(Atoi(s.v()));
     }},
    {{"idle_timeout", false},
     [](Sub& s) {
       if (s.Need("Missing numeric argument for idle_timeout\n")) {
         s.config.idle_timeout = Atoi(s.v());
       }
     }},
    {{"watcher_logbuf_size", false},
     [](Sub& s) { ApplyLogBuf(s, &s.config.watcher_logbuf_size); }},
    {{"worker_logbuf_size", false},
     [](Sub& s) {
       // memcached's switch falls through from this case into slab_sizes, so
       // the value is also checked as a slab size list after the loop.
       if (ApplyLogBuf(s, &s.config.worker_logbuf_size)) s.state.slab_sizes_unparsed = s.v();
     }},
    {{"slab_sizes", true},
     [](Sub& s) {
       if (s.Need(s.MissingArgument())) s.state.slab_sizes_unparsed = s.v();
     }},
    {{"slab_chunk_max", true},
     [](Sub& s) {
       if (s.Need(s.MissingArgument()) && s.Signed(&s.config.slab_chunk_size_max)) {
         s.state.slab_chunk_max_changed = true;
       }
     }},
    {{"track_sizes", false}, [](Sub& s) { s.config.track_sizes = true; }},
    // Dead in memcached too: accepted, nothing changes.
    {{"no_inline_ascii_resp", false}, [](Sub&) {}},
    {{"inline_ascii_resp", false}, [](Sub&) {}},
    {{"no_chunked_items", true},
     [](Sub& s) { s.config.slab_chunk_size_max = s.config.slab_page_size; }},
    {{"no_slab_reassign", true}, [](Sub& s) { s.config.slab_reassign = false; }},
    {{"no_slab_automove", true}, [](Sub& s) { s.config.slab_automove = 0; }},
    {{"no_maxconns_fast", false}, [](Sub& s) { s.config.maxconns_fast = false; }},
    {{"no_lru_crawler", false}, [](Sub& s) { s.config.lru_crawler = false; }},
    {{"no_lru_maintainer", true},
     [](Sub& s) {
       s.config.lru_maintainer = false;
       s.config.lru_segmented = false;
     }},
    {{"modern", false}, [](Sub&) {}},
    {{"no_modern", false},
     [](Sub& s) {
       Config& c = s.config;
       if (!s.state.slab_chunk_max_changed) c.slab_chunk_size_max = c.slab_page_size;
       c.slab_reassign = false;
       c.slab_automove = 0;
       c.maxconns_fast = false;
       c.lru_segmented = false;
       c.hash_algorithm = HashAlgorithm::kJenkins;
       c.lru_crawler = false;
       c.lru_maintainer = false;
     }},
    {{"no_drop_privileges", false}, [](Sub& s) { s.config.drop_privileges = false; }},
    {{"drop_privileges", false}, [](Sub& s) { s.config.drop_privileges = true; }},
    {{"resp_obj_mem_limit", false},
     [](Sub& s) {
       s.out.Err("DEPRECATED: resp_obj_mem_limit no longer used. See read_buf_mem_limit,\n");
     }},
    {{"read_buf_mem_limit", true},
     [](Sub& s) {
       if (s.Need(s.MissingArgument()) && s.Unsigned(&s.config.read_buf_mem_limit)) {
         s.config.read_buf_mem_limit *= 1024 * 1024;
       }
     }},
    // TLS (Debian builds memcached with it).
    {{"ssl_chain_cert", false}, ApplyTlsString<&TlsConfig::chain_cert>},
    {{"ssl_key", false}, ApplyTlsString<&TlsConfig::key>},
    {{"ssl_verify_mode", false},
     [](Sub& s) {
       int32_t level = 0;
       if (!s.Need(s.MissingArgument()) || !s.Signed(&level)) return;
       if (level < 0 || level > 3) {
         s.Fail("Invalid ssl_verify_mode. Use help to see valid options.\n");
         return;
       }
       s.config.tls.verify_level = level;
     }},
    {{"ssl_keyformat", false},
     [](Sub& s) {
       if (s.Need(s.MissingArgument())) s.Signed(&s.config.tls.key_format);
     }},
    {{"ssl_ciphers", false}, ApplyTlsString<&TlsConfig::ciphers>},
    {{"ssl_ca_cert", false}, ApplyTlsString<&TlsConfig::ca_cert>},
    {{"ssl_wbuf_size", false},
     [](Sub& s) {
       if (s.Need(s.MissingArgument()) && s.Unsigned(&s.config.tls.wbuf_size)) {
         s.config.tls.wbuf_size *= 1024;
       }
     }},
    {{"ssl_session_cache", false}, [](Sub& s) { s.config.tls.session_cache = true; }},
    {{"ssl_kernel_tls", false}, [](Sub& s) { s.config.tls.kernel_tls = true; }},
    {{"ssl_min_version", false},
     [](Sub& s) {
       int32_t version = 0;
       if (!s.Need(s.MissingArgument()) || !s.Signed(&version)) return;
       if (version < 0 || version > 3) {
         s.Fail("Invalid ssl_min_version. Use help to see valid options.\n");
         return;
       }
       s.config.tls.min_version = version;
     }},
    // memcached's debug build has it and its test suite always passes it.
    {{"relaxed_privileges", false}, [](Sub&) {}},
    {{"sock_cookie_id", true},
     [](Sub& s) {
       // memcached ignores a value that does not parse (and crashes on none).
       if (s.value.has_value()) (void)SafeStrtoul(s.v(), &s.config.sock_cookie_id);
     }},
    // External storage (Debian builds memcached with it): checked, remembered.
    {{"ext_page_size", true},
     [](Sub& s) {
       if (!s.config.extstore.paths.empty()) {
         s.Fail("Must specify ext_page_size before any ext_path arguments\n");
         return;
       }
       if (s.Need(s.MissingArgument()) && s.Unsigned(&s.config.extstore.page_size)) {
         s.config.extstore.page_size *= 1024 * 1024;
       }
     }},
    {{"ext_wbuf_size", true},
     [](Sub& s) {
       if (s.Need(s.MissingArgument()) && s.Unsigned(&s.config.extstore.wbuf_size)) {
         s.config.extstore.wbuf_size *= 1024 * 1024;
       }
     }},
    {{"ext_threads", true}, ApplyExtUnsigned<&ExtstoreConfig::threads>},
    {{"ext_io_depth", true}, ApplyExtUnsigned<&ExtstoreConfig::io_depth>},
    {{"ext_path", true}, ApplyExtPath},
    {{"ext_item_size", true}, ApplyExtUnsigned<&ExtstoreConfig::item_size>},
    {{"ext_item_age", true}, ApplyExtUnsigned<&ExtstoreConfig::item_age>},
    {{"ext_low_ttl", true}, ApplyExtUnsigned<&ExtstoreConfig::low_ttl>},
    {{"ext_recache_rate", true}, ApplyExtUnsigned<&ExtstoreConfig::recache_rate>},
    {{"ext_compact_under", true}, ApplyExtUnsigned<&ExtstoreConfig::compact_under>},
    {{"ext_drop_under", true}, ApplyExtUnsigned<&ExtstoreConfig::drop_under>},
    {{"ext_max_sleep", true}, ApplyExtUnsigned<&ExtstoreConfig::max_sleep>},
    {{"ext_max_frag", true}, ApplyExtDouble<&ExtstoreConfig::max_frag>},
    {{"ext_drop_unread", true}, [](Sub& s) { s.config.extstore.drop_unread = true; }},
    {{"slab_automove_freeratio", true},
     ApplyExtDouble<&ExtstoreConfig::slab_automove_freeratio>},
    // ringcache's own.
    {{"io_engine", false},
     [](Sub& s) {
       if (!s.Need(s.MissingArgument())) return;
       if (s.v() == "auto") {
         s.config.io_engine = io::EngineKind::kAuto;
       } else if (s.v() == "uring") {
         s.config.io_engine = io::EngineKind::kUring;
       } else if (s.v() == "epoll") {
         s.config.io_engine = io::EngineKind::kEpoll;
       } else {
         s.Fail("Unknown io_engine option (auto, uring, epoll)\n");
       }
     }},
    {{"pin_threads", false}, [](Sub& s) { s.config.pin_threads = true; }},
    {{"no_pin_threads", false}, [](Sub& s) { s.config.pin_threads = false; }},
});

constexpr auto kInfos = [] {
  std::array<SuboptionInfo, kSuboptions.size()> infos{};
  for (size_t i = 0; i < kSuboptions.size(); ++i) infos[i] = kSuboptions[i].info;
  return infos;
}();

}  // namespace

std::span<const SuboptionInfo> AllSuboptions() { return kInfos; }

void ApplySuboptions(std::string_view list, ParseState& state, Config& config, Outcome& out) {
  // getsubopt(3): ','-separated "name" or "name=value"; names match exactly.
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view token = list.substr(0, comma);
    list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);

    const size_t eq = token.find('=');
    const std::string_view name = token.substr(0, eq);
    std::optional<std::string_view> value;
    if (eq != std::string_view::npos) value = token.substr(eq + 1);

    const Entry* entry = nullptr;
    for (const Entry& e : kSuboptions) {
      if (e.info.name == name) {
        entry = &e;
        break;
      }
    }
    if (entry == nullptr) {
      // Debian's build (with external storage) prints the whole suboption.
      out.Err(absl::StrFormat("Illegal suboption \"%s\"\n", token));
      out.Exit(1);
      return;
    }
    Sub sub{name, value, state, config, out};
    entry->apply(sub);
    if (out.stop()) return;
    if (entry->info.ineffective) NoteIneffective(config, absl::StrFormat("-o %s", name));
  }
}

}  // namespace ringcache::server::config_internal
