// memcached's UDP framing: an 8-byte header on every datagram.
//
// A request datagram starts with a request id (2 bytes), a sequence number
// (2), the datagram count (2) and 2 reserved bytes; memcached serves only
// single-datagram requests (count 1, the sequence is not checked) and drops
// anything else, and anything of 8 bytes or less, silently. The text after
// the header is parsed like a stream connection's input.
//
// A response is cut into datagrams of at most 1400 bytes, each carrying the
// request id, its sequence number (from 0), the total count and 0. The
// fields are big-endian. memcached frames each reply separately; so does
// the caller of FrameUdpResponse, one reply at a time.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ringcache::protocol {

inline constexpr size_t kUdpHeaderSize = 8;
inline constexpr size_t kUdpMaxDatagram = 1400;
inline constexpr size_t kUdpMaxPayload = kUdpMaxDatagram - kUdpHeaderSize;

struct UdpRequest {
  uint16_t request_id = 0;
  std::string_view payload;  // the command text after the header
};

// False when memcached would drop the datagram.
[[nodiscard]] bool ParseUdpRequest(std::string_view datagram, UdpRequest* out);

// Calls `emit(std::string_view datagram)` for each datagram of `reply`;
// `scratch` needs kUdpMaxDatagram bytes. Returns the number of datagrams
// (at least one, even for an empty reply; capped at 65535 as memcached
// caps its count).
template <typename Emit>
size_t FrameUdpResponse(uint16_t request_id, std::string_view reply, char* scratch, Emit&& emit);

// --- implementation ---

void WriteUdpHeader(uint16_t request_id, uint16_t sequence, uint16_t total, char* out);

template <typename Emit>
size_t FrameUdpResponse(uint16_t request_id, std::string_view reply, char* scratch, Emit&& emit) {
  size_t total = (reply.size() + kUdpMaxPayload - 1) / kUdpMaxPayload;
  if (total == 0) total = 1;
  const uint16_t count = total > 0xffff ? 0xffff : static_cast<uint16_t>(total);
  for (size_t seq = 0; seq < total; ++seq) {
    const std::string_view part = reply.substr(seq * kUdpMaxPayload, kUdpMaxPayload);
    WriteUdpHeader(request_id, static_cast<uint16_t>(seq), count, scratch);
    for (size_t i = 0; i < part.size(); ++i) scratch[kUdpHeaderSize + i] = part[i];
    emit(std::string_view(scratch, kUdpHeaderSize + part.size()));
  }
  return total;
}

}  // namespace ringcache::protocol
