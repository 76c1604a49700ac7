#include "stats_report.h"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/un.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "connection.h"
#include "ringcache/protocol/stats_writer.h"
#include "ringcache/server/process.h"
#include "ringcache/server/version.h"
#include "worker_context.h"

namespace ringcache::server {
namespace {

// memcached's ITEM_UPDATE_INTERVAL: `uptime` is reported that much below the
// clock, whose zero lies 62 s before the real start (see base/clock.h).
constexpr base::RelTime kUptimeOffset = 60;

class Lines {
 public:
  void Counter(std::string name, uint64_t v) {
    lines_.push_back({std::move(name), StatLine::Kind::kCounter, v, {}});
  }
  void Gauge(std::string name, uint64_t v) {
    lines_.push_back({std::move(name), StatLine::Kind::kGauge, v, {}});
  }
  void Text(std::string name, std::string v) {
    lines_.push_back({std::move(name), StatLine::Kind::kText, 0, std::move(v)});
  }
  std::vector<StatLine> Take() { return std::move(lines_); }

 private:
  std::vector<StatLine> lines_;
};

struct IoTotals {
  uint64_t curr_connections = 0, total_connections = 0, rejected_connections = 0;
  uint64_t listen_disabled_num = 0, conn_yields = 0, idle_kicks = 0;
  uint64_t bytes_read = 0, bytes_written = 0, kernel_entries = 0, recv_completions = 0;
  uint64_t sends = 0, turns = 0, read_pauses = 0;
};

IoTotals SumIo(const io::Engine* engine) {
  IoTotals t;
  if (engine == nullptr) return t;
  for (int i = 0; i < engine->workers(); ++i) {
    const io::WorkerStats& s = engine->stats(i);
    const auto ld = [](const std::atomic<uint64_t>& a) {
      return a.load(std::memory_order_relaxed);
    };
    t.curr_connections += ld(s.curr_connections);
    t.total_connections += ld(s.total_connections);
    t.rejected_connections += ld(s.rejected_connections);
    t.listen_disabled_num += ld(s.listen_disabled_num);
    t.conn_yields += ld(s.conn_yields);
    t.idle_kicks += ld(s.idle_kicks);
    t.bytes_read += ld(s.bytes_read);
    t.bytes_written += ld(s.bytes_written);
    t.kernel_entries += ld(s.kernel_entries);
    t.recv_completions += ld(s.recv_completions);
    t.sends += ld(s.sends);
    t.turns += ld(s.turns);
    t.read_pauses += ld(s.read_pauses);
  }
  return t;
}

// memcached keeps one connection object per listening address and one per
// UDP socket per worker thread; its connection counts include them.
struct ListenerCounts {
  uint64_t stream = 0;
  uint64_t udp = 0;
};

ListenerCounts CountListeners(const Config& config) {
  ListenerCounts c;
  if (!config.unix_socket.empty()) {
    c.stream = 1;
    return c;
  }
  for (const ListenerSpec& l : config.listeners) {
    if (l.transport == io::Transport::kUdp) {
      c.udp += static_cast<uint64_t>(config.num_threads);
    } else {
      ++c.stream;
    }
  }
  return c;
}

// memcached's get_conn_text: "tcp:1.2.3.4:11211", "tcp6:[::1]:11211",
// "udp:...", "unix:/path"; an unnamed peer is "<AF n>".
std::string ConnText(io::Transport transport, const sockaddr_storage& addr, socklen_t len) {
  char text[INET6_ADDRSTRLEN + 2] = {};
  const bool udp = transport == io::Transport::kUdp;
  switch (addr.ss_family) {
    case AF_INET: {
      const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
      inet_ntop(AF_INET, &a.sin_addr, text, sizeof(text));
      return absl::StrCat(udp ? "udp:" : "tcp:", text, ":", ntohs(a.sin_port));
    }
    case AF_INET6: {
      const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
      inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof(text));
      return absl::StrCat(udp ? "udp6:[" : "tcp6:[", text, "]:", ntohs(a.sin6_port));
    }
    case AF_UNIX: {
      const auto& a = reinterpret_cast<const sockaddr_un&>(addr);
      const size_t max =
          len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
      const std::string path(a.sun_path, strnlen(a.sun_path, max));
      return path.size() < 2 ? absl::StrCat("unix:<AF ", AF_UNIX, ">") : "unix:" + path;
    }
    default:
      return absl::StrCat("?:<AF ", addr.ss_family, ">");
  }
}

std::string FormatTimeval(const timeval& tv) {
  return absl::StrFormat("%ld.%06ld", static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec));
}

}  // namespace

std::vector<StatLine> StatsReport::General(base::RelTime now) {
  const Config& config = server_.config;
  ThreadStatsSnapshot ts;
  server_.ForEachWorker([&](WorkerContext& w) { ts.Accumulate(w.stats()); });
  const IoTotals io = SumIo(server_.engine);
  storage::StoreStats ss;
  server_.store.CollectStats(&ss);
  const ListenerCounts listeners = CountListeners(config);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);

  Lines l;
  l.Gauge("pid", static_cast<uint64_t>(getpid()));
  l.Gauge("uptime", now - kUptimeOffset);
  l.Gauge("time", static_cast<uint64_t>(server_.clock.ToUnix(now)));
  l.Text("version", std::string(kMemcachedVersion));
  // ringcached has no libevent; its event loop is io_uring (or epoll).
  l.Text("libevent", "none");
  l.Gauge("pointer_size", 8 * sizeof(void*));
  l.Text("rusage_user", FormatTimeval(usage.ru_utime));
  l.Text("rusage_system", FormatTimeval(usage.ru_stime));
  l.Gauge("max_connections", static_cast<uint64_t>(config.max_connections));
  const uint64_t structures = io.curr_connections + listeners.stream + listeners.udp;
  l.Gauge("curr_connections", structures - 1);
  l.Counter("total_connections", io.total_connections + listeners.stream + listeners.udp);
  l.Counter("rejected_connections", io.rejected_connections);
  l.Gauge("connection_structures", structures);
  l.Counter("response_obj_oom", ts.response_obj_oom);
  l.Gauge("response_obj_count", 0);
  l.Gauge("response_obj_bytes", 0);
  l.Gauge("read_buf_count", 0);
  l.Gauge("read_buf_bytes", 0);
  l.Gauge("read_buf_bytes_free", 0);
  l.Counter("read_buf_oom", ts.read_buf_oom);
  l.Gauge("reserved_fds", OpenFilesNeeded(config) - static_cast<uint64_t>(config.max_connections));
  l.Counter("cmd_get", ts.get_cmds);
  l.Counter("cmd_set", ss.cmd_set);
  l.Counter("cmd_flush", ts.flush_cmds);
  l.Counter("cmd_touch", ts.touch_cmds);
  l.Counter("cmd_meta", ts.meta_cmds);
  l.Counter("get_hits", ss.get_hits);
  l.Counter("get_misses", ts.get_misses);
  l.Counter("get_expired", ss.get_expired);
  l.Counter("get_flushed", ss.get_flushed);
  l.Counter("delete_misses", ts.delete_misses);
  l.Counter("delete_hits", ss.delete_hits);
  l.Counter("incr_misses", ts.incr_misses);
  l.Counter("incr_hits", ss.incr_hits);
  l.Counter("decr_misses", ts.decr_misses);
  l.Counter("decr_hits", ss.decr_hits);
  l.Counter("cas_misses", ts.cas_misses);
  l.Counter("cas_hits", ss.cas_hits);
  l.Counter("cas_badval", ss.cas_badval);
  l.Counter("touch_hits", ss.touch_hits);
  l.Counter("touch_misses", ts.touch_misses);
  l.Counter("store_too_large", ts.store_too_large);
  l.Counter("store_no_memory", ts.store_no_memory);
  l.Counter("auth_cmds", ts.auth_cmds);
  l.Counter("auth_errors", ts.auth_errors);
  l.Counter("bytes_read", io.bytes_read);
  l.Counter("bytes_written", io.bytes_written);
  l.Gauge("limit_maxbytes", ss.limit_maxbytes);
  l.Gauge("accepting_conns", server_.accepting.load(std::memory_order_relaxed) ? 1 : 0);
  l.Counter("listen_disabled_num", io.listen_disabled_num);
  l.Counter("time_in_listen_disabled_us", 0);
  l.Gauge("threads", static_cast<uint64_t>(config.num_threads));
  l.Counter("conn_yields", io.conn_yields);
  l.Gauge("hash_power_level", ss.hash_power_level);
  l.Gauge("hash_bytes", ss.hash_bytes);
  l.Gauge("hash_is_expanding", ss.hash_is_expanding ? 1 : 0);
  // No slab allocator: nothing is ever reassigned between slab classes.
  l.Counter("slab_reassign_rescues", 0);
  l.Counter("slab_reassign_chunk_rescues", 0);
  l.Counter("slab_reassign_evictions_nomem", 0);
  l.Counter("slab_reassign_inline_reclaim", 0);
  l.Counter("slab_reassign_busy_items", 0);
  l.Counter("slab_reassign_busy_deletes", 0);
  l.Gauge("slab_reassign_running", 0);
  l.Counter("slabs_moved", 0);
  l.Gauge("lru_crawler_running", ss.lru_crawler_running ? 1 : 0);
  l.Counter("lru_crawler_starts", ss.lru_crawler_starts);
  l.Counter("lru_maintainer_juggles", ss.lru_maintainer_juggles);
  l.Counter("malloc_fails", 0);
  l.Counter("log_worker_dropped", 0);
  l.Counter("log_worker_written", server_.watch.produced());
  l.Counter("log_watcher_skipped", server_.watch.skipped());
  l.Counter("log_watcher_sent", server_.watch.sent());
  l.Gauge("log_watchers", server_.watch.watchers());
  l.Counter("unexpected_napi_ids", 0);
  l.Counter("round_robin_fallback", 0);
  l.Gauge("bytes", ss.bytes);
  l.Gauge("curr_items", ss.curr_items);
  l.Counter("total_items", ss.total_items);
  l.Gauge("slab_global_page_pool", 0);
  l.Counter("expired_unfetched", ss.expired_unfetched);
  l.Counter("evicted_unfetched", ss.evicted_unfetched);
  l.Counter("evicted_active", ss.evicted_active);
  l.Counter("evictions", ss.evictions);
  l.Counter("reclaimed", ss.reclaimed);
  l.Counter("crawler_reclaimed", ss.crawler_reclaimed);
  l.Counter("crawler_items_checked", ss.crawler_items_checked);
  l.Counter("lrutail_reflocked", 0);
  l.Counter("moves_to_cold", ss.moves_to_cold);
  l.Counter("moves_to_warm", ss.moves_to_warm);
  l.Counter("moves_within_lru", ss.moves_within_lru);
  l.Counter("direct_reclaims", ss.direct_reclaims);
  l.Counter("lru_bumps_dropped", ss.lru_bumps_dropped);
  // ringcache's own fields follow memcached's.
  l.Text("ringcache_version", std::string(kRingcacheVersion));
  l.Text("io_engine",
         server_.engine != nullptr ? io::EngineKindName(server_.engine->kind()) : "none");
  l.Counter("kernel_entries", io.kernel_entries);
  l.Counter("recv_completions", io.recv_completions);
  l.Counter("sends", io.sends);
  l.Counter("event_loop_turns", io.turns);
  l.Counter("read_pauses", io.read_pauses);
  l.Counter("idle_kicks", io.idle_kicks);
  l.Gauge("total_malloced", ss.total_malloced);
  l.Gauge("lru_queue_bytes", ss.lru_queue_bytes);
  l.Gauge("store_stripes", static_cast<uint64_t>(ss.stripes));
  l.Gauge("numa_nodes", static_cast<uint64_t>(ss.numa_nodes));
  return l.Take();
}

std::vector<StatLine> StatsReport::Items(base::RelTime now) {
  std::vector<storage::ClassStats> classes;
  server_.store.CollectClassStats(&classes, now);
  Lines l;
  for (const storage::ClassStats& c : classes) {
    if (c.number() == 0) continue;  // memcached lists only classes holding items
    const std::string p = absl::StrCat("items:", c.id, ":");
    l.Gauge(p + "number", c.number());
    l.Gauge(p + "number_hot", c.items[0]);
    l.Gauge(p + "number_warm", c.items[1]);
    l.Gauge(p + "number_cold", c.items[2]);
    l.Gauge(p + "age_hot", c.age_hot);
    l.Gauge(p + "age_warm", c.age_warm);
    l.Gauge(p + "age", c.age);
    l.Gauge(p + "mem_requested", c.mem_requested);
    l.Counter(p + "evicted", c.evicted);
    l.Counter(p + "evicted_nonzero", c.evicted_nonzero);
    l.Gauge(p + "evicted_time", c.evicted_time);
    l.Counter(p + "outofmemory", c.outofmemory);
    l.Counter(p + "tailrepairs", 0);
    l.Counter(p + "reclaimed", c.reclaimed);
    l.Counter(p + "expired_unfetched", c.expired_unfetched);
    l.Counter(p + "evicted_unfetched", c.evicted_unfetched);
    l.Counter(p + "evicted_active", c.evicted_active);
    l.Counter(p + "crawler_reclaimed", c.crawler_reclaimed);
    l.Counter(p + "crawler_items_checked", c.crawler_items_checked);
    l.Counter(p + "lrutail_reflocked", 0);
    l.Counter(p + "moves_to_cold", c.moves_to_cold);
    l.Counter(p + "moves_to_warm", c.moves_to_warm);
    l.Counter(p + "moves_within_lru", c.moves_within_lru);
    l.Counter(p + "direct_reclaims", c.direct_reclaims);
    l.Counter(p + "hits_to_hot", c.hits[0]);
    l.Counter(p + "hits_to_warm", c.hits[1]);
    l.Counter(p + "hits_to_cold", c.hits[2]);
    l.Counter(p + "hits_to_temp", c.hits[3]);
  }
  return l.Take();
}

std::vector<StatLine> StatsReport::Slabs(base::RelTime now) {
  std::vector<storage::ClassStats> classes;
  server_.store.CollectClassStats(&classes, now);
  storage::StoreStats ss;
  server_.store.CollectStats(&ss);
  Lines l;
  int active = 0;
  // Like memcached's slab classes that were ever given a page, every class
  // the store reports (it has items, allocations or counters) stays listed.
  for (const storage::ClassStats& c : classes) {
    ++active;
    const std::string p = absl::StrCat(c.id, ":");
    // A jemalloc slab plays the part of memcached's page.
    const uint64_t per_page = c.chunks_per_page == 0 ? 1 : c.chunks_per_page;
    const uint64_t pages = (c.used_chunks + per_page - 1) / per_page;
    l.Gauge(p + "chunk_size", c.chunk_size);
    l.Gauge(p + "chunks_per_page", per_page);
    l.Gauge(p + "total_pages", pages);
    l.Gauge(p + "total_chunks", pages * per_page);
    l.Gauge(p + "used_chunks", c.used_chunks);
    l.Gauge(p + "free_chunks", pages * per_page - c.used_chunks);
    l.Gauge(p + "free_chunks_end", 0);
    l.Counter(p + "get_hits", c.get_hits);
    l.Counter(p + "cmd_set", c.cmd_set);
    l.Counter(p + "delete_hits", c.delete_hits);
    l.Counter(p + "incr_hits", c.incr_hits);
    l.Counter(p + "decr_hits", c.decr_hits);
    l.Counter(p + "cas_hits", c.cas_hits);
    l.Counter(p + "cas_badval", c.cas_badval);
    l.Counter(p + "touch_hits", c.touch_hits);
  }
  l.Gauge("active_slabs", static_cast<uint64_t>(active));
  l.Gauge("total_malloced", ss.total_malloced);
  return l.Take();
}

std::vector<StatLine> StatsReport::Conns(base::RelTime now) {
  struct Entry {
    int fd;
    std::vector<std::pair<std::string, std::string>> fields;
  };
  std::vector<Entry> entries;
  // Listeners and UDP sockets have been there since the start.
  const base::RelTime started = server_.clock.FromUnix(server_.started_unix);
  const std::string since_start = std::to_string(now - std::min(now, started));
  if (server_.engine != nullptr) {
    for (const io::BoundSocket& b : server_.engine->bound()) {
      Entry e{b.fd, {}};
      if (b.transport == io::Transport::kUdp) {
        e.fields.emplace_back("UDP", "UDP");
        e.fields.emplace_back("addr", ConnText(b.transport, b.addr, b.addr_len));
        e.fields.emplace_back("state", "conn_read");
      } else {
        e.fields.emplace_back("addr", ConnText(b.transport, b.addr, b.addr_len));
        e.fields.emplace_back("state", "conn_listening");
      }
      e.fields.emplace_back("secs_since_last_cmd", since_start);
      entries.push_back(std::move(e));
    }
  }
  std::vector<ConnSnapshot> conns;
  server_.ForEachWorker([&](WorkerContext& w) { w.SnapshotConnections(&conns); });
  for (const ConnSnapshot& c : conns) {
    if (c.info.transport == io::Transport::kUdp) continue;  // the UDP socket is listed above
    Entry e{c.info.fd, {}};
    e.fields.emplace_back("addr", ConnText(c.info.transport, c.info.peer, c.info.peer_len));
    e.fields.emplace_back("listen_addr",
                          ConnText(c.info.transport, c.info.local, c.info.local_len));
    e.fields.emplace_back("state", c.state);
    e.fields.emplace_back("secs_since_last_cmd", std::to_string(now - std::min(now, c.last_cmd)));
    entries.push_back(std::move(e));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.fd < b.fd; });
  Lines l;
  for (Entry& e : entries) {
    for (auto& [name, value] : e.fields) {
      l.Text(absl::StrCat(e.fd, ":", name), std::move(value));
    }
  }
  return l.Take();
}

void StatsReport::Write(base::OutBuffer& out, const std::vector<StatLine>& lines) {
  protocol::StatsWriter w(out);
  Visit(lines, [&w](std::string_view name, std::string_view value) { w.Add(name, value); });
  w.End();
}

void StatsReport::Reset(base::RelTime now) {
  std::map<std::string, uint64_t> baseline;
  for (const std::vector<StatLine>& report : {General(now), Items(now), Slabs(now)}) {
    for (const StatLine& line : report) {
      if (line.kind == StatLine::Kind::kCounter) baseline[line.name] = line.number;
    }
  }
  server_.SetBaseline(std::move(baseline));
}

}  // namespace ringcache::server
