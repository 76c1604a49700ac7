#include "ringcache/server/config_stats.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ringcache::server {
namespace {

std::string YesNo(bool b) { return b ? "yes" : "no"; }

// memcached prints unset strings as "NULL" in some lines and, through
// printf("%s", NULL), as "(null)" in others.
std::string OrNull(const std::string& s) { return s.empty() ? "NULL" : s; }
std::string OrPrintfNull(const std::string& s) { return s.empty() ? "(null)" : s; }
std::string OrNull(const std::optional<std::string>& s) { return s.value_or("NULL"); }
std::string OrPrintfNull(const std::optional<std::string>& s) { return s.value_or("(null)"); }

// OpenSSL's verify flags for memcached's levels 0..3.
int VerifyFlags(int level) {
  constexpr int kPeer = 0x01, kFailIfNoPeerCert = 0x02, kClientOnce = 0x04;
  switch (level) {
    case 1:
      return kPeer;
    case 2:
      return kPeer | kFailIfNoPeerCert;
    case 3:
      return kPeer | kFailIfNoPeerCert | kClientOnce;
    default:
      return 0;
  }
}

class Builder {
 public:
  void Add(std::string_view name, std::string value) {
    list_.push_back({std::string(name), std::move(value)});
  }
  template <typename T>
  void Num(std::string_view name, T value) {
    Add(name, absl::StrCat(value));
  }
  std::vector<SettingStat> Take() { return std::move(list_); }

 private:
  std::vector<SettingStat> list_;
};

}  // namespace

std::vector<SettingStat> SettingsStats(const Config& c, uint32_t oldest_live) {
  Builder b;
  b.Num("maxbytes", c.max_bytes);
  b.Num("maxconns", c.max_connections);
  b.Num("tcpport", c.port);
  b.Num("udpport", c.udp_port);
  b.Add("inter", c.listen.value_or("NULL"));
  b.Num("verbosity", c.verbosity);
  b.Num("oldest", oldest_live);
  b.Add("evictions", c.evict_to_free ? "on" : "off");
  b.Add("domain_socket", OrNull(c.unix_socket));
  b.Add("umask", absl::StrFormat("%o", static_cast<unsigned>(c.unix_mask)));
  b.Add("shutdown_command", YesNo(c.shutdown_command));
  b.Add("growth_factor", absl::StrFormat("%.2f", c.growth_factor));
  b.Num("chunk_size", c.chunk_size);
  b.Num("num_threads", c.num_threads);
  b.Num("num_threads_per_udp", c.num_threads_per_udp);
  b.Add("stat_key_prefix", std::string(1, c.prefix_delimiter));
  b.Add("detail_enabled", YesNo(c.detail_enabled));
  b.Num("reqs_per_event", c.reqs_per_event);
  b.Add("cas_enabled", YesNo(c.use_cas));
  b.Num("tcp_backlog", c.backlog);
  b.Add("binding_protocol", std::string(ProtocolName(c.protocol)));
  b.Add("auth_enabled_sasl", YesNo(c.sasl));
  b.Add("auth_enabled_ascii", c.auth_file.empty() ? "no" : c.auth_file);
  b.Num("item_size_max", c.item_size_max);
  b.Add("maxconns_fast", YesNo(c.maxconns_fast));
  b.Num("hashpower_init", c.hashpower_init);
  b.Add("slab_reassign", YesNo(c.slab_reassign));
  b.Num("slab_automove", c.slab_automove);
  b.Add("slab_automove_ratio", absl::StrFormat("%.2f", c.slab_automove_ratio));
  b.Num("slab_automove_window", c.slab_automove_window);
  b.Num("slab_chunk_max", c.slab_chunk_size_max);
  b.Add("lru_crawler", YesNo(c.lru_crawler));
  b.Num("lru_crawler_sleep", c.lru_crawler_sleep);
  b.Num("lru_crawler_tocrawl", c.lru_crawler_tocrawl);
  b.Num("tail_repair_time", c.tail_repair_time);
  b.Add("flush_enabled", YesNo(c.flush_enabled));
  b.Add("dump_enabled", YesNo(c.dump_enabled));
  b.Add("hash_algorithm", std::string(HashAlgorithmName(c.hash_algorithm)));
  b.Add("lru_maintainer_thread", YesNo(c.lru_maintainer));
  b.Add("lru_segmented", YesNo(c.lru_segmented));
  b.Num("hot_lru_pct", c.hot_lru_pct);
  b.Num("warm_lru_pct", c.warm_lru_pct);
  b.Add("hot_max_factor", absl::StrFormat("%.2f", c.hot_max_factor));
  b.Add("warm_max_factor", absl::StrFormat("%.2f", c.warm_max_factor));
  b.Add("temp_lru", YesNo(c.temp_lru));
  b.Num("temporary_ttl", c.temporary_ttl);
  b.Num("idle_timeout", c.idle_timeout);
  b.Num("watcher_logbuf_size", c.watcher_logbuf_size);
  b.Num("worker_logbuf_size", c.worker_logbuf_size);
  b.Num("read_buf_mem_limit", c.read_buf_mem_limit);
  b.Add("track_sizes", YesNo(c.track_sizes));
  b.Add("inline_ascii_response", "no");  // dead in memcached: always "no"

  const ExtstoreConfig& e = c.extstore;
  b.Num("ext_item_size", e.item_size);
  b.Num("ext_item_age", e.item_age);
  b.Num("ext_low_ttl", e.low_ttl);
  b.Num("ext_recache_rate", e.recache_rate);
  b.Num("ext_wbuf_size", e.wbuf_size);
  b.Num("ext_compact_under", e.compact_under);
  b.Num("ext_drop_under", e.drop_under);
  b.Num("ext_max_sleep", e.max_sleep);
  b.Add("ext_max_frag", absl::StrFormat("%.2f", e.max_frag));
  b.Add("slab_automove_freeratio", absl::StrFormat("%.3f", e.slab_automove_freeratio));
  b.Add("ext_drop_unread", YesNo(e.drop_unread));

  const TlsConfig& t = c.tls;
  b.Add("ssl_enabled", YesNo(t.enabled));
  b.Add("ssl_chain_cert", OrPrintfNull(t.chain_cert));
  b.Add("ssl_key", OrPrintfNull(t.key));
  b.Num("ssl_verify_mode", VerifyFlags(t.verify_level));
  b.Num("ssl_keyformat", t.key_format);
  b.Add("ssl_ciphers", OrNull(t.ciphers));
  b.Add("ssl_ca_cert", OrNull(t.ca_cert));
  b.Num("ssl_wbuf_size", t.wbuf_size);
  b.Add("ssl_session_cache", YesNo(t.session_cache));
  b.Add("ssl_kernel_tls", YesNo(t.kernel_tls));
  b.Add("ssl_min_version", std::string(TlsVersionName(t.min_version)));

  // memcached prints this int with "%s": 0 shows as "(null)".
  b.Add("num_napi_ids", c.num_napi_ids == 0 ? "(null)" : absl::StrCat(c.num_napi_ids));
  b.Add("memory_file", OrPrintfNull(c.memory_file));

  // ringcache's own.
  b.Add("io_engine", io::EngineKindName(c.io_engine));
  b.Add("pin_threads", YesNo(c.pin_threads));
  b.Add("config_file", OrNull(c.config_file));
  return b.Take();
}

}  // namespace ringcache::server
