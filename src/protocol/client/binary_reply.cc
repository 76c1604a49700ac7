// Binary protocol replies: a 24-byte header (magic 0x81) and a body of
// extras, key and value. Multi-byte fields are big-endian.

#include <cstdint>
#include <string_view>

#include "ringcache/protocol/client/reply_parser.h"
#include "scan_internal.h"

namespace ringcache::protocol::client {
namespace {

using internal::Invalid;
using internal::Parsed;

constexpr uint8_t kResponseMagic = 0x81;

// Response statuses (memcached's protocol_binary.h names, our own values
// table).
enum : uint16_t {
  kStatusOk = 0x00,
  kStatusKeyNotFound = 0x01,
  kStatusKeyExists = 0x02,
  kStatusTooLarge = 0x03,
  kStatusInvalidArgs = 0x04,
  kStatusNotStored = 0x05,
  kStatusNonNumeric = 0x06,
  kStatusUnknownCommand = 0x81,
  kStatusNotSupported = 0x83,
};

uint16_t Be16(const unsigned char* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint64_t Be64(const unsigned char* p) { return (uint64_t{Be32(p)} << 32) | Be32(p + 4); }

enum class OpFamily : uint8_t {
  kGet,
  kStore,
  kDelete,
  kArithmetic,
  kTouch,
  kGat,
  kNoop,
  kVersion,
  kOther
};

OpFamily Family(uint8_t opcode) {
  switch (opcode) {
    case 0x00:  // GET
    case 0x09:  // GETQ
    case 0x0c:  // GETK
    case 0x0d:  // GETKQ
      return OpFamily::kGet;
    case 0x01:  // SET
    case 0x02:  // ADD
    case 0x03:  // REPLACE
    case 0x0e:  // APPEND
    case 0x0f:  // PREPEND
    case 0x11:  // SETQ
    case 0x12:  // ADDQ
    case 0x13:  // REPLACEQ
    case 0x19:  // APPENDQ
    case 0x1a:  // PREPENDQ
      return OpFamily::kStore;
    case 0x04:  // DELETE
    case 0x14:  // DELETEQ
      return OpFamily::kDelete;
    case 0x05:  // INCREMENT
    case 0x06:  // DECREMENT
    case 0x15:  // INCREMENTQ
    case 0x16:  // DECREMENTQ
      return OpFamily::kArithmetic;
    case 0x1c:  // TOUCH
      return OpFamily::kTouch;
    case 0x1d:  // GAT
    case 0x1e:  // GATQ
    case 0x23:  // GATK
    case 0x24:  // GATKQ
      return OpFamily::kGat;
    case 0x0a:
      return OpFamily::kNoop;
    case 0x0b:
      return OpFamily::kVersion;
    default:
      return OpFamily::kOther;
  }
}

ReplyKind SuccessKind(OpFamily family) {
  switch (family) {
    case OpFamily::kGet:
    case OpFamily::kGat:
      return ReplyKind::kValue;
    case OpFamily::kStore:
      return ReplyKind::kStored;
    case OpFamily::kDelete:
      return ReplyKind::kDeleted;
    case OpFamily::kArithmetic:
      return ReplyKind::kNumber;
    case OpFamily::kTouch:
      return ReplyKind::kTouched;
    case OpFamily::kNoop:
      return ReplyKind::kNoop;
    case OpFamily::kVersion:
      return ReplyKind::kVersion;
    case OpFamily::kOther:
      break;
  }
  return ReplyKind::kOk;
}

ReplyKind FailureKind(uint16_t status, OpFamily family) {
  switch (status) {
    case kStatusKeyNotFound:
      return family == OpFamily::kGet || family == OpFamily::kGat ? ReplyKind::kMiss
                                                                  : ReplyKind::kNotFound;
    case kStatusKeyExists:
      return ReplyKind::kExists;
    case kStatusNotStored:
      return ReplyKind::kNotStored;
    case kStatusInvalidArgs:
    case kStatusNonNumeric:
      return ReplyKind::kClientError;
    case kStatusUnknownCommand:
    case kStatusNotSupported:
      return ReplyKind::kError;
    case kStatusTooLarge:  // the text protocol says SERVER_ERROR object too large
    default:               // out of memory, internal error, busy, ...
      return ReplyKind::kServerError;
  }
}

}  // namespace

ParseResult ParseBinaryReply(std::string_view in, Reply* out) {
  if (in.size() < kBinaryHeaderSize) return internal::Incomplete(kBinaryHeaderSize);
  const auto* h = reinterpret_cast<const unsigned char*>(in.data());
  if (h[0] != kResponseMagic) return Invalid();
  const uint16_t key_len = Be16(h + 2);
  const uint8_t extras_len = h[4];
  const uint32_t body_len = Be32(h + 8);
  if (uint64_t{key_len} + extras_len > body_len) return Invalid();
  const size_t total = kBinaryHeaderSize + size_t{body_len};
  if (in.size() < total) return internal::Incomplete(total);

  internal::Reset(out);
  out->binary_opcode = h[1];
  out->binary_status = Be16(h + 6);
  out->binary_opaque = Be32(h + 12);
  out->cas = Be64(h + 16);
  const std::string_view extras = in.substr(kBinaryHeaderSize, extras_len);
  const std::string_view key = in.substr(kBinaryHeaderSize + extras_len, key_len);
  const std::string_view value =
      in.substr(kBinaryHeaderSize + extras_len + key_len, body_len - extras_len - key_len);
  const OpFamily family = Family(out->binary_opcode);
  if (out->binary_status != kStatusOk) {
    out->kind = FailureKind(out->binary_status, family);
    out->key = key;
    out->message = value;  // memcached puts a short text ("Not found") here
    return Parsed(total);
  }
  out->kind = SuccessKind(family);
  out->key = key;
  switch (out->kind) {
    case ReplyKind::kValue:
      if (extras.size() == 4) {
        out->flags = Be32(reinterpret_cast<const unsigned char*>(extras.data()));
      } else if (!extras.empty()) {
        return Invalid();
      }
      out->value = value;
      break;
    case ReplyKind::kNumber:
      if (value.size() != 8) return Invalid();
      out->number = Be64(reinterpret_cast<const unsigned char*>(value.data()));
      break;
    case ReplyKind::kVersion:
      out->message = value;
      break;
    default:
      out->value = value;
      break;
  }
  return Parsed(total);
}

}  // namespace ringcache::protocol::client
