// Self-checking values for --verify.
//
// A verified value names its own version and carries a checksum of the key
// it was written under, that version, its length and its bytes:
//
//   [0, 16)        the version, 16 lowercase hex digits
//   [16, len-16)   filler bytes (a pattern chosen by the version)
//   [len-16, len)  the checksum, 16 lowercase hex digits
//
// so any reader that knows only the key can tell whether a value is intact
// and belongs to that key: a value written under another key, cut short,
// grown, or changed in any byte fails the check. A later ringload run (or a
// soak test) can therefore verify data written by an earlier one. The
// checksum is a fixed-seed base::KeyedHash, identical across runs and hosts.
//
// Versions are chosen by the writer; ringload makes them unique per write
// (thread number in the top bits, a per-thread counter below).
//
// Threading: immutable after construction; share freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringcache/base/hash.h"

namespace ringcache::ringload {

enum class VerifyResult : uint8_t {
  kOk,
  kTooShort,     // shorter than kMinSize: cannot hold a version and checksum
  kBadVersion,   // the version field is not 16 hex digits
  kBadChecksum,  // the checksum does not match key, version, length and bytes
};

class ValueCodec {
 public:
  static constexpr size_t kMinSize = 32;

  ValueCodec();

  // Writes a `len`-byte value (len >= kMinSize) for key/version at `out`.
  void Fill(std::string_view key, uint64_t version, char* out, size_t len) const;
  [[nodiscard]] VerifyResult Check(std::string_view key, std::string_view value,
                                   uint64_t* version = nullptr) const;

 private:
  uint64_t Checksum(std::string_view key, uint64_t version, std::string_view body) const;

  base::KeyedHash hash_;
};

}  // namespace ringcache::ringload
