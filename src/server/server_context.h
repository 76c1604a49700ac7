// State shared by every worker of one running server: the configuration, the
// store, the engine, the clock, the settings that commands change at run
// time, the registry of workers (for `stats`, `stats conns`) and the stats
// baseline that `stats reset` moves.
//
// Invariants: `config`, `store`, `logger` and `clock` outlive every worker;
// `engine` is set once, before the workers start. Workers register in
// OnWorkerStart and unregister in OnWorkerStop.
//
// Threading: the plain members are read-only once the workers run; the
// atomics and the mutex-guarded members may be used from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

#include "auth_file.h"
#include "prefix_stats.h"
#include "ringcache/base/clock.h"
#include "ringcache/base/logger.h"
#include "ringcache/io/engine.h"
#include "ringcache/server/config.h"
#include "ringcache/storage/store.h"
#include "watch_hub.h"

namespace ringcache::server {

class WorkerContext;

struct ServerContext {
  ServerContext(const Config& config, base::Logger& logger, storage::Store& store,
                base::ProcessClock clock, time_t started_unix)
      : config(config),
        logger(logger),
        store(store),
        clock(clock),
        started_unix(started_unix),
        prefix_stats(config.prefix_delimiter, config.detail_enabled) {}

  const Config& config;
  base::Logger& logger;
  storage::Store& store;
  const base::ProcessClock clock;
  const time_t started_unix;
  io::Engine* engine = nullptr;
  // stats detail: per-prefix counters, switched by -D and "stats detail on|off".
  PrefixStats prefix_stats;
  WatchHub watch;
  // -Y: text connections authenticate against it first (null: no -Y).
  AuthFile* auth = nullptr;
  // memcached's accepting_conns (false while the engine refuses accepts).
  std::atomic<bool> accepting{true};

  // Workers, for stats aggregation and `stats conns`.
  void Register(WorkerContext* worker);
  void Unregister(WorkerContext* worker);
  template <typename Fn>
  void ForEachWorker(Fn&& fn) {
    absl::MutexLock lock(&workers_mu_);
    for (WorkerContext* w : workers_) fn(*w);
  }

  // `stats reset`: counters are reported relative to this baseline.
  std::map<std::string, uint64_t> Baseline() const {
    absl::MutexLock lock(&baseline_mu_);
    return baseline_;
  }
  void SetBaseline(std::map<std::string, uint64_t> values) {
    absl::MutexLock lock(&baseline_mu_);
    baseline_ = std::move(values);
  }

 private:
  mutable absl::Mutex workers_mu_;
  std::vector<WorkerContext*> workers_;
  mutable absl::Mutex baseline_mu_;
  std::map<std::string, uint64_t> baseline_;
};

}  // namespace ringcache::server
