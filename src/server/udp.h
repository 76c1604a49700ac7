// memcached's UDP service: each datagram (8-byte frame header, see
// protocol/udp_frame.h) carries requests; the reply goes back cut into
// framed datagrams of at most 1400 bytes.
//
// One UdpHandler per worker runs a Connection over a captured output buffer,
// so UDP requests are parsed and executed by exactly the code TCP uses.
//
// Framing follows memcached 1.6.18 response object by response object: the
// handler offers the Connection one request at a time (a text line, or a
// binary packet by its header's length; a storage value arrives with the
// lines that follow), so what one OnData call appends is one command's
// reply, and the get family notes where each key's reply begins
// (WorkerContext::udp_key_starts). Each becomes a framed message of its own
// (protocol::UdpReplyFramer), in batches that end where memcached writes
// out what it has (after a get-family command, `mn`, binary noop/quit/
// errors, and every -R commands).
//
// Threading: owned by and used on one worker thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sys/uio.h>

#include "ringcache/base/out_buffer.h"
#include "ringcache/io/handler.h"
#include "ringcache/protocol/udp_frame.h"

namespace ringcache::server {

class Connection;
class WorkerContext;

class UdpHandler final : public io::DatagramHandler {
 public:
  explicit UdpHandler(WorkerContext& worker);
  ~UdpHandler() override;

  void OnDatagram(const io::ConnInfo& from, std::string_view datagram,
                  io::DatagramSender& reply) override;

 private:
  class Capture;
  // Where the request that starts at `from` ends at the latest.
  size_t RequestEnd(std::string_view payload, size_t from) const;
  // Frames what the last OnData call appended, response object by object.
  // `was_closing`: the Connection's state was kClosing before the call.
  // True when the rest of the datagram is to be dropped.
  bool FrameReplies(std::string_view request, bool was_closing, protocol::UdpReplyFramer& framer,
                    io::DatagramSender& reply);

  WorkerContext& worker_;
  base::BlockPool pool_;
  std::unique_ptr<Capture> capture_;
  std::unique_ptr<Connection> conn_;
  bool binary_ = false;             // the datagram being served is binary protocol
  std::vector<size_t> key_starts_;  // see WorkerContext::udp_key_starts
  size_t framed_ = 0;               // bytes of the capture's output already framed
  uint32_t commands_ = 0;           // commands of this datagram completed so far
  std::vector<iovec> iov_;
  std::string message_;
  char scratch_[protocol::kUdpMaxDatagram];
};

}  // namespace ringcache::server
