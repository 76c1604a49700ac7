// Size limits of memcached 1.6.18's protocols that every parser shares.
//
// Threading: constants.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>

namespace ringcache::protocol {

// memcached's KEY_MAX_LENGTH, in every protocol.
inline constexpr size_t kMaxKeyLength = 250;
// A storage command's length must leave room for "\r\n" in an int.
inline constexpr uint32_t kMaxValueLength = INT_MAX - 2;

}  // namespace ringcache::protocol
