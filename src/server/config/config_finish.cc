// memcached's checks after its option loop (memcached.c main(), 1.6.18), in
// its order, with its messages and exit statuses.
#include <cstdint>
#include <string>

#include <sysexits.h>

#include "absl/strings/str_format.h"

#include "c_numbers.h"
#include "parse_state.h"

namespace ringcache::server::config_internal {
namespace {

constexpr int kItemSizeMaxLowerLimit = 1024;
constexpr int kItemSizeMaxUpperLimit = 1024 * 1024 * 1024;
constexpr uint32_t kChunkAlignBytes = 8;
constexpr int kMaxSlabClasses = 63 + 1;

void Usage(Outcome& out, const std::string& message) {
  out.Err(message);
  out.Exit(EX_USAGE);
}

// memcached's _parse_slab_sizes: '-'-separated, increasing, aligned sizes
// between -n and slab_chunk_max.
bool CheckSlabSizes(std::string_view list, const Config& config, Outcome& out) {
  if (list.empty()) return false;
  uint32_t last_size = 0;
  int classes = 0;
  while (!list.empty()) {
    const size_t start = list.find_first_not_of('-');
    if (start == std::string_view::npos) break;
    list.remove_prefix(start);
    const size_t end = list.find('-');
    const std::string_view token = list.substr(0, end);
    list.remove_prefix(end == std::string_view::npos ? list.size() : end + 1);

    uint32_t size = 0;
    if (!SafeStrtoul(token, &size) || size < static_cast<uint32_t>(config.chunk_size) ||
        size > static_cast<uint32_t>(config.slab_chunk_size_max)) {
      out.Err(absl::StrFormat("slab size %u is out of valid range\n", size));
      return false;
    }
    if (last_size >= size) {
      out.Err(absl::StrFormat(
          "slab size %u cannot be lower than or equal to a previous class size\n", size));
      return false;
    }
    if (size <= last_size + kChunkAlignBytes) {
      out.Err(absl::StrFormat("slab size %u must be at least %d bytes larger than previous class\n",
                              size, kChunkAlignBytes));
      return false;
    }
    last_size = size;
    if (++classes >= kMaxSlabClasses - 1) {
      out.Err("too many slab classes specified\n");
      return false;
    }
  }
  return true;
}

}  // namespace

void FinishConfig(ParseState& state, Config& config, Outcome& out) {
  if (config.num_napi_ids > config.num_threads) {
    return Usage(out, absl::StrFormat(
                          "Number of napi_ids(%d) cannot be greater than number of threads(%d)\n",
                          config.num_napi_ids, config.num_threads));
  }
  if (config.item_size_max < kItemSizeMaxLowerLimit) {
    return Usage(out, "Item max size cannot be less than 1024 bytes.\n");
  }
  if (static_cast<uint64_t>(config.item_size_max) > config.max_bytes / 2) {
    return Usage(out, "Cannot set item size limit higher than 1/2 of memory max.\n");
  }
  if (config.item_size_max > kItemSizeMaxUpperLimit) {
    return Usage(out, "Cannot set item size limit higher than a gigabyte.\n");
  }
  if (config.item_size_max > 1024 * 1024 && !state.slab_chunk_max_changed) {
    config.slab_chunk_size_max = config.slab_page_size / 2;
  }
  if (config.slab_chunk_size_max > config.item_size_max) {
    return Usage(
        out,
        absl::StrFormat("slab_chunk_max (bytes: %d) cannot be larger than -I (item_size_max %d)\n",
                        config.slab_chunk_size_max, config.item_size_max));
  }
  // memcached divides by zero (and dies) on slab_chunk_max=0; refuse it with
  // the divisibility message instead.
  if (config.slab_chunk_size_max == 0 || config.item_size_max % config.slab_chunk_size_max != 0) {
    return Usage(
        out, absl::StrFormat("-I (item_size_max: %d) must be evenly divisible by slab_chunk_max "
                             "(bytes: %d)\n",
                             config.item_size_max, config.slab_chunk_size_max));
  }
  if (config.slab_page_size % config.slab_chunk_size_max != 0) {
    return Usage(
        out,
        absl::StrFormat("slab_chunk_max (bytes: %d) must divide evenly into %d (slab_page_size)\n",
                        config.slab_chunk_size_max, config.slab_page_size));
  }
  if (!config.extstore.paths.empty()) {
    if (static_cast<int64_t>(config.item_size_max) > config.extstore.wbuf_size) {
      return Usage(
          out, absl::StrFormat("-I (item_size_max: %d) cannot be larger than ext_wbuf_size: %d\n",
                               config.item_size_max, static_cast<int>(config.extstore.wbuf_size)));
    }
    if (config.udp_port != 0) {
      return Usage(out, "Cannot use UDP with extstore enabled (-U 0 to disable)\n");
    }
  }
  if (state.slab_sizes_unparsed.has_value()) {
    if (!CheckSlabSizes(*state.slab_sizes_unparsed, config, out)) {
      out.Exit(EX_USAGE);
      return;
    }
    config.slab_sizes = *state.slab_sizes_unparsed;
  }
  if (config.hot_lru_pct + config.warm_lru_pct > 80) {
    return Usage(out, "hot_lru_pct + warm_lru_pct cannot be more than 80% combined\n");
  }
  if (config.temp_lru && !config.lru_maintainer) {
    return Usage(out, "temporary_ttl requires lru_maintainer to be enabled\n");
  }

  // One worker serves each UDP socket when several addresses are given.
  const bool several_listeners =
      config.listen.has_value() && config.listen->find(',') != std::string::npos;
  config.num_threads_per_udp = several_listeners ? 1 : config.num_threads;

  if (config.sasl) {
    if (!state.protocol_specified) {
      config.protocol = BindingProtocol::kBinary;
    } else if (config.protocol != BindingProtocol::kBinary) {
      return Usage(out, "ERROR: You cannot allow the ASCII protocol while using SASL.\n");
    }
    if (config.udp_port != 0) {
      return Usage(out, "ERROR: Cannot enable UDP while using binary SASL authentication.\n");
    }
  }
  if (!config.auth_file.empty()) {
    if (!state.protocol_specified) {
      config.protocol = BindingProtocol::kAscii;
    } else if (config.protocol != BindingProtocol::kAscii) {
      return Usage(out,
                   "ERROR: You cannot allow the BINARY protocol while using ascii authentication "
                   "tokens.\n");
    }
  }
  // "-U 1234" alone moves TCP to the same port.
  if (state.udp_specified && config.udp_port != 0 && !state.tcp_specified) {
    config.port = config.udp_port;
  }
  if (config.port > 65535) {
    return Usage(out, absl::StrFormat("ERROR: Invalid port number %d.\n", config.port));
  }
  if (config.tls.enabled && config.port == 0) {
    return Usage(out, "ERROR: You cannot enable SSL without a TCP port.\n");
  }
}

}  // namespace ringcache::server::config_internal
