#include "udp.h"

#include <string>

#include "connection.h"
#include "ringcache/protocol/udp_frame.h"
#include "worker_context.h"

namespace ringcache::server {

// The io::Connection a UDP request runs against: replies are captured, and
// closing means nothing for a datagram socket.
class UdpHandler::Capture final : public io::Connection {
 public:
  Capture(base::BlockPool* pool, const io::ConnInfo& info) : out_(pool), info_(info) {}
  const io::ConnInfo& info() const override { return info_; }
  base::OutBuffer& out() override { return out_; }
  // A datagram's reply is bounded by its request; nothing to hold back.
  bool OutputFull() const override { return false; }
  void CloseAfterFlush() override {}
  void CloseNow() override {}
  void Flush() override {}

 private:
  base::OutBuffer out_;
  io::ConnInfo info_;
};

UdpHandler::UdpHandler(WorkerContext& worker) {
  io::ConnInfo info;
  info.transport = io::Transport::kUdp;
  capture_ = std::make_unique<Capture>(&pool_, info);
  conn_ = std::make_unique<Connection>(worker, info);
}

UdpHandler::~UdpHandler() = default;

void UdpHandler::OnDatagram(const io::ConnInfo& /*from*/, std::string_view datagram,
                            io::DatagramSender& reply) {
  protocol::UdpRequest request;
  if (!protocol::ParseUdpRequest(datagram, &request)) return;  // memcached drops it silently
  std::string_view payload = request.payload;
  conn_->RenegotiateProtocol();
  while (!payload.empty()) {
    const io::DataResult r = conn_->OnData(*capture_, payload);
    payload.remove_prefix(r.consumed);
    if (!r.yield) break;  // the rest is an incomplete line: memcached drops it too
  }
  base::OutBuffer& out = capture_->out();
  if (out.empty()) return;
  // The whole reply of the datagram leaves as one framed message.
  // TODO(udp): memcached frames each reply of a multi-key get separately.
  message_.clear();
  out.CopyTo(&message_);
  out.Clear();
  protocol::FrameUdpResponse(request.request_id, message_, scratch_,
                             [&reply](std::string_view d) { reply.Send(d); });
}

}  // namespace ringcache::server
