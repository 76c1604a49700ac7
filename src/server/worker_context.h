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

#include "key_plan.h"
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
  // The look-ahead plan is complete: start the loads of its first keys.
  void AfterDataSoon() override { PlanServe(0); }
  void OnTurnEnd() override {
    ++turn_;
    soon_.Reset();
    store_->Quiesce();
  }
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

  // The turn's look-ahead plan (key_plan.h): before a turn's connections
  // are served, each one with new bytes appends the hashes of the keys its
  // requests name, in the order they will be served: room for `want` hashes
  // (null when the plan is full), then soon_added(n), which returns the plan
  // index of the first. Each connection then calls PlanServe(i) as it serves
  // the request of key i. A request that names no planned key merely shifts
  // the distances until the next connection's first PlanServe.
  uint64_t* soon_batch(int want) { return soon_.batch(want); }
  int soon_added(int n) { return soon_.added(n); }
  void PlanServe(int index) { soon_.Serve(*store_, index); }
  // Beside each hash of soon_batch(), the request it came from, parsed ahead
  // when its line is canonical (Connection::OnDataSoon writes them, and
  // serves those lines from here instead of parsing them again). Valid for
  // the plan indices soon_batch() handed out this turn.
  PlannedLine* soon_lines(int index) { return &soon_lines_[index]; }
  // The plan index the next soon_batch() starts at.
  int soon_next() const { return soon_.count(); }
  // Counts turns: a plan is valid in the turn it was made (OnDataSoon comes
  // before OnTurnStart, so this changes at the turn's end).
  uint64_t turn() const { return turn_; }
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
  // Keys of a turn beyond this many go without the plan (their connections
  // still look ahead within their own bytes).
  static constexpr int kSoonKeys = 2048;
  KeyPlan<kSoonKeys> soon_;
  PlannedLine soon_lines_[kSoonKeys];
  uint64_t turn_ = 0;
  base::BlockPool scratch_pool_{4096};
  base::OutBuffer scratch_{&scratch_pool_};

  absl::Mutex conns_mu_;
  std::vector<Connection*> conns_;
};

}  // namespace ringcache::server
