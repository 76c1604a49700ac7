// A server worker hosted in-process, without sockets or an io engine: real
// Connection handlers of a real WorkerContext and store, fed bytes the way
// the io_uring worker feeds them, replies collected from an output buffer.
// bench/server (the request path's cost) and the server's unit tests (the
// look-ahead against plain parsing) share it.
//
// A turn is what the io_uring worker does with one batch of completions:
// OnTurnStart, OnDataSoon for every connection with new bytes, AfterDataSoon,
// then OnData for each, then OnTurnEnd. HostedConn keeps what a handler did
// not consume and offers it again, with the next bytes appended, in a buffer
// of its own (as the engine's input carry does).
//
// Threading: one thread per HostWorker, as a worker thread.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "connection.h"
#include "ringcache/base/clock.h"
#include "ringcache/base/logger.h"
#include "ringcache/base/out_buffer.h"
#include "ringcache/io/handler.h"
#include "ringcache/server/config.h"
#include "ringcache/storage/store.h"
#include "server_context.h"
#include "worker_context.h"

namespace ringcache::server::hosted {

// What the engine is to a handler: an output buffer that a "send" drains.
class HostConnection final : public io::Connection {
 public:
  HostConnection(base::BlockPool* pool, uint64_t id) : out_(pool) { info_.id = id; }
  const io::ConnInfo& info() const override { return info_; }
  base::OutBuffer& out() override { return out_; }
  void CloseAfterFlush() override { closed_ = true; }
  void CloseNow() override { closed_ = true; }
  bool closed() const { return closed_; }

 private:
  io::ConnInfo info_;
  base::OutBuffer out_;
  bool closed_ = false;
};

// One worker with its store, as `ringcached -t 1 -m <megabytes>` runs it,
// without the store's background thread (its work is not the worker's).
class HostWorker {
 public:
  explicit HostWorker(size_t megabytes = 1024)
      : config_(MakeConfig(megabytes)),
        store_(MakeStore(config_)),
        context_(config_, logger_, *store_, base::ProcessClock::StartingNow(), 0),
        worker_(context_) {
    worker_.OnWorkerStart(0);
  }
  ~HostWorker() { worker_.OnWorkerStop(); }
  HostWorker(const HostWorker&) = delete;
  HostWorker& operator=(const HostWorker&) = delete;

  WorkerContext& context() { return worker_; }
  base::BlockPool* pool() { return &pool_; }

 private:
  static Config MakeConfig(size_t megabytes) {
    Config c = DefaultConfig(1);
    c.num_threads = 1;
    c.max_bytes = megabytes << 20;
    return c;
  }
  static std::unique_ptr<storage::Store> MakeStore(const Config& config) {
    storage::StoreConfig s;
    s.memory_limit = config.max_bytes;
    s.region_bytes = 4 * s.memory_limit;  // small enough for valgrind to reserve
    s.workers = 1;
    s.lru_maintainer = false;
    s.lru_crawler = false;
    absl::StatusOr<std::unique_ptr<storage::Store>> st = storage::Store::Create(s);
    if (!st.ok()) {
      std::fprintf(stderr, "store: %s\n", std::string(st.status().message()).c_str());
      std::abort();
    }
    return std::move(*st);
  }

  base::Logger logger_{0};
  Config config_;
  std::unique_ptr<storage::Store> store_;
  ServerContext context_;
  WorkerContext worker_;
  base::BlockPool pool_;
};

// A client connection to a HostWorker: its handler, its output, and the
// bytes the handler has yet to consume.
class HostedConn {
 public:
  HostedConn(HostWorker& worker, uint64_t id)
      : worker_(worker),
        host_(worker.pool(), id),
        handler_(worker.context().OnAccept(host_.info())) {}
  ~HostedConn() { handler_->OnClose(host_); }
  HostedConn(const HostedConn&) = delete;
  HostedConn& operator=(const HostedConn&) = delete;

  // One turn in which `bytes` arrive; `look_ahead`: the turn shows them to
  // the handler first (OnDataSoon), as the io_uring worker does; the epoll
  // worker does not. Returns the replies the turn produced.
  std::string Turn(std::string_view bytes, bool look_ahead) {
    WorkerContext& wc = worker_.context();
    // The bytes left from the last turn come first, in a fresh buffer (the
    // engine's carry). The look-ahead is shown that whole buffer; the
    // io_uring engine plans only a buffer with no carry in front, so this
    // plans at least as much as the engine does.
    std::string input = pending_;
    input.append(bytes);
    wc.OnTurnStart();
    if (look_ahead && !input.empty()) handler_->OnDataSoon(input);
    wc.AfterDataSoon();
    size_t consumed = 0;
    while (consumed < input.size() && !host_.closed()) {
      const io::DataResult r = handler_->OnData(host_, std::string_view(input).substr(consumed));
      consumed += r.consumed;
      // A yield (-R) is offered again at once; anything else waits for more.
      if (!r.yield) break;
    }
    wc.OnTurnEnd();
    pending_ = input.substr(consumed);
    return TakeOutput();
  }

  HostConnection& host() { return host_; }
  io::ConnectionHandler& handler() { return *handler_; }
  size_t pending() const { return pending_.size(); }

  // The replies produced since the last call (or turn).
  std::string TakeOutput() {
    base::OutBuffer& out = host_.out();
    std::string text;
    out.CopyTo(&text);
    out.Consume(out.size());
    return text;
  }

 private:
  HostWorker& worker_;
  HostConnection host_;
  std::unique_ptr<io::ConnectionHandler> handler_;
  std::string pending_;
};

}  // namespace ringcache::server::hosted
