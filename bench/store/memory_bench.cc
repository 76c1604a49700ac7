// Resident memory per item: how much RSS a ringcache store grows by when
// loaded with N items, measured the way bench/store/compare_memcached_rss.py
// measures Debian's memcached (VmRSS after loading minus VmRSS before, over
// the number of items).
//
// Cases (each in a forked child so one cannot reuse another's heap):
//   small       1,000,000 items, 12-byte keys, 32-byte values (issue target: <= 80 B)
//   small_ttl   the same with a TTL on every item (an extra 4-byte header field)
//   large       300,000 items, 12-byte keys, 1000-byte values (target: <= 1.06 x 1012 B)
// The store is configured like `memcached -m 1024 -t 4`.
//
// Usage: bench_store_memory [case ...]   (default: every case). Flags that
// start with --benchmark_ are ignored so `tools/dev bench` can run it.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "ringcache/storage/store.h"

namespace ringcache::storage {
namespace {

struct Case {
  const char* name;
  uint64_t items;
  size_t key_size;
  size_t value_size;
  bool ttl;
  double target;  // bytes per item, or a multiple of the payload when < 10
};

constexpr Case kCases[] = {
    {"small", 1000000, 12, 32, false, 80},
    {"small_ttl", 1000000, 12, 32, true, 0},
    {"large", 300000, 12, 1000, false, 1.06},
};

long RssBytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return -1;
}

int RunCase(const Case& c) {
  StoreConfig config;
  config.memory_limit = size_t{1024} << 20;
  config.workers = 4;
  auto store = std::move(*Store::Create(config));
  auto t = std::move(*store->RegisterThread(0));
  std::string value(c.value_size, 'v');
  char key[32];
  const long before = RssBytes();
  for (uint64_t i = 0; i < c.items; ++i) {
    std::snprintf(key, sizeof(key), "key:%0*llu", static_cast<int>(c.key_size - 4),
                  static_cast<unsigned long long>(i));
    NewItem item;
    if (t->Allocate(std::string_view(key, c.key_size), 0, c.ttl ? 100000 : 0, c.value_size, 100,
                    &item) != AllocResult::kOk) {
      std::fprintf(stderr, "allocation failed at item %llu\n", static_cast<unsigned long long>(i));
      return 1;
    }
    NewItem::Writable w = item.value();
    std::memcpy(w.first, value.data(), w.first_len);
    if (w.second_len > 0) std::memcpy(w.second, value.data() + w.first_len, w.second_len);
    if (t->Store(std::move(item), {}, 100, nullptr) != StoreResult::kStored) return 1;
    if (i % 64 == 0) t->Quiesce();
  }
  t->Quiesce();
  const long after = RssBytes();
  StoreStats s;
  store->CollectStats(&s);
  if (s.curr_items != c.items || s.evictions != 0) {
    std::fprintf(stderr, "%s: %llu items, %llu evictions\n", c.name,
                 static_cast<unsigned long long>(s.curr_items),
                 static_cast<unsigned long long>(s.evictions));
    return 1;
  }
  const double per_item = static_cast<double>(after - before) / static_cast<double>(c.items);
  const double payload = static_cast<double>(c.key_size + c.value_size);
  std::printf(
      "%-10s items=%-8llu key=%zu value=%zu ttl=%s rss_growth=%.1f MiB "
      "per_item=%.1f B payload=%.0f B ratio=%.3f charged_per_item=%.1f B",
      c.name, static_cast<unsigned long long>(c.items), c.key_size, c.value_size,
      c.ttl ? "yes" : "no", (after - before) / 1048576.0, per_item, payload, per_item / payload,
      static_cast<double>(s.total_malloced) / c.items);
  if (c.target >= 10) {
    std::printf(" target<=%.0fB %s", c.target, per_item <= c.target ? "OK" : "MISSED");
  } else if (c.target > 0) {
    std::printf(" target<=%.2fx %s", c.target, per_item / payload <= c.target ? "OK" : "MISSED");
  }
  std::printf("\n");
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace ringcache::storage

int main(int argc, char** argv) {
  using ringcache::storage::kCases;
  std::vector<const ringcache::storage::Case*> todo;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--benchmark_", 12) == 0) continue;
    bool found = false;
    for (const auto& c : kCases) {
      if (std::strcmp(argv[i], c.name) == 0) {
        todo.push_back(&c);
        found = true;
      }
    }
    if (!found) {
      std::fprintf(stderr, "unknown case %s (small, small_ttl, large)\n", argv[i]);
      return 2;
    }
  }
  if (todo.empty()) {
    for (const auto& c : kCases) todo.push_back(&c);
  }
  int failures = 0;
  for (const auto* c : todo) {
    const pid_t pid = fork();
    if (pid == 0) _exit(ringcache::storage::RunCase(*c));
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
  }
  return failures == 0 ? 0 : 1;
}
