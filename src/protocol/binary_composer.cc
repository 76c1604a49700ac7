#include "ringcache/protocol/binary_composer.h"

#include <cstring>

namespace ringcache::protocol::binary {
namespace {

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
uint16_t Load16(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}
uint32_t Load32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

ResponseHeader For(const RequestHeader& req, Status status) {
  ResponseHeader h;
  h.opcode = req.opcode;
  h.status = status;
  h.opaque = req.opaque;
  return h;
}

// OutBuffer::Append copies with memcpy, which must not see the null pointer
// an empty view may carry.
void AppendBytes(base::OutBuffer& out, std::string_view bytes) {
  if (!bytes.empty()) out.Append(bytes);
}

// Header plus up to `body` bytes written contiguously; returns where the body goes.
char* Begin(base::OutBuffer& out, const ResponseHeader& h, size_t body) {
  char* p = out.Reserve(kHeaderSize + body);
  EncodeResponseHeader(h, p);
  return p + kHeaderSize;
}

}  // namespace

void EncodeResponseHeader(const ResponseHeader& h, char* p) {
  p[0] = static_cast<char>(kResponseMagic);
  p[1] = static_cast<char>(h.opcode);
  Store16(h.key_length, p + 2);
  p[4] = static_cast<char>(h.extras_length);
  p[5] = 0;  // raw bytes
  Store16(static_cast<uint16_t>(h.status), p + 6);
  Store32(h.body_length, p + 8);
  Store32(h.opaque, p + 12);
  Store64(h.cas, p + 16);
}

ResponseHeader DecodeResponseHeader(const char* p) {
  ResponseHeader h;
  h.opcode = static_cast<uint8_t>(p[1]);
  h.key_length = Load16(p + 2);
  h.extras_length = static_cast<uint8_t>(p[4]);
  h.status = static_cast<Status>(Load16(p + 6));
  h.body_length = Load32(p + 8);
  h.opaque = Load32(p + 12);
  h.cas = (uint64_t{Load32(p + 16)} << 32) | Load32(p + 20);
  return h;
}

void AppendError(base::OutBuffer& out, const RequestHeader& req, Status status) {
  const std::string_view text = StatusText(status);
  ResponseHeader h = For(req, status);
  h.body_length = static_cast<uint32_t>(text.size());
  Begin(out, h, 0);
  out.Commit(kHeaderSize);
  AppendBytes(out, text);
}

void AppendError(base::OutBuffer& out, const Request& req, Status status, std::string_view text) {
  if (text.empty()) text = StatusText(status);
  ResponseHeader h = For(req.header, status);
  h.body_length = static_cast<uint32_t>(text.size());
  Begin(out, h, 0);
  out.Commit(kHeaderSize);
  AppendBytes(out, text);
}

void AppendSuccess(base::OutBuffer& out, const Request& req, uint64_t cas) {
  if (req.quiet) return;
  ResponseHeader h = For(req.header, Status::kSuccess);
  h.cas = cas;
  Begin(out, h, 0);
  out.Commit(kHeaderSize);
}

void AppendGetHit(base::OutBuffer& out, const Request& req, uint32_t client_flags,
                  uint32_t value_bytes, uint64_t cas) {
  const bool touch_only = req.command == Opcode::kTouch;
  const size_t key = req.return_key ? req.key.size() : 0;
  ResponseHeader h = For(req.header, Status::kSuccess);
  h.extras_length = 4;
  h.key_length = static_cast<uint16_t>(key);
  h.body_length = static_cast<uint32_t>(4 + key + (touch_only ? 0 : value_bytes));
  h.cas = cas;
  char* body = Begin(out, h, 4 + key);
  Store32(client_flags, body);
  if (key != 0) std::memcpy(body + 4, req.key.data(), key);
  out.Commit(kHeaderSize + 4 + key);
}

void AppendGetMiss(base::OutBuffer& out, const Request& req) {
  if (req.quiet) return;
  if (!req.return_key || req.key.empty()) {
    AppendError(out, req, Status::kKeyNotFound);
    return;
  }
  ResponseHeader h = For(req.header, Status::kKeyNotFound);
  h.key_length = static_cast<uint16_t>(req.key.size());
  h.body_length = static_cast<uint32_t>(req.key.size());
  char* body = Begin(out, h, req.key.size());
  std::memcpy(body, req.key.data(), req.key.size());
  out.Commit(kHeaderSize + req.key.size());
}

void AppendCounter(base::OutBuffer& out, const Request& req, uint64_t value, uint64_t cas) {
  if (req.quiet) return;
  ResponseHeader h = For(req.header, Status::kSuccess);
  h.body_length = 8;
  h.cas = cas;
  char* body = Begin(out, h, 8);
  Store64(value, body);
  out.Commit(kHeaderSize + 8);
}

void AppendVersion(base::OutBuffer& out, const Request& req, std::string_view version) {
  ResponseHeader h = For(req.header, Status::kSuccess);
  h.body_length = static_cast<uint32_t>(version.size());
  Begin(out, h, 0);
  out.Commit(kHeaderSize);
  AppendBytes(out, version);
}

void AppendStat(base::OutBuffer& out, const Request& req, std::string_view name,
                std::string_view value) {
  ResponseHeader h;
  h.opcode = static_cast<uint8_t>(Opcode::kStat);
  h.opaque = req.header.opaque;
  h.key_length = static_cast<uint16_t>(name.size());
  h.body_length = static_cast<uint32_t>(name.size() + value.size());
  Begin(out, h, 0);
  out.Commit(kHeaderSize);
  AppendBytes(out, name);
  AppendBytes(out, value);
}

void AppendStatsEnd(base::OutBuffer& out, const Request& req) { AppendStat(out, req, {}, {}); }

}  // namespace ringcache::protocol::binary
