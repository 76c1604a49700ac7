// Builds binary-protocol request packets for the tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ringcache/protocol/binary.h"

namespace ringcache::protocol::testing {

struct PacketSpec {
  uint8_t magic = binary::kRequestMagic;
  uint8_t opcode = 0;
  std::string extras;
  std::string key;
  std::string value;
  uint64_t cas = 0;
  uint32_t opaque = 0;
  int64_t body_length = -1;  // -1: extras + key + value
  int32_t key_length = -1;   // -1: key.size()
};

inline std::string Packet(const PacketSpec& s) {
  binary::RequestHeader h;
  h.magic = s.magic;
  h.opcode = s.opcode;
  h.key_length = static_cast<uint16_t>(s.key_length >= 0 ? s.key_length : s.key.size());
  h.extras_length = static_cast<uint8_t>(s.extras.size());
  h.body_length = static_cast<uint32_t>(
      s.body_length >= 0 ? s.body_length : s.extras.size() + s.key.size() + s.value.size());
  h.opaque = s.opaque;
  h.cas = s.cas;
  std::string out(binary::kHeaderSize, '\0');
  binary::EncodeRequestHeader(h, out.data());
  return out + s.extras + s.key + s.value;
}

inline std::string Be32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>(v >> (24 - 8 * i));
  return s;
}
inline std::string Be64(uint64_t v) {
  return Be32(static_cast<uint32_t>(v >> 32)) + Be32(static_cast<uint32_t>(v));
}

}  // namespace ringcache::protocol::testing
