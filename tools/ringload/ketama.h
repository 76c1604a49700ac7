// Consistent hashing of keys onto servers, the way ketama clients spread
// them: every server owns `points_per_server` points on a 32-bit circle, a
// key belongs to the first point at or after its own hash (wrapping round).
// Adding or removing a server moves only about 1/n of the keys.
//
// The point and key hashes are a fixed-seed base::KeyedHash of
// "<host:port>-<i>" and of the key, so every ringload run maps keys the same
// way (a verifying reader finds what a writer stored). They are not
// libmemcached's MD5 points: ringload spreads load like a ketama client but
// is not wire-compatible with one's placement.
//
// Threading: immutable after construction; share freely.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ringcache/base/hash.h"

namespace ringcache::ringload {

class KetamaRing {
 public:
  static constexpr int kDefaultPointsPerServer = 160;

  explicit KetamaRing(const std::vector<std::string>& servers,
                      int points_per_server = kDefaultPointsPerServer);

  size_t servers() const { return servers_; }
  // The server (an index into the constructor's list) that owns `key`.
  uint32_t ServerOf(std::string_view key) const;

 private:
  struct Point {
    uint32_t hash;
    uint32_t server;
  };

  size_t servers_;
  base::KeyedHash hash_;
  std::vector<Point> points_;  // sorted by hash
};

}  // namespace ringcache::ringload
