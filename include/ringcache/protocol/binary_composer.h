// memcached's binary protocol, response side: response packets appended to a
// connection's base::OutBuffer, as memcached 1.6.18 builds them.
//
// Every response echoes the request's raw opcode (a GETQ is answered as
// GETQ) and opaque. Quiet requests: success is not reported, except that a
// GETQ/GETKQ hit is (its miss is what is silent); errors are always sent.
// These functions apply that rule given the parsed Request.
//
// A get hit is a header, 4 bytes of client flags, the key (GETK/GATK), then
// the value, which the caller appends (copy or AppendRef) after
// AppendGetHit. Stats are one packet per statistic (key = name, value =
// text) and an empty packet at the end.
//
// Threading: functions on the caller's buffer; no state.
#pragma once

#include <cstdint>
#include <string_view>

#include "ringcache/base/out_buffer.h"
#include "ringcache/protocol/binary.h"

namespace ringcache::protocol::binary {

struct ResponseHeader {
  uint8_t opcode = 0;
  uint16_t key_length = 0;
  uint8_t extras_length = 0;
  Status status = Status::kSuccess;
  uint32_t body_length = 0;
  uint32_t opaque = 0;
  uint64_t cas = 0;
};

// The 24 bytes of `h` (magic 0x81, raw datatype 0).
void EncodeResponseHeader(const ResponseHeader& h, char* p);
ResponseHeader DecodeResponseHeader(const char* p);

// An error packet with memcached's text for `status` (or `text` if given).
void AppendError(base::OutBuffer& out, const Request& req, Status status,
                 std::string_view text = {});
// Errors found while parsing (ParseResult::kError): only the header is known.
void AppendError(base::OutBuffer& out, const RequestHeader& req, Status status);

// Success without a body (set/add/replace/append/prepend/delete/flush/noop/
// quit/touch-less paths); `cas` of the stored item. Nothing when quiet,
// except for noop/quit which have no quiet form worth hiding.
void AppendSuccess(base::OutBuffer& out, const Request& req, uint64_t cas);

// A get/gat/touch hit: header, flags and (GETK/GATK) key. For a value-bearing
// command the caller appends `value_bytes` of value next; TOUCH carries none.
void AppendGetHit(base::OutBuffer& out, const Request& req, uint32_t client_flags,
                  uint32_t value_bytes, uint64_t cas);
// A get/gat/touch miss: "Not found" (GETK/GATK: the key instead of the
// text); nothing when quiet.
void AppendGetMiss(base::OutBuffer& out, const Request& req);

// incr/decr result: the new value as 8 bytes; nothing when quiet.
void AppendCounter(base::OutBuffer& out, const Request& req, uint64_t value, uint64_t cas);

// VERSION: the version string as the body.
void AppendVersion(base::OutBuffer& out, const Request& req, std::string_view version);

// One statistic, and the empty packet that ends a STAT response.
void AppendStat(base::OutBuffer& out, const Request& req, std::string_view name,
                std::string_view value);
void AppendStatsEnd(base::OutBuffer& out, const Request& req);

}  // namespace ringcache::protocol::binary
