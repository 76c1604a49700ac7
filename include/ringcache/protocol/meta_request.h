// A parsed meta-protocol request (mg, ms, md, ma, me; mn has no arguments).
//
// The flags of a meta command are single letters, some with a token
// (`T30`, `Oabc`, `C123`). MetaRequest keeps them compactly: a bit per
// letter present, the decoded token values, and the letters in the order the
// client sent them, because memcached echoes return flags (`s t c f l h k O`)
// in request order. Only memcached 1.6.18's flags are accepted; anything
// else is the same `CLIENT_ERROR invalid flag` it sends.
//
// Keys: `key()` is a view into the parsed line, except for base64 keys (`b`),
// whose decoded bytes live in the request itself (decoding never allocates).
// Copying a MetaRequest keeps key() valid.
//
// Times stay as the client's raw exptime values (int32, memcached's
// narrowing applied): the server converts them with base::ProcessClock, so
// the parser never reads a clock.
//
// Threading: a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringcache/base/compiler.h"
#include "ringcache/protocol/limits.h"

namespace ringcache::protocol {

// Most bytes a 250-byte base64 key decodes to.
inline constexpr size_t kMaxBinaryKeyLength = kMaxKeyLength / 4 * 3;
// memcached's MFLAG_MAX_OPAQUE_LENGTH: the whole O token, letter included.
inline constexpr size_t kMaxOpaqueTokenLength = 32;
// memcached refuses meta lines of more than 20 tokens (its count includes
// the command, the key, ms's length and a terminal pseudo-token), so at most
// 17 flags ever reach the flag parser.
inline constexpr size_t kMaxMetaTokens = 20;
inline constexpr size_t kMaxMetaFlags = kMaxMetaTokens - 3;

// A set of flag letters ('a'-'z', 'A'-'Z').
class MetaFlagSet {
 public:
  static constexpr int Bit(char c) {
    return c >= 'a' && c <= 'z' ? c - 'a' : (c >= 'A' && c <= 'Z' ? 26 + (c - 'A') : -1);
  }
  RC_ALWAYS_INLINE bool has(char c) const {
    const int b = Bit(c);
    return b >= 0 && ((bits_ >> b) & 1) != 0;
  }
  RC_ALWAYS_INLINE void set(char c) {
    const int b = Bit(c);
    if (b >= 0) bits_ |= uint64_t{1} << b;
  }
  void clear() { bits_ = 0; }
  uint64_t bits() const { return bits_; }

 private:
  uint64_t bits_ = 0;
};

// How an ms request stores (M token, with memcached's upgrade of set and
// replace to compare-and-swap when a C token is given).
enum class StoreKind : uint8_t { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };

struct MetaRequest {
  MetaFlagSet flags;  // every flag letter present (b, c, f, h, k, l, q, s, t, u, v, I, ...)
  // Flag letters in request order (for echoing return flags), `flag_count` of them.
  char order[kMaxMetaFlags] = {};
  uint8_t flag_count = 0;

  std::string_view opaque;  // the whole O token ("O123"), empty if absent

  int32_t ttl = 0;                         // T: new exptime (raw client value)
  int32_t vivify_ttl = 0;                  // N: exptime of an item created on a miss
  int32_t recache_ttl = 0;                 // R: win the recache token below this TTL
  uint32_t client_flags = 0;               // F (ms)
  uint64_t compare_cas = 0;                // C (ms, md, ma)
  uint64_t delta = 1;                      // D (ma)
  uint64_t initial = 0;                    // J (ma)
  uint32_t value_bytes = 0;                // ms <datalen>: value bytes, without "\r\n"
  char mode = 0;                           // M token's character, 0 if absent
  StoreKind store_kind = StoreKind::kSet;  // ms, from M and C
  bool incr = true;                        // ma, from M

  bool has(char flag) const { return flags.has(flag); }
  bool quiet() const { return flags.has('q'); }       // q: suppress the nominal reply
  bool want_value() const { return flags.has('v'); }  // v
  bool key_binary() const { return key_binary_; }     // b
  // I. ms honours it only with store_kind kCas (a CAS older than the item's
  // still stores, marked stale); md marks the item stale (new CAS, optional
  // T) instead of removing it.
  bool invalidate() const { return flags.has('I'); }

  // The key to look up (decoded when `b` was given).
  std::string_view key() const {
    return key_binary_ ? std::string_view(binary_key_, binary_key_len_) : key_;
  }

  // Parser side.
  void SetTextKey(std::string_view key) {
    key_ = key;
    key_binary_ = false;
  }
  // Decodes `encoded` into the request; false when memcached refuses it.
  bool SetBase64Key(std::string_view encoded);
  void ResetFlags() {
    flags.clear();
    flag_count = 0;
    opaque = {};
    ttl = vivify_ttl = recache_ttl = 0;
    client_flags = 0;
    compare_cas = 0;
    delta = 1;
    initial = 0;
    mode = 0;
    store_kind = StoreKind::kSet;
    incr = true;
  }

 private:
  std::string_view key_;
  bool key_binary_ = false;
  uint8_t binary_key_len_ = 0;
  char binary_key_[kMaxBinaryKeyLength] = {};
};

}  // namespace ringcache::protocol
