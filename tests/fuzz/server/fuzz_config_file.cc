// Config files: the input is the text of a memcached.conf.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config_fuzz_driver.h"
#include "ringcache/server/config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<ringcache::server::ConfigFileContents> contents =
      ringcache::server::ParseConfigFileText(text);
  if (!contents.ok()) {
    ringcache::server::fuzz::Check(!contents.status().message().empty());
    return 0;
  }
  ringcache::server::fuzz::ParseWords(std::move(contents->args));
  return 0;
}
