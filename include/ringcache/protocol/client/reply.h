// One parsed server reply, as the client side sees it, and the result of
// trying to parse one from a byte stream.
//
// A reply is the smallest unit a server sends: one text line with its data
// block (VALUE ... <data>), one meta line (VA/HD/EN/...), or one binary
// packet. A multi-key get is answered by several replies (values, then a
// terminator), and the caller, which knows what it asked, puts them together.
//
// The kinds are shared by the three protocols so a caller can count hits,
// misses and errors without caring which protocol produced them; `kind`
// depends only on the reply's bytes. Views (key, value, message, meta_flags)
// point into the parsed input and are valid as long as it is.
//
// Threading: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ringcache::protocol::client {

enum class ReplyKind : uint8_t {
  kValue,        // text VALUE, meta VA, binary GET/GETKQ hit: `value` (and `key` if named)
  kEnd,          // text END: the end of a get's values
  kMiss,         // meta EN; binary GET with status "key not found"
  kStored,       // text STORED; binary SET success
  kNotStored,    // text NOT_STORED, meta NS, binary "item not stored"
  kExists,       // text EXISTS, meta EX, binary "key exists"
  kNotFound,     // text NOT_FOUND, meta NF, binary "key not found" (not a get)
  kDeleted,      // text DELETED; binary DELETE success
  kTouched,      // text TOUCHED; binary TOUCH success
  kNumber,       // text incr/decr result; binary INCREMENT success: `number`
  kHeader,       // meta HD: success without a value
  kNoop,         // meta MN; binary NOOP: the end of a quiet batch
  kOk,           // text OK
  kVersion,      // text VERSION <v>; binary VERSION: `message`
  kError,        // text/meta ERROR; binary "unknown command"
  kClientError,  // CLIENT_ERROR <msg>; binary invalid arguments, non-numeric, too large
  kServerError,  // SERVER_ERROR <msg>; binary out of memory and other failures
};

std::string_view ReplyKindName(ReplyKind kind);

// Whether the reply ends the exchange of a quiet or multi-key get batch.
inline bool IsBatchEnd(ReplyKind kind) {
  return kind == ReplyKind::kEnd || kind == ReplyKind::kNoop;
}
inline bool IsError(ReplyKind kind) {
  return kind == ReplyKind::kError || kind == ReplyKind::kClientError ||
         kind == ReplyKind::kServerError;
}

struct Reply {
  ReplyKind kind = ReplyKind::kError;
  uint32_t flags = 0;        // client flags (text VALUE, meta f, binary GET extras)
  uint64_t cas = 0;          // text VALUE cas field (gets), meta c, binary header
  uint64_t number = 0;       // kNumber: the counter's new value
  std::string_view key;      // text VALUE, meta k, binary GETK*
  std::string_view value;    // kValue: the data block, without its terminator
  std::string_view message;  // error text, VERSION string
  // Meta: the flag tokens after the code (and size), unparsed, e.g. "f0 kfoo".
  std::string_view meta_flags;
  std::string_view opaque;  // meta O token (binary: see binary_opaque)
  uint32_t binary_opaque = 0;
  uint16_t binary_status = 0;
  uint8_t binary_opcode = 0;
};

enum class ParseStatus : uint8_t {
  kOk,          // one reply parsed; `size` bytes consumed
  kIncomplete,  // more bytes needed; `size` is the total needed if known, else 0
  kInvalid,     // the bytes are not a reply of this protocol
};

struct ParseResult {
  ParseStatus status;
  size_t size;
};

}  // namespace ringcache::protocol::client
