#include "ringcache/protocol/base64.h"

#include <array>
#include <cstdint>

namespace ringcache::protocol {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xff;

// Byte -> 6-bit value; '=' decodes as 0 and is counted as padding separately.
constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = i;
  t['='] = 0;
  return t;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

size_t Base64Encode(std::string_view in, char* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  size_t left = in.size();
  char* o = out;
  for (; left >= 3; left -= 3, p += 3) {
    const uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
    o[3] = kAlphabet[v & 63];
    o += 4;
  }
  if (left != 0) {
    const uint32_t v = (uint32_t{p[0]} << 16) | (left == 2 ? uint32_t{p[1]} << 8 : 0);
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = left == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    o[3] = '=';
    o += 4;
  }
  return static_cast<size_t>(o - out);
}

size_t Base64Decode(std::string_view in, char* out, size_t out_cap) {
  size_t symbols = 0;
  for (const char c : in) symbols += kDecode[static_cast<uint8_t>(c)] != kInvalid;
  if (symbols == 0 || symbols % 4 != 0) return 0;
  if (symbols / 4 * 3 > out_cap) return 0;

  uint8_t group[4];
  size_t filled = 0;
  int padding = 0;
  char* o = out;
  for (const char c : in) {
    const uint8_t v = kDecode[static_cast<uint8_t>(c)];
    if (v == kInvalid) continue;
    padding += c == '=';
    group[filled++] = v;
    if (filled < 4) continue;
    filled = 0;
    o[0] = static_cast<char>((group[0] << 2) | (group[1] >> 4));
    o[1] = static_cast<char>((group[1] << 4) | (group[2] >> 2));
    o[2] = static_cast<char>((group[2] << 6) | group[3]);
    o += 3;
    if (padding != 0) {
      // The first padded group ends the input; its '=' bytes are not data.
      if (padding > 2) return 0;
      o -= padding;
      break;
    }
  }
  return static_cast<size_t>(o - out);
}

}  // namespace ringcache::protocol
