// memcached's UDP service: each datagram (8-byte frame header, see
// protocol/udp_frame.h) carries requests; the reply goes back cut into
// framed datagrams of at most 1400 bytes.
//
// One UdpHandler per worker runs a Connection over a captured output buffer,
// so UDP requests are parsed and executed by exactly the code TCP uses.
//
// Threading: owned by and used on one worker thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

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
  base::BlockPool pool_;
  std::unique_ptr<Capture> capture_;
  std::unique_ptr<Connection> conn_;
  std::string message_;
  char scratch_[protocol::kUdpMaxDatagram];
};

}  // namespace ringcache::server
