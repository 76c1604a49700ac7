// `stats settings`: the list must equal what Debian's memcached 1.6.18 prints
// for the same flags. The expected lists below were captured from
// /usr/bin/memcached with the flags shown (see the comment of each case);
// ringcache's own settings follow memcached's.
#include "ringcache/server/config_stats.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "ringcache/server/config_parser.h"

namespace ringcache::server {
namespace {

using ::testing::ElementsAre;

std::vector<SettingStat> StatsFor(std::vector<std::string> args) {
  args.insert(args.begin(), "ringcached");
  HostFacts host;
  host.allowed_cpus = 2;
  ParsedCommandLine p = ParseCommandLine(args, host);
  EXPECT_FALSE(p.outcome.stop()) << p.outcome.Text(Stream::kStderr);
  return SettingsStats(p.config, 0);
}

// memcached's part: everything before ringcache's own settings.
std::vector<SettingStat> MemcachedPart(std::vector<SettingStat> stats) {
  EXPECT_GE(stats.size(), 3u);
  stats.resize(stats.size() - 3);
  return stats;
}

struct Golden {
  const char* name;
  std::vector<std::string> args;
  std::vector<SettingStat> expected;
};

const std::vector<Golden>& Goldens() {
  static const auto* goldens = new std::vector<Golden>{
      // defaults: memcached -t 4 -p 22132 -U 0
      {"defaults",
       {"-t", "4", "-p", "22132", "-U", "0"},
       {{"maxbytes", "67108864"},
        {"maxconns", "1024"},
        {"tcpport", "22132"},
        {"udpport", "0"},
        {"inter", "NULL"},
        {"verbosity", "0"},
        {"oldest", "0"},
        {"evictions", "on"},
        {"domain_socket", "NULL"},
        {"umask", "700"},
        {"shutdown_command", "no"},
        {"growth_factor", "1.25"},
        {"chunk_size", "48"},
        {"num_threads", "4"},
        {"num_threads_per_udp", "4"},
        {"stat_key_prefix", ":"},
        {"detail_enabled", "no"},
        {"reqs_per_event", "20"},
        {"cas_enabled", "yes"},
        {"tcp_backlog", "1024"},
        {"binding_protocol", "auto-negotiate"},
        {"auth_enabled_sasl", "no"},
        {"auth_enabled_ascii", "no"},
        {"item_size_max", "1048576"},
        {"maxconns_fast", "yes"},
        {"hashpower_init", "0"},
        {"slab_reassign", "yes"},
        {"slab_automove", "1"},
        {"slab_automove_ratio", "0.80"},
        {"slab_automove_window", "30"},
        {"slab_chunk_max", "524288"},
        {"lru_crawler", "yes"},
        {"lru_crawler_sleep", "100"},
        {"lru_crawler_tocrawl", "0"},
        {"tail_repair_time", "0"},
        {"flush_enabled", "yes"},
        {"dump_enabled", "yes"},
        {"hash_algorithm", "murmur3"},
        {"lru_maintainer_thread", "yes"},
        {"lru_segmented", "yes"},
        {"hot_lru_pct", "20"},
        {"warm_lru_pct", "40"},
        {"hot_max_factor", "0.20"},
        {"warm_max_factor", "2.00"},
        {"temp_lru", "no"},
        {"temporary_ttl", "61"},
        {"idle_timeout", "0"},
        {"watcher_logbuf_size", "262144"},
        {"worker_logbuf_size", "65536"},
        {"read_buf_mem_limit", "0"},
        {"track_sizes", "no"},
        {"inline_ascii_response", "no"},
        {"ext_item_size", "512"},
        {"ext_item_age", "4294967295"},
        {"ext_low_ttl", "0"},
        {"ext_recache_rate", "2000"},
        {"ext_wbuf_size", "4194304"},
        {"ext_compact_under", "0"},
        {"ext_drop_under", "0"},
        {"ext_max_sleep", "1000000"},
        {"ext_max_frag", "0.80"},
        {"slab_automove_freeratio", "0.010"},
        {"ext_drop_unread", "no"},
        {"ssl_enabled", "no"},
        {"ssl_chain_cert", "(null)"},
        {"ssl_key", "(null)"},
        {"ssl_verify_mode", "0"},
        {"ssl_keyformat", "1"},
        {"ssl_ciphers", "NULL"},
        {"ssl_ca_cert", "NULL"},
        {"ssl_wbuf_size", "16384"},
        {"ssl_session_cache", "no"},
        {"ssl_kernel_tls", "no"},
        {"ssl_min_version", "tlsv1.2"},
        {"num_napi_ids", "(null)"},
        {"memory_file", "(null)"}}},
      // flags: memcached -t 4 -p 22123 -U 0 -o no_modern -C -M -A -F -X -b 77 -R 7 -c 99 -m 128 -I
      // 2m -f 1.5 -n 64 -D # -a 755 -v
      {"flags",
       {"-t", "4",  "-p",  "22123", "-U", "0",  "-o", "no_modern", "-C",  "-M",  "-A",
        "-F", "-X", "-b",  "77",    "-R", "7",  "-c", "99",        "-m",  "128", "-I",
        "2m", "-f", "1.5", "-n",    "64", "-D", "#",  "-a",        "755", "-v"},
       {{"maxbytes", "134217728"},
        {"maxconns", "99"},
        {"tcpport", "22123"},
        {"udpport", "0"},
        {"inter", "NULL"},
        {"verbosity", "1"},
        {"oldest", "0"},
        {"evictions", "off"},
        {"domain_socket", "NULL"},
        {"umask", "755"},
        {"shutdown_command", "yes"},
        {"growth_factor", "1.50"},
        {"chunk_size", "64"},
        {"num_threads", "4"},
        {"num_threads_per_udp", "4"},
        {"stat_key_prefix", "#"},
        {"detail_enabled", "yes"},
        {"reqs_per_event", "7"},
        {"cas_enabled", "no"},
        {"tcp_backlog", "77"},
        {"binding_protocol", "auto-negotiate"},
        {"auth_enabled_sasl", "no"},
        {"auth_enabled_ascii", "no"},
        {"item_size_max", "2097152"},
        {"maxconns_fast", "no"},
        {"hashpower_init", "0"},
        {"slab_reassign", "no"},
        {"slab_automove", "0"},
        {"slab_automove_ratio", "0.80"},
        {"slab_automove_window", "30"},
        {"slab_chunk_max", "524288"},
        {"lru_crawler", "no"},
        {"lru_crawler_sleep", "100"},
        {"lru_crawler_tocrawl", "0"},
        {"tail_repair_time", "0"},
        {"flush_enabled", "no"},
        {"dump_enabled", "no"},
        {"hash_algorithm", "jenkins"},
        {"lru_maintainer_thread", "no"},
        {"lru_segmented", "no"},
        {"hot_lru_pct", "20"},
        {"warm_lru_pct", "40"},
        {"hot_max_factor", "0.20"},
        {"warm_max_factor", "2.00"},
        {"temp_lru", "no"},
        {"temporary_ttl", "61"},
        {"idle_timeout", "0"},
        {"watcher_logbuf_size", "262144"},
        {"worker_logbuf_size", "65536"},
        {"read_buf_mem_limit", "0"},
        {"track_sizes", "no"},
        {"inline_ascii_response", "no"},
        {"ext_item_size", "512"},
        {"ext_item_age", "4294967295"},
        {"ext_low_ttl", "0"},
        {"ext_recache_rate", "2000"},
        {"ext_wbuf_size", "4194304"},
        {"ext_compact_under", "0"},
        {"ext_drop_under", "0"},
        {"ext_max_sleep", "1000000"},
        {"ext_max_frag", "0.80"},
        {"slab_automove_freeratio", "0.010"},
        {"ext_drop_unread", "no"},
        {"ssl_enabled", "no"},
        {"ssl_chain_cert", "(null)"},
        {"ssl_key", "(null)"},
        {"ssl_verify_mode", "0"},
        {"ssl_keyformat", "1"},
        {"ssl_ciphers", "NULL"},
        {"ssl_ca_cert", "NULL"},
        {"ssl_wbuf_size", "16384"},
        {"ssl_session_cache", "no"},
        {"ssl_kernel_tls", "no"},
        {"ssl_min_version", "tlsv1.2"},
        {"num_napi_ids", "(null)"},
        {"memory_file", "(null)"}}},
      // suboptions: memcached -t 4 -U 22124 -l 127.0.0.1,127.0.0.2 -o
      // hashpower=16,lru_crawler_sleep=50,lru_crawler_tocrawl=9,hot_lru_pct=10,warm_lru_pct=30,hot_max_factor=0.5,warm_max_factor=3,temporary_ttl=30,idle_timeout=60,watcher_logbuf_size=128,worker_logbuf_size=128,read_buf_mem_limit=4,track_sizes,slab_automove=2,slab_automove_ratio=0.5,slab_automove_window=10,tail_repair_time=20,hash_algorithm=xxh3,ext_item_size=1024,ext_max_frag=0.5,slab_automove_freeratio=0.02,ext_drop_unread,ext_wbuf_size=8,ext_low_ttl=5
      {"suboptions",
       {"-t", "4", "-U", "22124", "-l", "127.0.0.1,127.0.0.2", "-o",
        "hashpower=16,lru_crawler_sleep=50,lru_crawler_tocrawl=9,hot_lru_pct=10,warm_lru_pct=30,"
        "hot_max_factor=0.5,warm_max_factor=3,temporary_ttl=30,idle_timeout=60,watcher_logbuf_size="
        "128,worker_logbuf_size=128,read_buf_mem_limit=4,track_sizes,slab_automove=2,slab_automove_"
        "ratio=0.5,slab_automove_window=10,tail_repair_time=20,hash_algorithm=xxh3,ext_item_size="
        "1024,ext_max_frag=0.5,slab_automove_freeratio=0.02,ext_drop_unread,ext_wbuf_size=8,ext_"
        "low_ttl=5"},
       {{"maxbytes", "67108864"},
        {"maxconns", "1024"},
        {"tcpport", "22124"},
        {"udpport", "22124"},
        {"inter", "127.0.0.1,127.0.0.2"},
        {"verbosity", "0"},
        {"oldest", "0"},
        {"evictions", "on"},
        {"domain_socket", "NULL"},
        {"umask", "700"},
        {"shutdown_command", "no"},
        {"growth_factor", "1.25"},
        {"chunk_size", "48"},
        {"num_threads", "4"},
        {"num_threads_per_udp", "1"},
        {"stat_key_prefix", ":"},
        {"detail_enabled", "no"},
        {"reqs_per_event", "20"},
        {"cas_enabled", "yes"},
        {"tcp_backlog", "1024"},
        {"binding_protocol", "auto-negotiate"},
        {"auth_enabled_sasl", "no"},
        {"auth_enabled_ascii", "no"},
        {"item_size_max", "1048576"},
        {"maxconns_fast", "yes"},
        {"hashpower_init", "16"},
        {"slab_reassign", "yes"},
        {"slab_automove", "2"},
        {"slab_automove_ratio", "0.50"},
        {"slab_automove_window", "10"},
        {"slab_chunk_max", "524288"},
        {"lru_crawler", "yes"},
        {"lru_crawler_sleep", "50"},
        {"lru_crawler_tocrawl", "9"},
        {"tail_repair_time", "20"},
        {"flush_enabled", "yes"},
        {"dump_enabled", "yes"},
        {"hash_algorithm", "xxh3"},
        {"lru_maintainer_thread", "yes"},
        {"lru_segmented", "yes"},
        {"hot_lru_pct", "10"},
        {"warm_lru_pct", "30"},
        {"hot_max_factor", "0.50"},
        {"warm_max_factor", "3.00"},
        {"temp_lru", "yes"},
        {"temporary_ttl", "30"},
        {"idle_timeout", "60"},
        {"watcher_logbuf_size", "131072"},
        {"worker_logbuf_size", "131072"},
        {"read_buf_mem_limit", "4194304"},
        {"track_sizes", "yes"},
        {"inline_ascii_response", "no"},
        {"ext_item_size", "1024"},
        {"ext_item_age", "4294967295"},
        {"ext_low_ttl", "5"},
        {"ext_recache_rate", "2000"},
        {"ext_wbuf_size", "8388608"},
        {"ext_compact_under", "0"},
        {"ext_drop_under", "0"},
        {"ext_max_sleep", "1000000"},
        {"ext_max_frag", "0.50"},
        {"slab_automove_freeratio", "0.020"},
        {"ext_drop_unread", "yes"},
        {"ssl_enabled", "no"},
        {"ssl_chain_cert", "(null)"},
        {"ssl_key", "(null)"},
        {"ssl_verify_mode", "0"},
        {"ssl_keyformat", "1"},
        {"ssl_ciphers", "NULL"},
        {"ssl_ca_cert", "NULL"},
        {"ssl_wbuf_size", "16384"},
        {"ssl_session_cache", "no"},
        {"ssl_kernel_tls", "no"},
        {"ssl_min_version", "tlsv1.2"},
        {"num_napi_ids", "(null)"},
        {"memory_file", "(null)"}}},
      // auth: memcached -t 4 -p 22125 -U 0 -Y /tmp/golden/auth -B ascii
      {"auth",
       {"-t", "4", "-p", "22125", "-U", "0", "-Y", "/tmp/golden/auth", "-B", "ascii"},
       {{"maxbytes", "67108864"},
        {"maxconns", "1024"},
        {"tcpport", "22125"},
        {"udpport", "0"},
        {"inter", "NULL"},
        {"verbosity", "0"},
        {"oldest", "0"},
        {"evictions", "on"},
        {"domain_socket", "NULL"},
        {"umask", "700"},
        {"shutdown_command", "no"},
        {"growth_factor", "1.25"},
        {"chunk_size", "48"},
        {"num_threads", "4"},
        {"num_threads_per_udp", "4"},
        {"stat_key_prefix", ":"},
        {"detail_enabled", "no"},
        {"reqs_per_event", "20"},
        {"cas_enabled", "yes"},
        {"tcp_backlog", "1024"},
        {"binding_protocol", "ascii"},
        {"auth_enabled_sasl", "no"},
        {"auth_enabled_ascii", "/tmp/golden/auth"},
        {"item_size_max", "1048576"},
        {"maxconns_fast", "yes"},
        {"hashpower_init", "0"},
        {"slab_reassign", "yes"},
        {"slab_automove", "1"},
        {"slab_automove_ratio", "0.80"},
        {"slab_automove_window", "30"},
        {"slab_chunk_max", "524288"},
        {"lru_crawler", "yes"},
        {"lru_crawler_sleep", "100"},
        {"lru_crawler_tocrawl", "0"},
        {"tail_repair_time", "0"},
        {"flush_enabled", "yes"},
        {"dump_enabled", "yes"},
        {"hash_algorithm", "murmur3"},
        {"lru_maintainer_thread", "yes"},
        {"lru_segmented", "yes"},
        {"hot_lru_pct", "20"},
        {"warm_lru_pct", "40"},
        {"hot_max_factor", "0.20"},
        {"warm_max_factor", "2.00"},
        {"temp_lru", "no"},
        {"temporary_ttl", "61"},
        {"idle_timeout", "0"},
        {"watcher_logbuf_size", "262144"},
        {"worker_logbuf_size", "65536"},
        {"read_buf_mem_limit", "0"},
        {"track_sizes", "no"},
        {"inline_ascii_response", "no"},
        {"ext_item_size", "512"},
        {"ext_item_age", "4294967295"},
        {"ext_low_ttl", "0"},
        {"ext_recache_rate", "2000"},
        {"ext_wbuf_size", "4194304"},
        {"ext_compact_under", "0"},
        {"ext_drop_under", "0"},
        {"ext_max_sleep", "1000000"},
        {"ext_max_frag", "0.80"},
        {"slab_automove_freeratio", "0.010"},
        {"ext_drop_unread", "no"},
        {"ssl_enabled", "no"},
        {"ssl_chain_cert", "(null)"},
        {"ssl_key", "(null)"},
        {"ssl_verify_mode", "0"},
        {"ssl_keyformat", "1"},
        {"ssl_ciphers", "NULL"},
        {"ssl_ca_cert", "NULL"},
        {"ssl_wbuf_size", "16384"},
        {"ssl_session_cache", "no"},
        {"ssl_kernel_tls", "no"},
        {"ssl_min_version", "tlsv1.2"},
        {"num_napi_ids", "(null)"},
        {"memory_file", "(null)"}}},
      // unix: memcached -t 4 -s /tmp/golden/mc.sock
      {"unix",
       {"-t", "4", "-s", "/tmp/golden/mc.sock"},
       {{"maxbytes", "67108864"},
        {"maxconns", "1024"},
        {"tcpport", "11211"},
        {"udpport", "0"},
        {"inter", "NULL"},
        {"verbosity", "0"},
        {"oldest", "0"},
        {"evictions", "on"},
        {"domain_socket", "/tmp/golden/mc.sock"},
        {"umask", "700"},
        {"shutdown_command", "no"},
        {"growth_factor", "1.25"},
        {"chunk_size", "48"},
        {"num_threads", "4"},
        {"num_threads_per_udp", "4"},
        {"stat_key_prefix", ":"},
        {"detail_enabled", "no"},
        {"reqs_per_event", "20"},
        {"cas_enabled", "yes"},
        {"tcp_backlog", "1024"},
        {"binding_protocol", "auto-negotiate"},
        {"auth_enabled_sasl", "no"},
        {"auth_enabled_ascii", "no"},
        {"item_size_max", "1048576"},
        {"maxconns_fast", "yes"},
        {"hashpower_init", "0"},
        {"slab_reassign", "yes"},
        {"slab_automove", "1"},
        {"slab_automove_ratio", "0.80"},
        {"slab_automove_window", "30"},
        {"slab_chunk_max", "524288"},
        {"lru_crawler", "yes"},
        {"lru_crawler_sleep", "100"},
        {"lru_crawler_tocrawl", "0"},
        {"tail_repair_time", "0"},
        {"flush_enabled", "yes"},
        {"dump_enabled", "yes"},
        {"hash_algorithm", "murmur3"},
        {"lru_maintainer_thread", "yes"},
        {"lru_segmented", "yes"},
        {"hot_lru_pct", "20"},
        {"warm_lru_pct", "40"},
        {"hot_max_factor", "0.20"},
        {"warm_max_factor", "2.00"},
        {"temp_lru", "no"},
        {"temporary_ttl", "61"},
        {"idle_timeout", "0"},
        {"watcher_logbuf_size", "262144"},
        {"worker_logbuf_size", "65536"},
        {"read_buf_mem_limit", "0"},
        {"track_sizes", "no"},
        {"inline_ascii_response", "no"},
        {"ext_item_size", "512"},
        {"ext_item_age", "4294967295"},
        {"ext_low_ttl", "0"},
        {"ext_recache_rate", "2000"},
        {"ext_wbuf_size", "4194304"},
        {"ext_compact_under", "0"},
        {"ext_drop_under", "0"},
        {"ext_max_sleep", "1000000"},
        {"ext_max_frag", "0.80"},
        {"slab_automove_freeratio", "0.010"},
        {"ext_drop_unread", "no"},
        {"ssl_enabled", "no"},
        {"ssl_chain_cert", "(null)"},
        {"ssl_key", "(null)"},
        {"ssl_verify_mode", "0"},
        {"ssl_keyformat", "1"},
        {"ssl_ciphers", "NULL"},
        {"ssl_ca_cert", "NULL"},
        {"ssl_wbuf_size", "16384"},
        {"ssl_session_cache", "no"},
        {"ssl_kernel_tls", "no"},
        {"ssl_min_version", "tlsv1.2"},
        {"num_napi_ids", "(null)"},
        {"memory_file", "(null)"}}},
  };
  return *goldens;
}

TEST(ConfigStatsTest, EqualsMemcachedsListForTheSameFlags) {
  for (const Golden& g : Goldens()) {
    SCOPED_TRACE(g.name);
    EXPECT_EQ(MemcachedPart(StatsFor(g.args)), g.expected);
  }
}

TEST(ConfigStatsTest, RingcachesOwnSettingsFollow) {
  const std::vector<SettingStat> stats = StatsFor({"-o", "io_engine=uring,no_pin_threads"});
  ASSERT_GE(stats.size(), 3u);
  EXPECT_THAT(std::vector<SettingStat>(stats.end() - 3, stats.end()),
              ElementsAre(SettingStat{"io_engine", "uring"}, SettingStat{"pin_threads", "no"},
                          SettingStat{"config_file", "NULL"}));
}

TEST(ConfigStatsTest, RuntimeValuesComeFromTheCallersCopy) {
  HostFacts host;
  Config c = ParseCommandLine(std::vector<std::string>{"ringcached"}, host).config;
  c.verbosity = 2;
  c.detail_enabled = true;
  const std::vector<SettingStat> stats = SettingsStats(c, 1234);
  auto value = [&](const std::string& name) {
    for (const SettingStat& s : stats) {
      if (s.name == name) return s.value;
    }
    return std::string("<missing>");
  };
  EXPECT_EQ(value("verbosity"), "2");
  EXPECT_EQ(value("detail_enabled"), "yes");
  EXPECT_EQ(value("oldest"), "1234");
}

TEST(ConfigStatsTest, TlsAndNapiFormats) {
  const std::vector<SettingStat> stats =
      StatsFor({"-Z", "-N", "2", "-o",
                "ssl_chain_cert=/c,ssl_verify_mode=3,ssl_min_version=3,ssl_ciphers=HIGH"});
  auto value = [&](const std::string& name) {
    for (const SettingStat& s : stats) {
      if (s.name == name) return s.value;
    }
    return std::string("<missing>");
  };
  EXPECT_EQ(value("ssl_enabled"), "yes");
  EXPECT_EQ(value("ssl_chain_cert"), "/c");
  EXPECT_EQ(value("ssl_key"), "(null)");
  EXPECT_EQ(value("ssl_verify_mode"), "7");  // OpenSSL's PEER|FAIL_IF_NO_PEER_CERT|CLIENT_ONCE
  EXPECT_EQ(value("ssl_min_version"), "tlsv1.3");
  EXPECT_EQ(value("ssl_ciphers"), "HIGH");
  EXPECT_EQ(value("num_napi_ids"), "2");
}

}  // namespace
}  // namespace ringcache::server
