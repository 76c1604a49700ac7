// Base64 for meta-protocol binary keys (the `b` flag).
//
// A meta client sends a binary key base64-encoded; the server looks up the
// decoded bytes and, when it echoes the key (`k`), encodes it again and adds
// a ` b` marker. Decoding follows memcached 1.6.18 so that the same input is
// accepted or refused: bytes outside the alphabet are skipped, the count of
// alphabet bytes ('=' included) must be a non-zero multiple of four, and
// decoding stops after the first group that carries padding (one '=' drops
// one output byte, two drop two, more is an error). Encoding is standard
// padded base64 without line breaks.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace ringcache::protocol {

// Bytes needed to encode `n` bytes.
constexpr size_t Base64EncodedSize(size_t n) { return (n + 2) / 3 * 4; }
// Upper bound of the decoded size of `n` encoded bytes.
constexpr size_t Base64DecodedBound(size_t n) { return n / 4 * 3; }

// Encodes `in` into `out` (room for Base64EncodedSize(in.size()) bytes).
// Returns the number of bytes written.
size_t Base64Encode(std::string_view in, char* out);

// Decodes `in` into `out` (room for `out_cap` bytes; `out` may alias
// `in.data()`, decoding never writes ahead of what it has read). Returns the
// decoded length, or 0 when memcached would refuse the input.
size_t Base64Decode(std::string_view in, char* out, size_t out_cap);

}  // namespace ringcache::protocol
