// memcached's UDP framing around the text protocol.
//
// Every datagram starts with an 8-byte frame header: request id, sequence
// number, total datagrams of the message, reserved (big-endian 16-bit
// fields). A request must fit one datagram (memcached answers
// "SERVER_ERROR multi-packet request not supported" otherwise). The reply is
// split into datagrams of at most 1400 bytes, header included, each carrying
// the request id, its sequence number and the total count.
//
// One UdpHandler per worker runs a Connection over a captured output buffer,
// so UDP requests are parsed and executed by exactly the code TCP uses.
//
// Threading: owned by and used on one worker thread.
#pragma once

#include <memory>
#include <string_view>

#include "ringcache/base/out_buffer.h"
#include "ringcache/io/handler.h"

namespace ringcache::server {

class Connection;
class WorkerContext;

inline constexpr size_t kUdpHeaderSize = 8;
inline constexpr size_t kUdpMaxPayload = 1400;  // per datagram, header included

class UdpHandler final : public io::DatagramHandler {
 public:
  explicit UdpHandler(WorkerContext& worker);
  ~UdpHandler() override;

  void OnDatagram(const io::ConnInfo& from, std::string_view datagram,
                  io::DatagramSender& reply) override;

 private:
  class Capture;
  base::BlockPool pool_;
  std::unique_ptr<Capture> capture_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace ringcache::server
