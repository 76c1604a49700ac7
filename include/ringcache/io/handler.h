// The contract between the io engine and whatever speaks a protocol on top of
// it. The io layer knows nothing of memcached: it moves bytes for connection
// handlers, and tells a per-worker hooks object when an event-loop turn starts
// and ends.
//
// Stream connections (TCP, unix):
//   - The engine calls OnData with every byte received and not yet consumed,
//     as one contiguous view: the unconsumed rest of earlier data followed by
//     the new bytes. The handler consumes whole requests (and may consume
//     partial value bodies it is copying elsewhere), appends replies to
//     conn.out(), and returns how much it consumed. The engine keeps the rest
//     and presents it again, with more bytes appended, when they arrive. In the
//     common case (whole requests in one receive buffer) nothing is copied:
//     the view points into the kernel-filled receive buffer.
//   - A handler that stops early to let other connections run (memcached's -R)
//     sets `yield`; the engine calls OnData again later in the same turn with
//     the remaining bytes, without waiting for new data.
//   - Replies appended during a batch of completions leave in one send per
//     connection at the end of the batch; one send is in flight per
//     connection at a time.
//   - When conn.out() holds more than the engine's output limit, the engine
//     stops reading from that connection until the peer drains it, so a
//     client that never reads cannot grow server memory without bound.
//
// Datagram sockets (UDP): OnDatagram gets each datagram whole and replies
// through the sender it is given.
//
// Threading: every call for a connection happens on the worker thread that
// accepted it. Handlers and hooks are never called concurrently for the same
// worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <sys/socket.h>

#include "ringcache/base/out_buffer.h"

namespace ringcache::io {

enum class Transport : uint8_t { kTcp, kUnix, kUdp };

// What the engine knows about a connection; stable for its lifetime.
struct ConnInfo {
  uint64_t id = 0;  // unique per process, never reused
  int fd = -1;
  Transport transport = Transport::kTcp;
  int listener = 0;  // index of the listening address it came from
  sockaddr_storage peer{};
  socklen_t peer_len = 0;
  sockaddr_storage local{};
  socklen_t local_len = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual const ConnInfo& info() const = 0;
  // Replies go here; the engine sends them.
  virtual base::OutBuffer& out() = 0;
  // Close once everything already in out() has been sent (memcached's
  // conn_closing after a reply, e.g. `quit` or "Too many open connections").
  virtual void CloseAfterFlush() = 0;
  // Close now, dropping unsent output.
  virtual void CloseNow() = 0;
};

struct DataResult {
  size_t consumed = 0;
  bool yield = false;  // more complete requests remain; call again this turn
};

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  virtual DataResult OnData(Connection& conn, std::string_view data) = 0;
  // The peer finished sending (EOF). Pending replies are still sent (a
  // half-closed socket gets its answers); the connection then closes.
  virtual void OnPeerClosed(Connection& conn) {}
  // Last call for this connection; `conn` is still valid during the call.
  virtual void OnClose(Connection& conn) {}
};

// Replies to one datagram's sender.
class DatagramSender {
 public:
  virtual ~DatagramSender() = default;
  // Sends one datagram (the caller frames and splits).
  virtual void Send(std::string_view datagram) = 0;
};

class DatagramHandler {
 public:
  virtual ~DatagramHandler() = default;
  virtual void OnDatagram(const ConnInfo& from, std::string_view datagram,
                          DatagramSender& reply) = 0;
};

// Per-worker callbacks from the event loop: the server uses them to sample the
// clock once per turn, to announce quiescent states for memory reclamation,
// and to create handlers for new connections.
class WorkerHooks {
 public:
  virtual ~WorkerHooks() = default;
  // A new stream connection was accepted on this worker. Returning null
  // closes it.
  virtual std::unique_ptr<ConnectionHandler> OnAccept(const ConnInfo& info) = 0;
  // The handler for this worker's datagram sockets (null: UDP not served).
  virtual DatagramHandler* datagram_handler() { return nullptr; }
  // Called on the worker thread before its loop starts and after it ends.
  virtual void OnWorkerStart(int worker_index) {}
  virtual void OnWorkerStop() {}
  // Start of a turn: completions are about to be processed.
  virtual void OnTurnStart() {}
  // End of a turn: every completion of this batch was handled and sends are
  // queued. Nothing handed out during the turn is referenced any more.
  virtual void OnTurnEnd() {}
  // The loop is about to block in the kernel / has woken up.
  virtual void BeforeBlock() {}
  virtual void AfterWake() {}
};

}  // namespace ringcache::io
