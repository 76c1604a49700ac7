// Reply bytes of the classic text protocol, appended to a connection's
// base::OutBuffer.
//
// A GET hit is three appends: the header line (VALUE <key> <flags> <bytes>
// [<cas>]\r\n, formatted straight into the buffer with Reserve/Commit), the
// value (the caller copies it with Append or, for large values, hands the
// item's bytes over with AppendRef), and "\r\n". The request ends with
// END\r\n. Status replies are constant lines.
//
// noreply: the executor simply does not call these for a noreply request;
// ParseResult::noreply says the same for errors found while parsing.
//
// Threading: functions on the caller's buffer; no state.
#pragma once

#include <cstdint>
#include <string_view>

#include "ringcache/base/out_buffer.h"
#include "ringcache/protocol/errors.h"

namespace ringcache::protocol {

// One-line replies of the classic commands.
enum class TextReply : uint8_t {
  kStored,     // STORED
  kNotStored,  // NOT_STORED
  kExists,     // EXISTS
  kNotFound,   // NOT_FOUND
  kDeleted,    // DELETED
  kTouched,    // TOUCHED
  kOk,         // OK
  kEnd,        // END
  kReset,      // RESET (stats reset)
};

// The line for `reply`, "\r\n" included. Inline, so a call with a constant
// reply appends a constant line (no call, no variable-length copy).
constexpr std::string_view TextReplyLine(TextReply reply) {
  switch (reply) {
    case TextReply::kStored:
      return "STORED\r\n";
    case TextReply::kNotStored:
      return "NOT_STORED\r\n";
    case TextReply::kExists:
      return "EXISTS\r\n";
    case TextReply::kNotFound:
      return "NOT_FOUND\r\n";
    case TextReply::kDeleted:
      return "DELETED\r\n";
    case TextReply::kTouched:
      return "TOUCHED\r\n";
    case TextReply::kOk:
      return "OK\r\n";
    case TextReply::kEnd:
      return "END\r\n";
    case TextReply::kReset:
      return "RESET\r\n";
  }
  return "SERVER_ERROR Unhandled storage type.\r\n";
}

inline void AppendReply(base::OutBuffer& out, TextReply reply) { out.Append(TextReplyLine(reply)); }
inline void AppendEnd(base::OutBuffer& out) { out.Append("END\r\n"); }
inline void AppendCrlf(base::OutBuffer& out) { out.Append("\r\n"); }

// Longest VALUE header: "VALUE " + 250-byte key + 3 numbers + separators.
inline constexpr size_t kMaxValueHeader = 6 + 250 + 1 + 10 + 1 + 10 + 1 + 20 + 2;

// VALUE <key> <flags> <bytes>\r\n (get, gat).
void AppendValueHeader(base::OutBuffer& out, std::string_view key, uint32_t client_flags,
                       uint32_t value_bytes);
// VALUE <key> <flags> <bytes> <cas>\r\n (gets, gats).
void AppendValueHeaderWithCas(base::OutBuffer& out, std::string_view key, uint32_t client_flags,
                              uint32_t value_bytes, uint64_t cas);

// A whole hit whose value is copied: header, value, "\r\n". `value` may be
// split in two parts (items stored in two pieces).
void AppendValueCopy(base::OutBuffer& out, std::string_view key, uint32_t client_flags,
                     std::string_view value_first, std::string_view value_second, bool with_cas,
                     uint64_t cas);

// <number>\r\n: the result of incr/decr.
void AppendNumberLine(base::OutBuffer& out, uint64_t value);

// VERSION <version>\r\n.
void AppendVersion(base::OutBuffer& out, std::string_view version);

}  // namespace ringcache::protocol
