// The store's background thread: memcached's LRU maintainer and LRU crawler.
//
// Maintainer part: juggles each stripe's segments (HOT/WARM overflow to COLD,
// active COLD tails to WARM, expired tails reclaimed), mostly for stripes no
// writer has touched lately, and evicts down to the memory limit after
// cache_memlimit lowered it. Each stripe has its own backoff, as memcached
// keeps one per slab class: visited every millisecond while it has work,
// backing off to once a second when it has none.
//
// Crawler part: walks every stripe's index in batches, unlinking expired and
// flushed items (crawler_reclaimed, crawler_items_checked). It runs when asked
// (lru_crawler crawl) and on its own schedule: the interval starts at
// autocrawl_interval, doubles (up to an hour, memcached's maximum) while
// crawls find under 1 % expired, and halves when they find over 5 %.
//
// Each batch holds one stripe lock for at most a few hundred items, so writers
// wait microseconds; between batches the thread quiesces (QSBR) and sleeps
// lru_crawler_sleep microseconds every thousand items. While sleeping it is
// offline and holds up no reclamation.
//
// Threading: Maintainer methods are thread-safe; the thread itself is a
// registered store thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"

#include "ringcache/storage/store.h"

namespace ringcache::storage {

class StoreImpl;
class StoreThreadImpl;

class Maintainer {
 public:
  Maintainer(StoreImpl* store, std::function<base::RelTime()> clock);
  ~Maintainer();  // stops the thread

  absl::Status Start();
  void Stop();

  bool crawling() const { return crawling_.load(); }

  // Starts a crawl of the classes set in `classes` (indexed by class table
  // index; empty: all). The caller checked ids and item counts.
  CrawlStart RequestCrawl(std::vector<bool> classes);

 private:
  void Run(StoreThreadImpl* t);
  // When each stripe is juggled next (steady clock, microseconds).
  struct Backoff {
    int64_t due = 0;
    int64_t interval = 1000;
  };
  // Juggles the stripes that are due; returns microseconds until the next one is.
  int64_t JuggleDue(StoreThreadImpl* t, base::RelTime now, std::vector<Backoff>* backoff);
  void EnforceLimit(StoreThreadImpl* t, base::RelTime now);
  // One full crawl; returns (checked, reclaimed).
  std::pair<uint64_t, uint64_t> Crawl(StoreThreadImpl* t, const std::vector<bool>* classes);
  // Sleeps up to `micros` (offline), or until woken; false when stopping.
  bool Sleep(StoreThreadImpl* t, int64_t micros);

  StoreImpl* const store_;
  const std::function<base::RelTime()> clock_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                // guarded by mu_
  bool crawl_requested_ = false;     // guarded by mu_
  bool crawling_busy_ = false;       // guarded by mu_: the thread is crawling
  std::vector<bool> crawl_classes_;  // guarded by mu_
  std::atomic<bool> crawling_{false};
};

}  // namespace ringcache::storage
