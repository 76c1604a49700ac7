// Request composers of the three protocols (see request.h).

#include "ringcache/protocol/client/request.h"

#include <cstring>

#include "ringcache/base/compiler.h"
#include "ringcache/base/numeric.h"

namespace ringcache::protocol::client {
namespace {

RC_ALWAYS_INLINE char* Put(char* out, std::string_view bytes) {
  std::memcpy(out, bytes.data(), bytes.size());
  return out + bytes.size();
}
RC_ALWAYS_INLINE char* PutU64(char* out, uint64_t v) { return out + base::FormatU64(v, out); }

// --- text ------------------------------------------------------------------

char* TextGet(std::span<const std::string_view> keys, char* out) {
  out = Put(out, "get");
  for (const std::string_view key : keys) {
    *out++ = ' ';
    out = Put(out, key);
  }
  return Put(out, "\r\n");
}

char* TextBeginStore(std::string_view key, uint32_t flags, uint32_t exptime, size_t len,
                     char* out) {
  out = Put(out, "set ");
  out = Put(out, key);
  *out++ = ' ';
  out = PutU64(out, flags);
  *out++ = ' ';
  out = PutU64(out, exptime);
  *out++ = ' ';
  out = PutU64(out, len);
  return Put(out, "\r\n");
}

char* TextKeyCommand(std::string_view command, std::string_view key, char* out) {
  out = Put(out, command);
  return Put(out, key);
}

// --- meta ------------------------------------------------------------------

char* MetaGet(std::span<const std::string_view> keys, char* out) {
  if (keys.size() == 1) {
    out = Put(out, "mg ");
    out = Put(out, keys[0]);
    return Put(out, " v f\r\n");
  }
  // Quiet gets answer only hits, each naming its key; mn marks the end.
  for (const std::string_view key : keys) {
    out = Put(out, "mg ");
    out = Put(out, key);
    out = Put(out, " v f k q\r\n");
  }
  return Put(out, "mn\r\n");
}

char* MetaBeginStore(std::string_view key, uint32_t flags, uint32_t exptime, size_t len,
                     char* out) {
  out = Put(out, "ms ");
  out = Put(out, key);
  *out++ = ' ';
  out = PutU64(out, len);
  // Zero is each flag's default; leaving it out keeps requests short.
  if (flags != 0) {
    out = Put(out, " F");
    out = PutU64(out, flags);
  }
  if (exptime != 0) {
    out = Put(out, " T");
    out = PutU64(out, exptime);
  }
  return Put(out, "\r\n");
}

// --- binary ----------------------------------------------------------------

constexpr uint8_t kRequestMagic = 0x80;

RC_ALWAYS_INLINE void PutBe16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
}
RC_ALWAYS_INLINE void PutBe32(char* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v);
}
RC_ALWAYS_INLINE void PutBe64(char* p, uint64_t v) {
  PutBe32(p, static_cast<uint32_t>(v >> 32));
  PutBe32(p + 4, static_cast<uint32_t>(v));
}

// Writes a request header whose body is extras + key + `value_len` bytes;
// returns where the extras go.
RC_ALWAYS_INLINE char* BinaryHeader(uint8_t opcode, size_t key_len, uint8_t extras_len,
                                    size_t value_len, char* out) {
  std::memset(out, 0, kBinaryHeaderSize);
  out[0] = static_cast<char>(kRequestMagic);
  out[1] = static_cast<char>(opcode);
  PutBe16(out + 2, static_cast<uint16_t>(key_len));
  out[4] = static_cast<char>(extras_len);
  PutBe32(out + 8, static_cast<uint32_t>(extras_len + key_len + value_len));
  return out + kBinaryHeaderSize;
}

char* BinaryGet(std::span<const std::string_view> keys, char* out) {
  if (keys.size() == 1) {
    out = BinaryHeader(binary_opcode::kGet, keys[0].size(), 0, 0, out);
    return Put(out, keys[0]);
  }
  for (const std::string_view key : keys) {
    out = BinaryHeader(binary_opcode::kGetKQ, key.size(), 0, 0, out);
    out = Put(out, key);
  }
  return BinaryHeader(binary_opcode::kNoop, 0, 0, 0, out);
}

}  // namespace

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kText:
      return "text";
    case Protocol::kMeta:
      return "meta";
    case Protocol::kBinary:
      return "binary";
  }
  return "?";
}

bool ParseProtocol(std::string_view name, Protocol* out) {
  for (const Protocol p : {Protocol::kText, Protocol::kMeta, Protocol::kBinary}) {
    if (name == ProtocolName(p)) {
      *out = p;
      return true;
    }
  }
  return false;
}

size_t RequestComposer::MaxGetSize(size_t key_count, size_t total_key_bytes) {
  // The largest of: text "get" + " key"*n + "\r\n"; meta ("mg " key
  // " v f k q\r\n")*n + "mn\r\n"; binary (24 + key)*n + 24.
  return total_key_bytes + kBinaryHeaderSize * (key_count + 1);
}

size_t RequestComposer::MaxStoreSize(size_t key_size, size_t value_size) {
  // text: "set " key " " flags(10) " " exptime(10) " " len(20) "\r\n" value "\r\n".
  return 4 + key_size + 3 + 10 + 10 + base::kMaxU64Digits + 2 + value_size + 2;
}

size_t RequestComposer::MaxKeyCommandSize(size_t key_size) {
  // binary incr: 24 + 20 extras + key; text "delete "/"touch "/"incr " key " " 20 "\r\n".
  return kBinaryHeaderSize + 20 + key_size;
}

char* RequestComposer::Get(std::span<const std::string_view> keys, char* out) const {
  switch (protocol_) {
    case Protocol::kText:
      return TextGet(keys, out);
    case Protocol::kMeta:
      return MetaGet(keys, out);
    case Protocol::kBinary:
      return BinaryGet(keys, out);
  }
  return out;
}

char* RequestComposer::BeginStore(std::string_view key, uint32_t flags, uint32_t exptime,
                                  size_t value_len, char* out) const {
  switch (protocol_) {
    case Protocol::kText:
      return TextBeginStore(key, flags, exptime, value_len, out);
    case Protocol::kMeta:
      return MetaBeginStore(key, flags, exptime, value_len, out);
    case Protocol::kBinary:
      out = BinaryHeader(binary_opcode::kSet, key.size(), 8, value_len, out);
      PutBe32(out, flags);
      PutBe32(out + 4, exptime);
      return Put(out + 8, key);
  }
  return out;
}

char* RequestComposer::EndStore(char* value_end) const {
  return protocol_ == Protocol::kBinary ? value_end : Put(value_end, "\r\n");
}

char* RequestComposer::Delete(std::string_view key, char* out) const {
  switch (protocol_) {
    case Protocol::kText:
      return Put(TextKeyCommand("delete ", key, out), "\r\n");
    case Protocol::kMeta:
      return Put(TextKeyCommand("md ", key, out), "\r\n");
    case Protocol::kBinary:
      return Put(BinaryHeader(binary_opcode::kDelete, key.size(), 0, 0, out), key);
  }
  return out;
}

char* RequestComposer::Incr(std::string_view key, uint64_t delta, char* out) const {
  switch (protocol_) {
    case Protocol::kText:
      out = TextKeyCommand("incr ", key, out);
      *out++ = ' ';
      return Put(PutU64(out, delta), "\r\n");
    case Protocol::kMeta:
      out = TextKeyCommand("ma ", key, out);
      out = Put(out, " D");
      return Put(PutU64(out, delta), "\r\n");
    case Protocol::kBinary:
      out = BinaryHeader(binary_opcode::kIncrement, key.size(), 20, 0, out);
      PutBe64(out, delta);
      PutBe64(out + 8, 0);     // initial value (unused: see exptime)
      PutBe32(out + 16, ~0u);  // 0xffffffff: fail on a missing key
      return Put(out + 20, key);
  }
  return out;
}

char* RequestComposer::Touch(std::string_view key, uint32_t exptime, char* out) const {
  switch (protocol_) {
    case Protocol::kText:
      out = TextKeyCommand("touch ", key, out);
      *out++ = ' ';
      return Put(PutU64(out, exptime), "\r\n");
    case Protocol::kMeta:
      out = TextKeyCommand("mg ", key, out);
      out = Put(out, " T");
      return Put(PutU64(out, exptime), "\r\n");
    case Protocol::kBinary:
      out = BinaryHeader(binary_opcode::kTouch, key.size(), 4, 0, out);
      PutBe32(out, exptime);
      return Put(out + 4, key);
  }
  return out;
}

}  // namespace ringcache::protocol::client
