// One worker's server-side state, and the io::WorkerHooks that give it life.
//
// The io engine runs one event loop per worker; this object is what the
// server hangs on it: the worker's StoreThread (registered on the worker
// thread itself), its command counters, the clock sample of the current turn
// and the list of its connections (for `stats conns`). The hooks keep the
// store's reclamation contract: Quiesce() once every turn has been handled,
// Offline()/Online() around every blocking wait.
//
// Threading: everything except the connection registry and the counters is
// touched only by the worker thread. The registry is guarded by a mutex taken
// on accept/close and by `stats conns`; counters are read by `stats`.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"

#include "ringcache/base/clock.h"
#include "ringcache/base/out_buffer.h"
#include "ringcache/io/handler.h"
#include "ringcache/storage/store.h"
#include "server_context.h"
#include "thread_stats.h"

namespace ringcache::server {

class Connection;

// What `stats conns` prints for one client connection.
struct ConnSnapshot {
  io::ConnInfo info;
  const char* state = "conn_parse_cmd";
  base::RelTime last_cmd = 0;
};

class WorkerContext final : public io::WorkerHooks {
 public:
  explicit WorkerContext(ServerContext& server) : server_(server) {}
  ~WorkerContext() override;

  // --- io::WorkerHooks ---
  std::unique_ptr<io::ConnectionHandler> OnAccept(const io::ConnInfo& info) override;
  io::DatagramHandler* datagram_handler() override;
  void OnWorkerStart(int worker_index) override;
  void OnWorkerStop() override;
  void OnTurnStart() override { now_ = server_.clock.Now(); }
  // The look-ahead batch: OnDataSoon hinted these hashes' buckets; their
  // chains' items are hinted now.
  void AfterDataSoon() override {
    store_->PrefetchItems(soon_hashes_, soon_count_);
    soon_count_ = 0;
  }
  void OnTurnEnd() override { store_->Quiesce(); }
  void BeforeBlock() override { store_->Offline(); }
  void AfterWake() override {
    store_->Online();
    now_ = server_.clock.Now();
  }

  ServerContext& server() { return server_; }
  const Config& config() const { return server_.config; }
  storage::StoreThread& store() { return *store_; }
  ThreadStats& stats() { return stats_; }
  const ThreadStats& stats() const { return stats_; }
  base::RelTime now() const { return now_; }
  int index() const { return index_; }
  // memcached's read_buf_mem_limit, as response objects one connection may
  // produce per event (UINT32_MAX: unlimited). See Connection::TakeResponse.
  uint32_t response_slots() const { return response_slots_; }
  // Formatting room for watch lines produced on this worker.
  base::OutBuffer& scratch() { return scratch_; }

  // UDP (udp.h): while a datagram is served, the get family notes here
  // where the reply of each key begins, since memcached frames every key's
  // reply as a message of its own. Null otherwise.
  std::vector<size_t>* udp_key_starts() const { return udp_key_starts_; }
  void set_udp_key_starts(std::vector<size_t>* starts) { udp_key_starts_ = starts; }

  // Room for `want` hashes in the look-ahead batch (null when full); report
  // how many were written with soon_added().
  uint64_t* soon_batch(int want) {
    return soon_count_ + want <= kSoonCapacity ? soon_hashes_ + soon_count_ : nullptr;
  }
  void soon_added(int n) { soon_count_ += n; }

  // Connection registry (stats conns).
  void AddConnection(Connection* conn);
  void RemoveConnection(Connection* conn);
  void SnapshotConnections(std::vector<ConnSnapshot>* out);

 private:
  ServerContext& server_;
  int index_ = -1;
  std::unique_ptr<storage::StoreThread> store_;
  std::unique_ptr<io::DatagramHandler> udp_;
  ThreadStats stats_;
  base::RelTime now_ = 0;
  uint32_t response_slots_ = UINT32_MAX;
  std::vector<size_t>* udp_key_starts_ = nullptr;
  // A batch's look-ahead beyond this many keys would be evicted before use.
  static constexpr int kSoonCapacity = 256;
  uint64_t soon_hashes_[kSoonCapacity];
  int soon_count_ = 0;
  base::BlockPool scratch_pool_{4096};
  base::OutBuffer scratch_{&scratch_pool_};

  absl::Mutex conns_mu_;
  std::vector<Connection*> conns_;
};

}  // namespace ringcache::server
