// memcached's UDP framing: an 8-byte header on every datagram.
//
// A request datagram starts with a request id (2 bytes), a sequence number
// (2), the datagram count (2) and 2 reserved bytes; memcached serves only
// single-datagram requests (count 1, the sequence is not checked) and drops
// anything else, and anything of 8 bytes or less, silently. The text after
// the header is parsed like a stream connection's input.
//
// A response is cut into datagrams of at most 1400 bytes (8 of header, 1392
// of reply), each carrying the request id, its sequence number (from 0),
// the total count and 0. The fields are big-endian.
//
// memcached 1.6.18 frames every response object on its own, with its own
// sequence and count: one per command, and one per key of a multi-key get
// (`get a b c` is three framed messages; END rides on the last key's). It
// writes out what it has after every get-family command and `mn` (and when
// the datagram's input is used up); UdpReplyFramer follows its rules for
// empty response objects within one such batch (see there).
//
// Threading: pure functions; a UdpReplyFramer is used by one thread.
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
// (at least one: an empty reply is a lone header whose count is 0, as
// memcached writes it; the count is capped at 65535 as memcached caps it).
template <typename Emit>
size_t FrameUdpResponse(uint16_t request_id, std::string_view reply, char* scratch, Emit&& emit);

// The framed messages of one request datagram's reply, response object by
// response object, as memcached's transmit_udp() sends them:
//   - a response with bytes is framed on its own (FrameUdpResponse);
//   - an empty response that memcached keeps (a get's key that missed, a
//     quiet binary command) goes out as a lone header (count 0) only when
//     nothing was sent yet in the batch: after a sent response memcached
//     retires the empty ones that follow without sending anything;
//   - a response memcached marks as skipped (noreply, quiet meta) is never
//     sent; pass counts_when_empty = false.
// EndBatch() marks where memcached writes out what it has.
class UdpReplyFramer {
 public:
  UdpReplyFramer(uint16_t request_id, char* scratch) : request_id_(request_id), scratch_(scratch) {}

  template <typename Emit>
  void Add(std::string_view response, bool counts_when_empty, Emit&& emit) {
    if (response.empty() && (!counts_when_empty || sent_in_batch_)) return;
    datagrams_ += FrameUdpResponse(request_id_, response, scratch_, emit);
    sent_in_batch_ = true;
  }
  void EndBatch() { sent_in_batch_ = false; }
  size_t datagrams() const { return datagrams_; }

 private:
  uint16_t request_id_;
  char* scratch_;
  bool sent_in_batch_ = false;
  size_t datagrams_ = 0;
};

// --- implementation ---

void WriteUdpHeader(uint16_t request_id, uint16_t sequence, uint16_t total, char* out);

template <typename Emit>
size_t FrameUdpResponse(uint16_t request_id, std::string_view reply, char* scratch, Emit&& emit) {
  const size_t total = (reply.size() + kUdpMaxPayload - 1) / kUdpMaxPayload;
  const uint16_t count = total > 0xffff ? 0xffff : static_cast<uint16_t>(total);
  const size_t datagrams = total == 0 ? 1 : total;
  for (size_t seq = 0; seq < datagrams; ++seq) {
    const std::string_view part = reply.substr(seq * kUdpMaxPayload, kUdpMaxPayload);
    WriteUdpHeader(request_id, static_cast<uint16_t>(seq), count, scratch);
    for (size_t i = 0; i < part.size(); ++i) scratch[kUdpHeaderSize + i] = part[i];
    emit(std::string_view(scratch, kUdpHeaderSize + part.size()));
  }
  return datagrams;
}

}  // namespace ringcache::protocol
