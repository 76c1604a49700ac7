// The binary request parser: memcached 1.6.18's try_read_command_binary and
// the length checks of dispatch_bin_command, per opcode.
#include <cstring>

#include "ringcache/protocol/binary.h"
#include "ringcache/protocol/limits.h"

namespace ringcache::protocol::binary {
namespace {

uint16_t Load16(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}
uint32_t Load32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}
uint64_t Load64(const char* p) { return (uint64_t{Load32(p)} << 32) | Load32(p + 4); }

void Store16(uint16_t v, char* p) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
}
void Store32(uint32_t v, char* p) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (24 - 8 * i));
}
void Store64(uint64_t v, char* p) {
  Store32(static_cast<uint32_t>(v >> 32), p);
  Store32(static_cast<uint32_t>(v), p + 4);
}

ParseResult Error(Status status, bool close, uint32_t swallow, size_t consumed) {
  ParseResult r;
  r.status = ParseStatus::kError;
  r.error = status;
  r.close = close;
  r.swallow = swallow;
  r.consumed = consumed;
  return r;
}

// Quiet opcodes map to their plain command.
bool Unquiet(uint8_t opcode, Opcode* command) {
  switch (static_cast<Opcode>(opcode)) {
    case Opcode::kSetQ:
      *command = Opcode::kSet;
      return true;
    case Opcode::kAddQ:
      *command = Opcode::kAdd;
      return true;
    case Opcode::kReplaceQ:
      *command = Opcode::kReplace;
      return true;
    case Opcode::kDeleteQ:
      *command = Opcode::kDelete;
      return true;
    case Opcode::kIncrementQ:
      *command = Opcode::kIncrement;
      return true;
    case Opcode::kDecrementQ:
      *command = Opcode::kDecrement;
      return true;
    case Opcode::kQuitQ:
      *command = Opcode::kQuit;
      return true;
    case Opcode::kFlushQ:
      *command = Opcode::kFlush;
      return true;
    case Opcode::kAppendQ:
      *command = Opcode::kAppend;
      return true;
    case Opcode::kPrependQ:
      *command = Opcode::kPrepend;
      return true;
    case Opcode::kGetQ:
      *command = Opcode::kGet;
      return true;
    case Opcode::kGetKQ:
      *command = Opcode::kGetK;
      return true;
    case Opcode::kGatQ:
      *command = Opcode::kGat;
      return true;
    case Opcode::kGatKQ:
      *command = Opcode::kGatK;
      return true;
    default:
      *command = static_cast<Opcode>(opcode);
      return false;
  }
}

}  // namespace

RequestHeader DecodeRequestHeader(const char* p) {
  RequestHeader h;
  h.magic = static_cast<uint8_t>(p[0]);
  h.opcode = static_cast<uint8_t>(p[1]);
  h.key_length = Load16(p + 2);
  h.extras_length = static_cast<uint8_t>(p[4]);
  h.data_type = static_cast<uint8_t>(p[5]);
  h.vbucket = Load16(p + 6);
  h.body_length = Load32(p + 8);
  h.opaque = Load32(p + 12);
  h.cas = Load64(p + 16);
  return h;
}

void EncodeRequestHeader(const RequestHeader& h, char* p) {
  p[0] = static_cast<char>(h.magic);
  p[1] = static_cast<char>(h.opcode);
  Store16(h.key_length, p + 2);
  p[4] = static_cast<char>(h.extras_length);
  p[5] = static_cast<char>(h.data_type);
  Store16(h.vbucket, p + 6);
  Store32(h.body_length, p + 8);
  Store32(h.opaque, p + 12);
  Store64(h.cas, p + 16);
}

ParseResult ParseRequest(std::string_view data, Request* req) {
  if (data.size() < kHeaderSize) return ParseResult{};
  if (static_cast<uint8_t>(data[0]) != kRequestMagic) {
    ParseResult r;
    r.status = ParseStatus::kClose;
    return r;
  }
  const RequestHeader h = DecodeRequestHeader(data.data());
  const size_t ext = h.extras_length;
  const size_t keylen = h.key_length;
  const size_t consumed = kHeaderSize + ext + keylen;
  if (data.size() < consumed) return ParseResult{};

  req->header = h;
  req->extras = data.substr(kHeaderSize, ext);
  req->key = data.substr(kHeaderSize + ext, keylen);
  req->value_bytes = 0;
  const uint32_t body = h.body_length;
  if (keylen > body || keylen + ext > body) {
    return Error(Status::kUnknownCommand, true, 0, consumed);
  }
  if (keylen > kMaxKeyLength) return Error(Status::kInvalidArguments, true, 0, consumed);

  Opcode command;
  req->quiet = Unquiet(h.opcode, &command);
  req->command = command;
  req->return_key = command == Opcode::kGetK || command == Opcode::kGatK;
  const char* x = req->extras.data();
  bool valid;
  switch (command) {
    case Opcode::kVersion:
    case Opcode::kNoop:
    case Opcode::kQuit:
    case Opcode::kSaslListMechs:
      valid = ext == 0 && keylen == 0 && body == 0;
      break;
    case Opcode::kFlush:
      valid = keylen == 0 && body == ext && (ext == 0 || ext == 4);
      req->has_exptime = ext == 4;
      req->exptime = ext == 4 ? Load32(x) : 0;
      break;
    case Opcode::kSet:
    case Opcode::kAdd:
    case Opcode::kReplace:
      valid = ext == 8 && keylen != 0 && body >= keylen + 8;
      if (valid) {
        req->client_flags = Load32(x);
        req->exptime = Load32(x + 4);
        req->value_bytes = static_cast<uint32_t>(body - keylen - ext);
      }
      break;
    case Opcode::kGet:
    case Opcode::kGetK:
      valid = ext == 0 && body == keylen && keylen > 0;
      break;
    case Opcode::kDelete:
      valid = keylen > 0 && ext == 0 && body == keylen;
      break;
    case Opcode::kIncrement:
    case Opcode::kDecrement:
      valid = keylen > 0 && ext == 20 && body == keylen + ext;
      if (valid) {
        req->delta = Load64(x);
        req->initial = Load64(x + 8);
        req->exptime = Load32(x + 16);
      }
      break;
    case Opcode::kAppend:
    case Opcode::kPrepend:
      valid = keylen > 0 && ext == 0;
      if (valid) req->value_bytes = static_cast<uint32_t>(body - keylen);
      break;
    case Opcode::kStat:
      // The key names the group ("settings", "items", "detail dump", ...).
      valid = ext == 0;
      break;
    case Opcode::kSaslAuth:
    case Opcode::kSaslStep:
      valid = ext == 0 && keylen != 0;
      if (valid) req->value_bytes = static_cast<uint32_t>(body - keylen);
      break;
    case Opcode::kTouch:
    case Opcode::kGat:
    case Opcode::kGatK:
      valid = ext == 4 && keylen != 0;
      if (valid) req->exptime = Load32(x);
      break;
    default:
      // memcached skips body_length more bytes after the header, extras and
      // key it has already taken.
      return Error(Status::kUnknownCommand, false, body, consumed);
  }
  if (!valid) return Error(Status::kInvalidArguments, true, 0, consumed);
  ParseResult r;
  r.status = ParseStatus::kRequest;
  r.consumed = consumed;
  return r;
}

std::string_view StatusText(Status status) {
  switch (status) {
    case Status::kSuccess:
      return "";
    case Status::kOutOfMemory:
      return "Out of memory";
    case Status::kUnknownCommand:
      return "Unknown command";
    case Status::kKeyNotFound:
      return "Not found";
    case Status::kInvalidArguments:
      return "Invalid arguments";
    case Status::kKeyExists:
      return "Data exists for key.";
    case Status::kTooLarge:
      return "Too large.";
    case Status::kDeltaBadValue:
      return "Non-numeric server-side value for incr or decr";
    case Status::kNotStored:
      return "Not stored.";
    case Status::kAuthError:
      return "Auth failure.";
    case Status::kAuthContinue:
      return "";
  }
  return "UNHANDLED ERROR";
}

}  // namespace ringcache::protocol::binary
