#include "ringcache/protocol/udp_frame.h"

namespace ringcache::protocol {

bool ParseUdpRequest(std::string_view datagram, UdpRequest* out) {
  if (datagram.size() <= kUdpHeaderSize) return false;
  const auto* u = reinterpret_cast<const unsigned char*>(datagram.data());
  // Multi-datagram requests are not supported (memcached drops them).
  if (u[4] != 0 || u[5] != 1) return false;
  out->request_id = static_cast<uint16_t>(u[0] * 256 + u[1]);
  out->payload = datagram.substr(kUdpHeaderSize);
  return true;
}

void WriteUdpHeader(uint16_t request_id, uint16_t sequence, uint16_t total, char* out) {
  out[0] = static_cast<char>(request_id >> 8);
  out[1] = static_cast<char>(request_id);
  out[2] = static_cast<char>(sequence >> 8);
  out[3] = static_cast<char>(sequence);
  out[4] = static_cast<char>(total >> 8);
  out[5] = static_cast<char>(total);
  out[6] = 0;
  out[7] = 0;
}

}  // namespace ringcache::protocol
