// libFuzzer target: the text parser (classic, meta and admin commands) with
// value blocks, whole and split; see text_fuzz_driver.h for the invariants.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "text_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ringcache::protocol::fuzz::Run(input, data[0]);
  return 0;
}
