// Client-side request composers for memcached's three protocols: text, meta
// and binary. ringload writes every request with these, and so could any test
// or tool that needs to speak to a memcached-compatible server.
//
// A composer writes one request at `out` and returns the end of what it
// wrote; it never allocates and never checks capacity: the caller sizes its
// buffer with the matching Max*Size() bound (exact for the key and value
// sizes given, never an under-estimate). Stores are written in two steps so a
// value can be generated straight into the request bytes:
//   char* value = composer.BeginStore(key, flags, exptime, value_len, out);
//   ...write exactly value_len bytes at value...
//   char* end = composer.EndStore(value + value_len);
//
// Multi-key gets use each protocol's native form: text `get k1 k2 ...`;
// meta one quiet `mg <key> v f k q` per key (`k`: hits name their key)
// closed by `mn`; binary one GETKQ per key closed by NOOP. The replies are
// therefore: text VALUE* END; meta VA* MN; binary GETKQ-hits* NOOP. A
// single-key get uses the plain form (text `get <key>`, meta `mg <key> v f`,
// binary GET), whose reply is one value or one miss.
//
// Keys are not validated here (length <= 250, no spaces or control bytes for
// text and meta); callers pass well-formed keys.
//
// Threading: a RequestComposer is immutable after construction; share freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ringcache::protocol::client {

enum class Protocol : uint8_t { kText, kMeta, kBinary };

// "text", "meta", "binary"; ParseProtocol accepts the same names.
std::string_view ProtocolName(Protocol protocol);
bool ParseProtocol(std::string_view name, Protocol* out);

// Binary protocol opcodes the composers emit (and the reply parser names).
namespace binary_opcode {
inline constexpr uint8_t kGet = 0x00;
inline constexpr uint8_t kSet = 0x01;
inline constexpr uint8_t kDelete = 0x04;
inline constexpr uint8_t kIncrement = 0x05;
inline constexpr uint8_t kNoop = 0x0a;
inline constexpr uint8_t kVersion = 0x0b;
inline constexpr uint8_t kGetKQ = 0x0d;
inline constexpr uint8_t kTouch = 0x1c;
}  // namespace binary_opcode

inline constexpr size_t kBinaryHeaderSize = 24;

class RequestComposer {
 public:
  explicit RequestComposer(Protocol protocol) : protocol_(protocol) {}

  Protocol protocol() const { return protocol_; }

  // Get of one key (keys.size() == 1) or a multi-key get (see above).
  static size_t MaxGetSize(size_t key_count, size_t total_key_bytes);
  char* Get(std::span<const std::string_view> keys, char* out) const;

  // `set` with client flags and exptime (memcached's rules: 0 never expires).
  static size_t MaxStoreSize(size_t key_size, size_t value_size);
  char* BeginStore(std::string_view key, uint32_t flags, uint32_t exptime, size_t value_len,
                   char* out) const;
  char* EndStore(char* value_end) const;

  static size_t MaxKeyCommandSize(size_t key_size);  // delete, incr, touch
  char* Delete(std::string_view key, char* out) const;
  // Increment by `delta`; a missing key is a miss in every protocol (the
  // binary request carries exptime 0xffffffff, "do not create").
  char* Incr(std::string_view key, uint64_t delta, char* out) const;
  // Updates the key's exptime without fetching it (meta: `mg k T<exptime>`).
  char* Touch(std::string_view key, uint32_t exptime, char* out) const;

 private:
  Protocol protocol_;
};

}  // namespace ringcache::protocol::client
