#include "worker_context.h"

#include <algorithm>
#include <cstdlib>

#include "connection.h"
#include "udp.h"

namespace ringcache::server {

void ServerContext::Register(WorkerContext* worker) {
  absl::MutexLock lock(&workers_mu_);
  workers_.push_back(worker);
}

void ServerContext::Unregister(WorkerContext* worker) {
  absl::MutexLock lock(&workers_mu_);
  workers_.erase(std::remove(workers_.begin(), workers_.end(), worker), workers_.end());
}

WorkerContext::~WorkerContext() { server_.Unregister(this); }

namespace {

// memcached 1.6.18 keeps read buffers and response objects in 16 KiB blocks
// drawn from a per-thread cache that read_buf_mem_limit caps at
// limit / threads; one block holds a connection's read buffer, each other
// holds a bundle of (16 KiB - header) / sizeof(mc_resp) = 14 responses.
constexpr uint32_t kMemcachedBufferBlock = 16384;
constexpr uint32_t kMemcachedResponsesPerBundle = 14;

uint32_t ResponseSlots(const Config& config) {
  if (config.read_buf_mem_limit == 0) return UINT32_MAX;
  const uint32_t per_thread =
      config.read_buf_mem_limit / static_cast<uint32_t>(std::max(1, config.num_threads));
  const uint32_t blocks =
      per_thread < kMemcachedBufferBlock ? 1 : per_thread / kMemcachedBufferBlock;
  return (blocks - 1) * kMemcachedResponsesPerBundle;
}

}  // namespace

void WorkerContext::OnWorkerStart(int worker_index) {
  index_ = worker_index;
  response_slots_ = ResponseSlots(server_.config);
  // Registered on the worker thread itself, after the engine pinned it, so
  // the store picks the arena of this CPU's NUMA node.
  absl::StatusOr<std::unique_ptr<storage::StoreThread>> st = server_.store.RegisterThread(-1);
  if (!st.ok()) {
    server_.logger.Error("worker %d: cannot register with the store: %s", worker_index,
                         st.status().ToString());
    std::abort();  // no worker can serve without a store handle
  }
  store_ = std::move(*st);
  now_ = server_.clock.Now();
  for (const ListenerSpec& l : server_.config.listeners) {
    if (l.transport == io::Transport::kUdp) {
      udp_ = std::make_unique<UdpHandler>(*this);
      break;
    }
  }
  server_.Register(this);
}

void WorkerContext::OnWorkerStop() {
  server_.Unregister(this);
  udp_.reset();
}

std::unique_ptr<io::ConnectionHandler> WorkerContext::OnAccept(const io::ConnInfo& info) {
  return std::make_unique<Connection>(*this, info);
}

io::DatagramHandler* WorkerContext::datagram_handler() { return udp_.get(); }

void WorkerContext::AddConnection(Connection* conn) {
  absl::MutexLock lock(&conns_mu_);
  conns_.push_back(conn);
}

void WorkerContext::RemoveConnection(Connection* conn) {
  absl::MutexLock lock(&conns_mu_);
  const auto it = std::find(conns_.begin(), conns_.end(), conn);
  if (it != conns_.end()) {
    *it = conns_.back();
    conns_.pop_back();
  }
}

void WorkerContext::SnapshotConnections(std::vector<ConnSnapshot>* out) {
  absl::MutexLock lock(&conns_mu_);
  for (const Connection* c : conns_) {
    out->push_back({c->info(), ConnStateName(c->state()), c->last_cmd()});
  }
}

}  // namespace ringcache::server
