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
//     the view points into the kernel-filled receive buffer, which goes back
//     to the kernel as soon as OnData returns. The view is valid only during
//     the call. Kept bytes live in a per-connection carry buffer that grows
//     geometrically (each byte is copied into it once, plus amortised O(1)
//     moves), bounded by EngineOptions::max_input_bytes: a connection whose
//     unconsumed input would exceed it is closed.
//   - A handler that stops early to let other connections run (memcached's -R)
//     sets `yield` (it is counted as conn_yields). The engine calls OnData
//     again with the remaining bytes once the other ready connections of this
//     turn were served, without waiting for new data and without blocking in
//     the kernel in between. A yield that consumed nothing is ignored (the
//     engine waits for more data instead of spinning).
//   - Replies appended during a batch of completions leave in one send per
//     connection at the end of the batch; one send is in flight per
//     connection at a time, and everything appended meanwhile leaves in the
//     next one. out() may be appended to at any time on the worker thread;
//     bytes already handed to the kernel are never moved or modified.
//   - When conn.out() holds more than the engine's output limit, the engine
//     stops reading from that connection until the peer drains it below half
//     the limit, so a client that never reads cannot grow server memory
//     without bound. The engine acts between OnData calls; within one call a
//     handler bounds its own output by checking conn.OutputFull() and
//     returning early (consumed < data.size(), no yield): the rest is kept
//     and offered again once the output has drained.
//   - End of stream: OnPeerClosed is called once the peer shut down its
//     sending side and every byte it sent was offered to OnData. Replies
//     already in out() are still sent; the connection then closes.
//
// Datagram sockets (UDP): OnDatagram gets each datagram whole and replies
// through the sender it is given.
//
// Threading: every call for a connection happens on the worker thread that
// accepted it. Handlers and hooks are never called concurrently for the same
// worker. A Connection reference stays valid until OnClose returns, so a
// handler may keep it (e.g. for a reply produced later by a Post()ed task).
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
  uint64_t id = 0;  // unique per process, never reused (0 for datagrams)
  int fd = -1;
  Transport transport = Transport::kTcp;
  // Index of the listening address it came from: EngineOptions::tcp[i] for
  // TCP, EngineOptions::udp[i] for UDP, 0 for the unix socket.
  int listener = 0;
  int worker = 0;  // index of the worker that owns it
  sockaddr_storage peer{};
  socklen_t peer_len = 0;
  // The address of the listening socket it was accepted on (for a wildcard
  // listener the wildcard address, not the interface that answered).
  sockaddr_storage local{};
  socklen_t local_len = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual const ConnInfo& info() const = 0;
  // Replies go here; the engine sends them.
  virtual base::OutBuffer& out() = 0;
  // out() holds more than the engine's output limit: stop consuming input
  // (see above). Connections that are not the engine's (a UDP request's
  // capture, a test host) have no limit.
  virtual bool OutputFull() const { return false; }
  // Output memory (pooled blocks) held by all connections of this worker,
  // for a per-worker budget such as memcached's read_buf_mem_limit (the
  // server decides what to refuse; referenced values are not counted).
  virtual size_t WorkerOutputBytes() const { return 0; }
  // Close once everything already in out() has been sent (memcached's
  // conn_closing after a reply, e.g. `quit` or "Too many open connections").
  // No more input is offered to the handler.
  virtual void CloseAfterFlush() = 0;
  // Close now, dropping unsent output. Safe to call from OnData: the
  // connection is torn down after the handler returns.
  virtual void CloseNow() = 0;
  // Sends what out() holds at the end of the current turn. Only needed when
  // replies are appended outside OnData (e.g. from a Post()ed task); output
  // appended during OnData is always sent.
  virtual void Flush() {}
  // Asks for one ConnectionHandler::OnWritable call once out() has room
  // (at most half the output limit), at the end of a turn. For replies
  // produced in pieces (a metadump): each piece asks for the next, so the
  // stream goes as fast as the peer reads and its memory stays bounded.
  virtual void WantWritable() {}
};

struct DataResult {
  size_t consumed = 0;
  bool yield = false;  // more complete requests remain; call again this turn
};

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  virtual DataResult OnData(Connection& conn, std::string_view data) = 0;
  // A look ahead: `data` arrived in this turn's batch and will be offered to
  // OnData later in the same turn (after any bytes carried from before, and
  // not at all if the connection closes first). Called for every connection
  // of the batch before any OnData, so a handler can start the memory loads
  // its requests will need (a pure hint: nothing OnData sees may change).
  // io_uring announces every received buffer of the batch; epoll announces
  // the first receive of each readable connection (up to 64 per turn), which
  // it makes before the turn for that purpose.
  virtual void OnDataSoon(std::string_view data) {}
  // out() has room again after conn.WantWritable(); produce the next piece.
  // Called at most once per turn per connection, never after a close began.
  // Input the handler left unconsumed meanwhile is offered to OnData right
  // after the call that does not ask for more.
  virtual void OnWritable(Connection& conn) {}
  // The peer finished sending (EOF) and all its bytes were offered to OnData.
  // Pending replies are still sent (a half-closed socket gets its answers);
  // the connection then closes.
  virtual void OnPeerClosed(Connection& conn) {}
  // Last call for this connection; `conn` is still valid during the call.
  // The handler is destroyed right after it returns.
  virtual void OnClose(Connection& conn) {}
};

// Replies to one datagram's sender.
class DatagramSender {
 public:
  virtual ~DatagramSender() = default;
  // Sends one datagram (the caller frames and splits). Best effort, like UDP:
  // a datagram the socket cannot take right now is dropped.
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
//
// One loop turn is: [BeforeBlock, wait in the kernel, AfterWake,]
// OnTurnStart, handling of every completion/event of the batch (OnAccept,
// OnData, OnDatagram, Post()ed tasks, ...), sends queued, OnTurnEnd. The
// bracketed part happens only when the loop may block; a turn that only polls
// the kernel (work still pending) skips it.
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
  // Every ConnectionHandler::OnDataSoon of this turn was called (right
  // before OnTurnStart, every turn, both engines).
  virtual void AfterDataSoon() {}
  // End of a turn: every completion of this batch was handled and sends are
  // queued. Nothing handed out during the turn is referenced any more.
  virtual void OnTurnEnd() {}
  // The loop is about to block in the kernel / has woken up. Every wait that
  // can block is bracketed by these two calls.
  virtual void BeforeBlock() {}
  virtual void AfterWake() {}
};

}  // namespace ringcache::io
