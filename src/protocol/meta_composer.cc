#include "ringcache/protocol/meta_composer.h"

#include <cstring>

#include "ringcache/base/numeric.h"
#include "ringcache/protocol/base64.h"

namespace ringcache::protocol {
namespace {

// Longest meta reply line: the code and size, at most 17 return flags of
// which one key (250 bytes, or a 186-byte binary key as 248 base64 bytes
// plus " b") and one 32-byte opaque, the Z X W markers and "\r\n", plus
// ma's number line. Well under a kilobyte.
constexpr size_t kMaxMetaLine = 1024;

// Formats one reply line into space reserved in the output buffer.
class LineWriter {
 public:
  explicit LineWriter(base::OutBuffer& out)
      : out_(out), start_(out.Reserve(kMaxMetaLine)), p_(start_) {}

  void Put(std::string_view s) {
    if (s.empty()) return;  // may hold a null pointer
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void Number(uint64_t v) { p_ += base::FormatU64(v, p_); }
  void SignedNumber(int64_t v) { p_ += base::FormatI64(v, p_); }
  // " <letter><number>"
  void Flag(char letter, uint64_t v) {
    p_[0] = ' ';
    p_[1] = letter;
    p_ += 2;
    Number(v);
  }
  void Marker(char letter) {
    p_[0] = ' ';
    p_[1] = letter;
    p_ += 2;
  }
  void Opaque(std::string_view token) {
    *p_++ = ' ';
    Put(token);
  }
  // " k<key>", or " k<base64 key> b" for a binary key.
  void Key(std::string_view key, bool binary) {
    Marker('k');
    if (binary) {
      p_ += Base64Encode(key, p_);
      Put(" b");
    } else {
      Put(key);
    }
  }
  void Ttl(base::RelTime exptime, base::RelTime now) {
    Marker('t');
    SignedNumber(MetaTtl(exptime, now));
  }
  void Code(MetaStatus status) {
    switch (status) {
      case MetaStatus::kHd:
        Put("HD");
        break;
      case MetaStatus::kNs:
        Put("NS");
        break;
      case MetaStatus::kEx:
        Put("EX");
        break;
      case MetaStatus::kNf:
        Put("NF");
        break;
    }
  }
  void Finish() {
    Put("\r\n");
    out_.Commit(static_cast<size_t>(p_ - start_));
  }

 private:
  base::OutBuffer& out_;
  char* const start_;
  char* p_;
};

// Codes other than the nominal one carry only the opaque and the key.
void OpaqueAndKey(LineWriter& w, const MetaRequest& req) {
  for (uint8_t i = 0; i < req.flag_count; ++i) {
    if (req.order[i] == 'O') {
      w.Opaque(req.opaque);
    } else if (req.order[i] == 'k') {
      w.Key(req.key(), req.key_binary());
    }
  }
}

}  // namespace

void AppendMetaGetHit(base::OutBuffer& out, const MetaRequest& req, const MetaItemInfo& item) {
  LineWriter w(out);
  if (req.want_value()) {
    w.Put("VA ");
    w.Number(item.value_bytes);
  } else {
    w.Put("HD");
  }
  base::RelTime exptime = item.exptime_before;
  for (uint8_t i = 0; i < req.flag_count; ++i) {
    switch (req.order[i]) {
      case 'T':
        exptime = item.exptime;
        break;
      case 'N':
        if (item.created) exptime = item.exptime;
        break;
      case 's':
        w.Flag('s', item.value_bytes);
        break;
      case 't':
        w.Ttl(exptime, item.now);
        break;
      case 'c':
        w.Flag('c', item.cas);
        break;
      case 'f':
        w.Flag('f', item.client_flags);
        break;
      case 'l':
        w.Flag('l', static_cast<uint32_t>(item.now - item.last_access));
        break;
      case 'h':
        w.Flag('h', item.fetched ? 1 : 0);
        break;
      case 'O':
        w.Opaque(req.opaque);
        break;
      case 'k':
        w.Key(item.key, item.key_binary);
        break;
      default:
        break;
    }
  }
  if (item.lost) w.Marker('Z');
  if (item.stale) w.Marker('X');
  if (item.won) w.Marker('W');
  w.Finish();
}

void AppendMetaGetMiss(base::OutBuffer& out, const MetaRequest& req) {
  if (req.quiet()) return;
  LineWriter w(out);
  w.Put("EN");
  OpaqueAndKey(w, req);
  w.Finish();
}

void AppendMetaSetReply(base::OutBuffer& out, const MetaRequest& req, MetaStatus status,
                        uint64_t cas) {
  if (status == MetaStatus::kHd && req.quiet()) return;
  LineWriter w(out);
  w.Code(status);
  for (uint8_t i = 0; i < req.flag_count; ++i) {
    switch (req.order[i]) {
      case 'O':
        w.Opaque(req.opaque);
        break;
      case 'k':
        w.Key(req.key(), req.key_binary());
        break;
      case 'c':
        w.Flag('c', cas);
        break;
      default:
        break;
    }
  }
  w.Finish();
}

void AppendMetaDeleteReply(base::OutBuffer& out, const MetaRequest& req, MetaStatus status) {
  if (status == MetaStatus::kHd && req.quiet()) return;
  LineWriter w(out);
  w.Code(status);
  OpaqueAndKey(w, req);
  w.Finish();
}

void AppendMetaArithReply(base::OutBuffer& out, const MetaRequest& req, MetaStatus status,
                          const MetaArithInfo& info) {
  if (status != MetaStatus::kHd) {
    LineWriter w(out);
    w.Code(status);
    OpaqueAndKey(w, req);
    w.Finish();
    return;
  }
  // memcached marks only an applied delta as quiet, not an item N created.
  if (req.quiet() && !info.created) return;
  char number[base::kMaxU64Digits];
  const size_t number_len = base::FormatU64(info.value, number);
  LineWriter w(out);
  if (req.want_value()) {
    w.Put("VA ");
    w.Number(number_len);
  } else {
    w.Put("HD");
  }
  base::RelTime exptime = info.exptime_before;
  for (uint8_t i = 0; i < req.flag_count; ++i) {
    switch (req.order[i]) {
      case 'c':
        w.Flag('c', info.cas);
        break;
      case 't':
        w.Ttl(exptime, info.now);
        break;
      case 'T':
        exptime = info.exptime;
        break;
      case 'N':
        if (info.created) exptime = info.exptime;
        break;
      case 'O':
        w.Opaque(req.opaque);
        break;
      case 'k':
        w.Key(req.key(), req.key_binary());
        break;
      default:
        break;
    }
  }
  if (req.want_value()) {
    w.Put("\r\n");
    w.Put(std::string_view(number, number_len));
  }
  w.Finish();
}

void AppendMetaDebug(base::OutBuffer& out, const MetaDebugInfo& info) {
  LineWriter w(out);
  w.Put("ME ");
  if (info.key_binary) {
    char encoded[Base64EncodedSize(kMaxKeyLength)];
    w.Put(std::string_view(encoded, Base64Encode(info.key.substr(0, kMaxKeyLength), encoded)));
  } else {
    w.Put(info.key.substr(0, kMaxKeyLength));
  }
  // memcached prints now - exptime through %d: a future expiry is negative.
  w.Put(" exp=");
  w.SignedNumber(info.exptime == 0
                     ? -1
                     : static_cast<int32_t>(static_cast<uint32_t>(info.now - info.exptime)));
  w.Put(" la=");
  w.Number(static_cast<uint32_t>(info.now - info.last_access));
  w.Put(" cas=");
  w.Number(info.cas);
  w.Put(info.fetched ? " fetch=yes" : " fetch=no");
  w.Put(" cls=");
  w.Number(info.size_class);
  w.Put(" size=");
  w.Number(info.total_size);
  w.Finish();
}

}  // namespace ringcache::protocol
