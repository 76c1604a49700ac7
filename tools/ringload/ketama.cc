#include "ketama.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ringcache::ringload {

KetamaRing::KetamaRing(const std::vector<std::string>& servers, int points_per_server)
    : servers_(servers.size()), hash_(0x6b6574616d61ULL, 0x72696e676c6f6164ULL) {
  points_.reserve(servers.size() * static_cast<size_t>(points_per_server));
  for (uint32_t s = 0; s < servers.size(); ++s) {
    for (int i = 0; i < points_per_server; ++i) {
      const std::string label = absl::StrCat(servers[s], "-", i);
      points_.push_back({static_cast<uint32_t>(hash_(label) >> 32), s});
    }
  }
  // Ties (vanishingly rare) go to the lower server index, deterministically.
  std::sort(points_.begin(), points_.end(), [](const Point& a, const Point& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.server < b.server;
  });
}

uint32_t KetamaRing::ServerOf(std::string_view key) const {
  if (servers_ <= 1) return 0;
  const uint32_t h = static_cast<uint32_t>(hash_(key) >> 32);
  auto it = std::lower_bound(points_.begin(), points_.end(), h,
                             [](const Point& p, uint32_t value) { return p.hash < value; });
  if (it == points_.end()) it = points_.begin();
  return it->server;
}

}  // namespace ringcache::ringload
