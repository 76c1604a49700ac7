#include "udp.h"

#include <algorithm>
#include <string>

#include "connection.h"
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
  if (datagram.size() <= kUdpHeaderSize) return;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(datagram[i]); };
  const unsigned request_id = byte(0) * 256u + byte(1);
  base::OutBuffer& out = capture_->out();
  if (byte(4) != 0 || byte(5) != 1) {
    out.Append("SERVER_ERROR multi-packet request not supported\r\n");
  } else {
    std::string_view payload = datagram.substr(kUdpHeaderSize);
    while (!payload.empty()) {
      const io::DataResult r = conn_->OnData(*capture_, payload);
      payload.remove_prefix(r.consumed);
      if (!r.yield) break;  // the rest is an incomplete line: memcached drops it too
    }
  }
  if (out.empty()) return;

  std::string message;
  out.CopyTo(&message);
  out.Clear();
  constexpr size_t kData = kUdpMaxPayload - kUdpHeaderSize;
  const size_t total = std::min<size_t>((message.size() + kData - 1) / kData, 0xffff);
  std::string datagram_out;
  for (size_t seq = 0; seq < total; ++seq) {
    const std::string_view chunk = std::string_view(message).substr(
        seq * kData, std::min(kData, message.size() - seq * kData));
    const unsigned char header[kUdpHeaderSize] = {static_cast<unsigned char>(request_id >> 8),
                                                  static_cast<unsigned char>(request_id),
                                                  static_cast<unsigned char>(seq >> 8),
                                                  static_cast<unsigned char>(seq),
                                                  static_cast<unsigned char>(total >> 8),
                                                  static_cast<unsigned char>(total),
                                                  0,
                                                  0};
    datagram_out.assign(reinterpret_cast<const char*>(header), kUdpHeaderSize);
    datagram_out.append(chunk);
    reply.Send(datagram_out);
  }
}

}  // namespace ringcache::server
