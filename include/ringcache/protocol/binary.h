// memcached's binary protocol, request side: the 24-byte header, opcodes,
// status codes, and a parser with memcached 1.6.18's acceptance rules.
//
// A binary connection is recognised by its first byte: memcached's `-B auto`
// (the default) decides once per connection, binary if that byte is
// kRequestMagic (0x80), text otherwise (IsBinaryStart). A request is a header, `extras`, a key and
// a value, with lengths in the header (big-endian on the wire, host order in RequestHeader). Like
// memcached, the parser waits only for header, extras and key: the value of a storage command
// (set/add/replace/append/prepend, SASL data) is left for the caller to copy straight into the new
// item, as with the text protocol's value block (`value_bytes`, no terminator).
//
// Verdicts follow memcached's try_read_command_binary/dispatch_bin_command:
//   - a packet of a binary connection whose first byte is not 0x80: close
//     without a reply;
//   - key or key+extras longer than the body: "Unknown command", then close;
//   - key longer than 250 bytes, or lengths that do not fit the opcode:
//     "Invalid arguments", then close;
//   - an unknown opcode: "Unknown command", then skip `body_length` more
//     bytes (memcached's arithmetic, which counts extras and key twice);
//   - otherwise a request. Quiet opcodes (GETQ, SETQ, ...) are reported as
//     their plain command with `quiet` set.
// SASL authentication itself (and the "Auth failure" gate before every
// command when -S is on) is the server's; the parser delivers the mechanism
// (key) and the data length.
//
// Threading: pure functions and plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ringcache::protocol::binary {

inline constexpr uint8_t kRequestMagic = 0x80;
inline constexpr uint8_t kResponseMagic = 0x81;
inline constexpr size_t kHeaderSize = 24;

enum class Opcode : uint8_t {
  kGet = 0x00,
  kSet = 0x01,
  kAdd = 0x02,
  kReplace = 0x03,
  kDelete = 0x04,
  kIncrement = 0x05,
  kDecrement = 0x06,
  kQuit = 0x07,
  kFlush = 0x08,
  kGetQ = 0x09,
  kNoop = 0x0a,
  kVersion = 0x0b,
  kGetK = 0x0c,
  kGetKQ = 0x0d,
  kAppend = 0x0e,
  kPrepend = 0x0f,
  kStat = 0x10,
  kSetQ = 0x11,
  kAddQ = 0x12,
  kReplaceQ = 0x13,
  kDeleteQ = 0x14,
  kIncrementQ = 0x15,
  kDecrementQ = 0x16,
  kQuitQ = 0x17,
  kFlushQ = 0x18,
  kAppendQ = 0x19,
  kPrependQ = 0x1a,
  kTouch = 0x1c,
  kGat = 0x1d,
  kGatQ = 0x1e,
  kSaslListMechs = 0x20,
  kSaslAuth = 0x21,
  kSaslStep = 0x22,
  kGatK = 0x23,
  kGatKQ = 0x24,
};

enum class Status : uint16_t {
  kSuccess = 0x00,
  kKeyNotFound = 0x01,
  kKeyExists = 0x02,
  kTooLarge = 0x03,
  kInvalidArguments = 0x04,
  kNotStored = 0x05,
  kDeltaBadValue = 0x06,
  kAuthError = 0x20,
  kAuthContinue = 0x21,
  kUnknownCommand = 0x81,
  kOutOfMemory = 0x82,
};

// The header of a request, in host byte order.
struct RequestHeader {
  uint8_t magic = 0;
  uint8_t opcode = 0;
  uint16_t key_length = 0;
  uint8_t extras_length = 0;
  uint8_t data_type = 0;
  uint16_t vbucket = 0;
  uint32_t body_length = 0;  // extras + key + value
  uint32_t opaque = 0;       // echoed unchanged in the response
  uint64_t cas = 0;
};

// Decodes the 24 bytes at `p`.
RequestHeader DecodeRequestHeader(const char* p);
// Encodes `h` into 24 bytes at `p` (clients and tests).
void EncodeRequestHeader(const RequestHeader& h, char* p);

// A parsed request. Views point into the parsed input.
struct Request {
  RequestHeader header;
  Opcode command = Opcode::kGet;  // quiet variants mapped to the plain command
  bool quiet = false;             // GETQ, SETQ, ...: success (get: a miss) not reported
  bool return_key = false;        // GETK, GATK: the key goes back with the value
  std::string_view key;
  std::string_view extras;
  uint32_t value_bytes = 0;  // set/add/replace/append/prepend, SASL: bytes after the key

  // Decoded extras (host order).
  uint32_t client_flags = 0;  // set/add/replace
  uint32_t exptime = 0;       // set/add/replace, touch/gat, incr/decr, flush (raw)
  uint64_t delta = 0;         // incr/decr
  uint64_t initial = 0;       // incr/decr: value created on a miss
  bool has_exptime = false;   // flush: a delay was given
  // incr/decr: memcached creates the item on a miss unless exptime is all ones.
  bool create_on_miss() const { return exptime != 0xffffffffu; }
};

enum class ParseStatus : uint8_t {
  kNeedMore,  // header, extras or key incomplete: nothing consumed
  kRequest,   // consume `consumed` (header, extras, key); then read value_bytes
  kError,     // consume `consumed`, reply `error`; then close if `close`,
              // else skip `swallow` more bytes
  kClose,     // not a binary request (bad magic): close without a reply
};

struct ParseResult {
  ParseStatus status = ParseStatus::kNeedMore;
  Status error = Status::kSuccess;
  bool close = false;
  uint32_t swallow = 0;
  size_t consumed = 0;
};

[[nodiscard]] ParseResult ParseRequest(std::string_view data, Request* req);

// memcached's protocol negotiation: a connection whose first byte is 0x80
// speaks binary for its lifetime.
inline bool IsBinaryStart(char first_byte) {
  return static_cast<uint8_t>(first_byte) == kRequestMagic;
}

// The text memcached sends with an error status.
std::string_view StatusText(Status status);

}  // namespace ringcache::protocol::binary
