#include "ringcache/server/config.h"

#include <algorithm>

namespace ringcache::server {

Config DefaultConfig(int allowed_cpus) {
  Config config;
  config.num_threads = std::max(1, allowed_cpus);
  config.num_threads_per_udp = config.num_threads;
  return config;
}

std::string_view ProtocolName(BindingProtocol protocol) {
  switch (protocol) {
    case BindingProtocol::kNegotiating:
      return "auto-negotiate";
    case BindingProtocol::kAscii:
      return "ascii";
    case BindingProtocol::kBinary:
      return "binary";
  }
  return "unknown";
}

std::string_view HashAlgorithmName(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kMurmur3:
      return "murmur3";
    case HashAlgorithm::kJenkins:
      return "jenkins";
    case HashAlgorithm::kXxh3:
      return "xxh3";
  }
  return "unknown";
}

std::string_view TlsVersionName(int min_version) {
  switch (min_version) {
    case 0:
      return "tlsv1.0";
    case 1:
      return "tlsv1.1";
    case 2:
      return "tlsv1.2";
    case 3:
      return "tlsv1.3";
    default:
      return "unknown";
  }
}

}  // namespace ringcache::server
