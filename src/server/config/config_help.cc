#include "ringcache/server/config_help.h"

#include "absl/strings/str_format.h"

#include "ringcache/server/version.h"

namespace ringcache::server {
namespace {

std::string_view EnabledDisabled(bool on) { return on ? "enabled" : "disabled"; }

}  // namespace

std::string VersionLine() {
  return absl::StrFormat("%s %s (memcached %s compatible)\n", kProgramName, kRingcacheVersion,
                         kMemcachedVersion);
}

std::string HelpText(const Config& c) {
  std::string t = VersionLine();
  absl::StrAppendFormat(
      &t,
      "-p, --port=<num>          TCP port; 0 turns TCP off, -1 lets the kernel choose\n"
      "                          (default: %d)\n"
      "-U, --udp-port=<num>      UDP port; 0 turns UDP off (default: %d, off)\n"
      "-s, --unix-socket=<file>  serve a UNIX domain socket at <file>, no TCP or UDP\n"
      "-a, --unix-mask=<mask>    access bits of the UNIX socket, octal (default: %o)\n"
      "-A, --enable-shutdown     accept the ascii \"shutdown\" command\n"
      "-l, --listen=<addr>       addresses to serve, comma separated: host, host:port,\n"
      "                          [ipv6]:port or * (default: every address, INADDR_ANY)\n"
      "                          with TLS on, prefix one with 'notls:' to serve it in\n"
      "                          plain text (-l notls:<ip>:<port>)\n"
      "-d, --daemon              detach from the terminal and run in the background\n"
      "-r, --enable-coredumps    raise the core file size limit as far as allowed\n"
      "-u, --user=<user>         account to switch to once sockets are bound; needed\n"
      "                          when started as root\n"
      "-m, --memory-limit=<num>  memory for items, in megabytes (default: %u)\n"
      "-M, --disable-evictions   answer an error when memory is full, evict nothing\n"
      "-c, --conn-limit=<num>    most connections served at once (default: %d)\n"
      "-k, --lock-memory         keep every page of the process in RAM (mlockall)\n"
      "-v, --verbose             log errors and warnings while running\n"
      "-vv                       also log each client command and reply\n"
      "-vvv                      also log internal state changes\n"
      "-h, --help                print this text and exit\n"
      "-i, --license             print the license and exit\n"
      "-V, --version             print the version and exit\n"
      "-P, --pidfile=<file>      write the process id to <file>\n"
      "-f, --slab-growth-factor=<num> size ratio of memcached's slab classes; accepted,\n"
      "                          no effect here (default: %2.2f)\n"
      "-n, --slab-min-size=<bytes> smallest slab chunk; accepted, no effect here\n"
      "                          (default: %d)\n"
      "-L, --enable-largepages   use huge pages where the system offers them; accepted,\n"
      "                          no effect here\n"
      "-D <char>                 character ending a key's prefix for per-prefix\n"
      "                          statistics; giving it turns them on, otherwise\n"
      "                          \"stats detail on\" does (default: \"%c\")\n"
      "-t, --threads=<num>       worker threads, each pinned to a CPU (default: %d,\n"
      "                          the CPUs this process may run on)\n"
      "-R, --max-reqs-per-event  requests served from one connection before the others\n"
      "                          get a turn (default: %d)\n"
      "-C, --disable-cas         keep no CAS values (saves 8 bytes per item)\n"
      "-b, --listen-backlog=<num> length of the queue of connections not yet accepted\n"
      "                          (default: %d)\n"
      "-B, --protocol=<name>     ascii, binary or auto (default: %s)\n"
      "-I, --max-item-size=<num> largest item, in bytes or with a k or m suffix\n"
      "                          (default: %dm, min: 1k, max: 1024m)\n"
      "-S, --enable-sasl         SASL authentication (not in this build: refused)\n"
      "-F, --disable-flush-all   refuse the flush_all command\n"
      "-X, --disable-dumping     refuse \"stats cachedump\" and \"lru_crawler metadump\"\n"
      "-W, --disable-watch       refuse the watch command (live logs)\n"
      "-Y, --auth-file=<file>    (EXPERIMENTAL) ascii protocol authentication against\n"
      "                          the user:password lines of <file>\n"
      "-e, --memory-file=<file>  (EXPERIMENTAL) keep item memory in a mapped file on a\n"
      "                          RAM disk or persistent memory, so a restart after\n"
      "                          SIGUSR1 finds the cache again\n"
      "-Z, --enable-ssl          TLS on the listeners (not in this build: refused)\n"
      "-N, --napi-ids=<num>      number of NAPI ids used to route connections to\n"
      "                          worker threads\n"
      "    --config-file=<file>  read options from <file> (the format of Debian's\n"
      "                          /etc/memcached.conf) as if given before the others\n",
      c.port, c.udp_port, c.unix_mask, static_cast<unsigned>(c.max_bytes >> 20), c.max_connections,
      c.growth_factor, c.chunk_size, c.prefix_delimiter, c.num_threads, c.reqs_per_event, c.backlog,
      ProtocolName(c.protocol), c.item_size_max >> 20);

  absl::StrAppendFormat(
      &t,
      "-o, --extended            extended options, comma separated, as name or\n"
      "                          name=value; most have a no_ form turning them off\n"
      "   - maxconns_fast:       close connections beyond -c at once; no_maxconns_fast\n"
      "                          stops accepting instead (default: %s)\n"
      "   - hashpower:           log2 of the starting hash table size, 12 to 32; the\n"
      "                          table grows by itself (default starts at: %d)\n"
      "                          compare \"STAT hash_power_level\" of a running server\n"
      "   - no_hashexpand:       never grow the hash table; accepted, no effect here\n"
      "   - idle_timeout:        close connections idle this many seconds\n"
      "                          (default: %d, never)\n"
      "   - track_sizes:         keep the item size histogram of \"stats sizes\"\n"
      "   - lru_crawler:         reclaim expired items in the background\n"
      "                          (no_lru_crawler: only when they are touched)\n"
      "   - watcher_logbuf_size: KiB buffered per watch connection (default: %u)\n"
      "   - worker_logbuf_size:  KiB of log buffer per worker thread (default: %u)\n"
      "   - read_buf_mem_limit:  megabytes for all connection buffers together, 0 for\n"
      "                          no limit; accepted, no effect here (default: %u)\n"
      "   - modern:              the defaults of future versions (currently the same)\n"
      "   - no_modern:           the defaults of memcached 1.4\n"
      "   - drop_privileges:     restrict system calls once running (the no_ form turns\n"
      "                          it off); accepted, like Debian's memcached build\n"
      "   - relaxed_privileges:  accepted for memcached's test suite; no effect\n"
      "   - sock_cookie_id:      mark sockets with an id for firewall rules; accepted,\n"
      "                          no effect here\n",
      EnabledDisabled(c.maxconns_fast), c.hashpower_init, c.idle_timeout,
      c.watcher_logbuf_size >> 10, c.worker_logbuf_size >> 10, c.read_buf_mem_limit >> 20);

  absl::StrAppendFormat(
      &t,
      "   Memory and LRU tuning of memcached's slab allocator, accepted and checked\n"
      "   as memcached checks them, with no effect on ringcached's store:\n"
      "   - tail_repair_time:    seconds before a stuck LRU tail item is reclaimed\n"
      "                          (default: 0, never)\n"
      "   - hash_algorithm:      jenkins, murmur3 or xxh3 (default: murmur3);\n"
      "                          ringcached always uses its own keyed hash\n"
      "   - lru_crawler_sleep:   microseconds between items crawled (default: %d)\n"
      "   - lru_crawler_tocrawl: items crawled per class and run (default: %u, all)\n"
      "   - lru_maintainer:      segmented LRU and its thread (no_lru_maintainer: not)\n"
      "   - hot_lru_pct:         percent of memory for the HOT LRU (default: %d)\n"
      "   - warm_lru_pct:        percent of memory for the WARM LRU (default: %d)\n"
      "   - hot_max_factor:      HOT items idle longer than the COLD tail's age times\n"
      "                          this move down (default: %.2f)\n"
      "   - warm_max_factor:     the same for WARM items (default: %.2f)\n"
      "   - temporary_ttl:       items with a shorter TTL get an LRU of their own\n"
      "                          (default: %u)\n"
      "   - slab_reassign:       move memory between slab classes (no_slab_reassign)\n"
      "   - slab_automove:       0, 1 or 2: how eagerly (no_slab_automove: 0)\n"
      "   - slab_automove_ratio: age ratio that triggers a move (default: %.2f)\n"
      "   - slab_automove_window: seconds of history weighed (default: %u)\n"
      "   - slab_chunk_max:      (EXPERIMENTAL) largest slab chunk, in bytes\n"
      "                          (default: %d kilobytes)\n"
      "   - slab_sizes:          explicit class sizes, e.g. 100-200-300\n"
      "   - no_chunked_items:    never split large items into chunks\n"
      "   - inline_ascii_resp, no_inline_ascii_resp, resp_obj_mem_limit: obsolete,\n"
      "                          accepted and ignored\n",
      c.lru_crawler_sleep, c.lru_crawler_tocrawl, c.hot_lru_pct, c.warm_lru_pct, c.hot_max_factor,
      c.warm_max_factor, c.temporary_ttl, c.slab_automove_ratio, c.slab_automove_window,
      c.slab_chunk_size_max >> 10);

  const ExtstoreConfig& e = c.extstore;
  absl::StrAppendFormat(
      &t,
      "\n"
      "   External storage (flash) options of memcached, accepted and checked, with no\n"
      "   effect: ringcached keeps every item in memory. Besides the storage file\n"
      "   option itself (file:size), they are:\n"
      "   - ext_page_size:       megabytes per storage page (default: %u)\n"
      "   - ext_wbuf_size:       megabytes per page write buffer (default: %u)\n"
      "   - ext_threads:         IO threads (default: %u)\n"
      "   - ext_io_depth:        IO requests in flight per thread (default: %u)\n"
      "   - ext_item_size:       smallest item moved to storage, bytes (default: %u)\n"
      "   - ext_item_age:        idle seconds before an item may move (default: none)\n"
      "   - ext_low_ttl:         TTLs below this are treated apart (default: %u)\n"
      "   - ext_drop_unread:     drop unread values when compacting (default: %s)\n"
      "   - ext_recache_rate:    bring an item back to memory every N reads\n"
      "                          (default: %u)\n"
      "   - ext_compact_under:   compact when fewer pages than this are free\n"
      "                          (default: a quarter of the storage)\n"
      "   - ext_drop_under:      drop COLD items when fewer pages than this are free\n"
      "                          (default: a quarter of the storage)\n"
      "   - ext_max_frag:        page fragmentation tolerated (default: %.2f)\n"
      "   - ext_max_sleep:       longest storage thread sleep, us (default: %u)\n"
      "   - slab_automove_freeratio: share of memory kept free (default: %.3f)\n",
      e.page_size >> 20, e.wbuf_size >> 20, e.threads, e.io_depth, e.item_size, e.low_ttl,
      EnabledDisabled(e.drop_unread), e.recache_rate, e.max_frag, e.max_sleep,
      e.slab_automove_freeratio);

  absl::StrAppendFormat(
      &t,
      "   TLS, used with -Z:\n"
      "   - ssl_chain_cert:      certificate chain file, PEM\n"
      "   - ssl_key:             private key file, unless the chain file holds it\n"
      "   - ssl_keyformat:       key file format (default: PEM)\n"
      "   - ssl_verify_mode:     client certificates: 0 not asked, 1 asked, 2 required,\n"
      "                          3 required once per session (default: 0)\n"
      "   - ssl_ciphers:         cipher list\n"
      "   - ssl_ca_cert:         CA certificates accepted for clients, PEM\n"
      "   - ssl_wbuf_size:       KiB of TLS output buffer per connection (default: %u)\n"
      "   - ssl_session_cache:   let clients resume sessions\n"
      "   - ssl_kernel_tls:      hand encryption to the kernel (kTLS)\n"
      "   - ssl_min_version:     oldest protocol accepted: 0 tlsv1.0, 1 tlsv1.1,\n"
      "                          2 tlsv1.2, 3 tlsv1.3 (default: %s)\n"
      "   ringcached's own:\n"
      "   - io_engine:           auto, uring or epoll; auto uses io_uring where the\n"
      "                          kernel allows it (default: %s)\n"
      "   - no_pin_threads:      let the scheduler place worker threads instead of\n"
      "                          pinning one to each CPU (pin_threads: the default)\n",
      c.tls.wbuf_size >> 10, TlsVersionName(c.tls.min_version), io::EngineKindName(c.io_engine));
  return t;
}

std::string LicenseText() {
  return VersionLine() +
         "\n"
         "Copyright (c) 2026, the ringcache authors.\n"
         "All rights reserved.\n"
         "\n"
         "Redistribution and use in source and binary forms, with or without\n"
         "modification, are permitted provided that the following conditions are met:\n"
         "\n"
         "1. Redistributions of source code must retain the above copyright notice,\n"
         "   this list of conditions and the following disclaimer.\n"
         "\n"
         "2. Redistributions in binary form must reproduce the above copyright notice,\n"
         "   this list of conditions and the following disclaimer in the documentation\n"
         "   and/or other materials provided with the distribution.\n"
         "\n"
         "3. Neither the name of the copyright holder nor the names of its contributors\n"
         "   may be used to endorse or promote products derived from this software\n"
         "   without specific prior written permission.\n"
         "\n"
         "THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS \"AS IS\"\n"
         "AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE\n"
         "IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE\n"
         "ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE\n"
         "LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR\n"
         "CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF\n"
         "SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS\n"
         "INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN\n"
         "CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)\n"
         "ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE\n"
         "POSSIBILITY OF SUCH DAMAGE.\n";
}

}  // namespace ringcache::server
