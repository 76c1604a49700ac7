// libFuzzer target aimed at the meta commands: the first input byte picks
// mg/ms/md/ma/me/mn, the rest is the key, length and flags, followed by
// more pipelined input. Invariants are text_fuzz_driver.h's, plus base64:
// a binary key re-encodes to text that decodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ringcache/protocol/base64.h"
#include "text_fuzz_driver.h"

namespace {

void CheckBase64(std::string_view bytes) {
  using ringcache::protocol::fuzz::Check;
  std::string encoded(ringcache::protocol::Base64EncodedSize(bytes.size()), '\0');
  encoded.resize(ringcache::protocol::Base64Encode(bytes, encoded.data()));
  std::string decoded(bytes.size() + 3, '\0');
  const size_t n = ringcache::protocol::Base64Decode(encoded, decoded.data(), decoded.size());
  Check(bytes.empty() ? n == 0 : decoded.substr(0, n) == bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static constexpr char kCommands[] = "gsdaen";
  std::string input = "m";
  input += kCommands[data[0] % 6];
  input += ' ';
  input.append(reinterpret_cast<const char*>(data) + 2, size - 2);
  ringcache::protocol::fuzz::Run(input, data[1]);
  CheckBase64(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
  return 0;
}
