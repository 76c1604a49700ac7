// Every setting ringcached takes, with memcached 1.6.18's names, types and defaults.
//
// ringcached replaces memcached in place, so Config mirrors memcached's own
// settings one for one: a flag sets the field memcached's flag sets, to the
// value memcached would compute (including its integer wrap-around, which is
// visible in `stats settings`). Fields are grouped the way `memcached -h`
// groups them. Settings that do not apply to this design (slab allocator,
// LRU maintainer, external storage tuning) are still parsed, validated and
// remembered so `stats settings` and error messages stay identical; they are
// listed in `ineffective_options` when given.
//
// A Config is built once by ParseCommandLine (config_parser.h), validated as
// memcached validates, and then only read. The server keeps a copy of the few
// fields that commands change at run time (verbosity, detail_enabled, ...).
//
// Threading: a plain value; copy it or share it read-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ringcache/io/engine.h"
#include "ringcache/io/handler.h"

namespace ringcache::server {

// memcached's -B. kNegotiating is what memcached calls "auto".
enum class BindingProtocol : uint8_t { kNegotiating, kAscii, kBinary };

// memcached's -o hash_algorithm. ringcache hashes keys with base::KeyedHash
// whatever is chosen; the choice is remembered for `stats settings`.
enum class HashAlgorithm : uint8_t { kMurmur3, kJenkins, kXxh3 };

// TLS settings (-Z and -o ssl_*), in memcached's representation.
struct TlsConfig {
  bool enabled = false;                   // -Z
  std::optional<std::string> chain_cert;  // ssl_chain_cert
  std::optional<std::string> key;         // ssl_key
  int verify_level = 0;                   // ssl_verify_mode, 0..3 as given
  int32_t key_format = 1;                 // ssl_keyformat (OpenSSL's SSL_FILETYPE_PEM)
  std::optional<std::string> ciphers;     // ssl_ciphers
  std::optional<std::string> ca_cert;     // ssl_ca_cert
  uint32_t wbuf_size = 16 * 1024;         // ssl_wbuf_size, given in KiB, kept in bytes
  bool session_cache = false;             // ssl_session_cache
  bool kernel_tls = false;                // ssl_kernel_tls
  int min_version = 2;                    // ssl_min_version: 0 tls1.0 .. 3 tls1.3
};

// memcached's external storage (-o ext_*). Accepted and remembered only:
// ringcache keeps every item in memory.
struct ExtstoreConfig {
  std::vector<std::string> paths;  // ext_path, in the order given
  uint32_t page_size = 64u << 20;  // ext_page_size, given in MiB
  uint32_t wbuf_size = 4u << 20;   // ext_wbuf_size, given in MiB
  uint32_t threads = 1;            // ext_threads
  uint32_t io_depth = 1;           // ext_io_depth
  uint32_t item_size = 512;        // ext_item_size
  uint32_t item_age = UINT32_MAX;  // ext_item_age
  uint32_t low_ttl = 0;            // ext_low_ttl
  uint32_t recache_rate = 2000;    // ext_recache_rate
  uint32_t compact_under = 0;      // ext_compact_under
  uint32_t drop_under = 0;         // ext_drop_under
  uint32_t max_sleep = 1000000;    // ext_max_sleep
  double max_frag = 0.8;           // ext_max_frag
  bool drop_unread = false;        // ext_drop_unread
  double slab_automove_freeratio = 0.01;
};

// One listening socket to open, as memcached's -p/-U/-l describe it.
struct ListenerSpec {
  io::Transport transport = io::Transport::kTcp;  // kTcp or kUdp
  std::string host;  // as given, without IPv6 brackets; empty: every address
  int port = 0;      // 0: the kernel picks one (memcached's -p -1)
  bool tls = false;  // -Z, unless the address had a "notls:" prefix
  BindingProtocol protocol = BindingProtocol::kNegotiating;  // -B or a "proto[..]:" prefix
  uint64_t tag = 0;  // "tag[..]:" prefix, packed little-endian as memcached packs it
  bool operator==(const ListenerSpec&) const = default;
};

struct Config {
  // --- Network -----------------------------------------------------------
  int port = 11211;         // -p: 0 disables TCP, -1 asks the kernel for a port
  int udp_port = 0;         // -U: 0 disables UDP (the 1.6 default)
  std::string unix_socket;  // -s: empty = none; when set, no TCP or UDP
  int unix_mask = 0700;     // -a, octal
  // -l exactly as memcached keeps it: every -l value joined with ',' (a value
  // that is a substring of the list so far is dropped, as memcached does).
  // nullopt = not given (listen on every address). See config_listen.h.
  std::optional<std::string> listen;
  int backlog = 1024;                                        // -b
  int max_connections = 1024;                                // -c
  bool maxconns_fast = true;                                 // -o maxconns_fast / no_maxconns_fast
  int idle_timeout = 0;                                      // -o idle_timeout, seconds; 0 = never
  int reqs_per_event = 20;                                   // -R
  BindingProtocol protocol = BindingProtocol::kNegotiating;  // -B
  int num_napi_ids = 0;                                      // -N
  uint32_t sock_cookie_id = 0;                               // -o sock_cookie_id
  uint32_t read_buf_mem_limit = 0;                           // -o read_buf_mem_limit, given in MiB

  // --- Process -----------------------------------------------------------
  bool daemonize = false;        // -d
  bool coredumps = false;        // -r
  std::string user;              // -u
  std::string pid_file;          // -P
  bool lock_memory = false;      // -k
  int verbosity = 0;             // -v, -vv, -vvv
  bool large_pages = false;      // -L
  bool drop_privileges = false;  // -o drop_privileges (Debian's build: no sandbox)
  int num_threads = 4;           // -t; DefaultConfig() sets the CPUs we may run on
  int num_threads_per_udp = 4;   // derived as memcached derives it

  // --- Items and memory --------------------------------------------------
  uint64_t max_bytes = 64ull << 20;  // -m, given in MiB
  bool evict_to_free = true;         // -M turns it off
  int item_size_max = 1 << 20;       // -I
  bool use_cas = true;               // -C turns it off
  double growth_factor = 1.25;       // -f
  int chunk_size = 48;               // -n
  char prefix_delimiter = ':';       // -D
  bool detail_enabled = false;       // -D turns it on
  std::string memory_file;           // -e

  // --- Commands and authentication ---------------------------------------
  bool shutdown_command = false;  // -A
  bool flush_enabled = true;      // -F turns it off
  bool dump_enabled = true;       // -X turns it off
  bool watch_enabled = true;      // -W turns it off
  bool sasl = false;              // -S
  std::string auth_file;          // -Y
  TlsConfig tls;                  // -Z, -o ssl_*

  // --- Hash table, slabs, LRU (-o) ---------------------------------------
  int hashpower_init = 0;   // -o hashpower: 0 = start small and grow
  bool hash_expand = true;  // -o no_hashexpand turns it off
  HashAlgorithm hash_algorithm = HashAlgorithm::kMurmur3;
  bool slab_reassign = true;
  int slab_automove = 1;
  double slab_automove_ratio = 0.8;
  uint32_t slab_automove_window = 30;
  int slab_page_size = 1 << 20;
  int slab_chunk_size_max = 1 << 19;  // -o slab_chunk_max, bytes
  std::string slab_sizes;             // -o slab_sizes, as given
  int tail_repair_time = 0;
  bool lru_crawler = true;  // -o no_lru_crawler turns it off
  int lru_crawler_sleep = 100;
  uint32_t lru_crawler_tocrawl = 0;
  bool lru_maintainer = true;  // -o no_lru_maintainer turns it off
  bool lru_segmented = true;
  int hot_lru_pct = 20;
  int warm_lru_pct = 40;
  double hot_max_factor = 0.2;
  double warm_max_factor = 2.0;
  bool temp_lru = false;  // set by -o temporary_ttl
  uint32_t temporary_ttl = 61;
  uint32_t watcher_logbuf_size = 256 * 1024;  // given in KiB
  uint32_t worker_logbuf_size = 64 * 1024;    // given in KiB
  bool track_sizes = false;
  ExtstoreConfig extstore;

  // Derived from -p, -U, -l and -s by PlanListeners (config_listen.h), which
  // main() runs after the process is set up, as memcached resolves them late.
  std::vector<ListenerSpec> listeners;

  // --- ringcache's own ----------------------------------------------------
  io::EngineKind io_engine = io::EngineKind::kAuto;  // -o io_engine=auto|uring|epoll
  bool pin_threads = true;  // -o no_pin_threads: let the scheduler place workers
  std::string config_file;  // --config-file
  std::string log_file;     // `logfile` line of the config file (used with -d)
  // Flags given that this design accepts without effect ("-f", "-o slab_reassign", ...),
  // in the order given, each once. ParseCommandLine warns about them at -v.
  std::vector<std::string> ineffective_options;
};

// memcached's defaults, except -t: one worker per CPU this process may run on.
Config DefaultConfig(int allowed_cpus);

// Names as memcached prints them (`stats settings`, -h).
std::string_view ProtocolName(BindingProtocol protocol);      // "auto-negotiate", "ascii", "binary"
std::string_view HashAlgorithmName(HashAlgorithm algorithm);  // "murmur3", ...
std::string_view TlsVersionName(int min_version);             // "tlsv1.2", ...

}  // namespace ringcache::server
