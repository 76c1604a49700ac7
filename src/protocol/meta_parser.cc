// The meta commands (mg, ms, md, ma, mn, me) as memcached 1.6.18 reads them.
//
// memcached runs one flag pre-parser for every meta command
// (_meta_flag_preparse) and then per-command checks; the error a bad line
// gets depends on that order (a duplicate or unknown flag ends the scan at
// once, a bad numeric token is remembered and the scan goes on, md and ma
// replace every pre-parse error by one generic line, ms skips the value
// block only for errors found after its length was read). The functions
// below keep that order.

#include "parse_internal.h"
#include "ringcache/protocol/base64.h"

namespace ringcache::protocol {

bool MetaRequest::SetBase64Key(std::string_view encoded) {
  const size_t n = Base64Decode(encoded, binary_key_, sizeof(binary_key_));
  binary_key_len_ = static_cast<uint8_t>(n);
  key_binary_ = true;
  return n != 0;
}

namespace internal {
namespace {

// Reads the flags t[start..] into `m`. Returns kNone, or the error memcached
// reports; a bad token's error is its own line or, for F, the caller's
// default (kBadCommandLineFormat).
ProtocolError ParseFlags(const TokenList& t, size_t start, MetaRequest* m) {
  ProtocolError remembered = ProtocolError::kNone;
  bool failed = false;
  auto bad = [&](ProtocolError e) {
    remembered = e;
    failed = true;
  };
  for (size_t i = start; i < t.count; ++i) {
    const std::string_view token = t.token[i];
    const char flag = token[0];
    // Bytes >= 127 land in memcached's "seen" test and read as duplicates.
    if (static_cast<unsigned char>(flag) >= 127 || m->flags.has(flag)) {
      return ProtocolError::kMetaDuplicateFlag;
    }
    const std::string_view arg = token.substr(1);
    switch (flag) {
      case 'b':
        if (!m->SetBase64Key(m->key())) bad(ProtocolError::kMetaKeyDecode);
        break;
      case 'N':
        if (!TokenToI32(arg, &m->vivify_ttl)) bad(ProtocolError::kMetaBadToken);
        break;
      case 'T':
        if (!TokenToI32(arg, &m->ttl)) bad(ProtocolError::kMetaBadToken);
        break;
      case 'R':
        if (!TokenToI32(arg, &m->recache_ttl)) bad(ProtocolError::kMetaBadToken);
        break;
      case 'O':
        m->opaque = token;
        break;
      case 'F':
        if (!TokenToU32(arg, &m->client_flags)) failed = true;
        break;
      case 'C':
        if (!TokenToU64(arg, &m->compare_cas)) bad(ProtocolError::kMetaBadToken);
        break;
      case 'M':
        if (token.size() != 2) {
          bad(ProtocolError::kMetaModeLength);
        } else {
          m->mode = token[1];
        }
        break;
      case 'J':
        if (!TokenToU64(arg, &m->initial)) bad(ProtocolError::kMetaInvalidInitial);
        break;
      case 'D':
        if (!TokenToU64(arg, &m->delta)) bad(ProtocolError::kMetaInvalidDelta);
        break;
      case 'P':  // proxy hints: accepted and ignored
      case 'L':
      case 'l':
      case 'k':
      case 's':
      case 't':
      case 'c':
      case 'f':
      case 'v':
      case 'h':
      case 'u':
      case 'q':
      case 'I':
        break;
      default:
        return ProtocolError::kMetaInvalidFlag;
    }
    m->flags.set(flag);
    m->order[m->flag_count++] = flag;
  }
  if (!failed) return ProtocolError::kNone;
  return remembered != ProtocolError::kNone ? remembered : ProtocolError::kBadCommandLineFormat;
}

bool OpaqueTooLong(const MetaRequest& m) { return m.opaque.size() > kMaxOpaqueTokenLength; }

// Common start of mg, md, ma: at least a key, key length, token count.
ProtocolError CheckKeyAndCount(const TokenList& t, ProtocolError too_many) {
  if (t.ntokens() < 3) return ProtocolError::kError;
  if (t[1].size() > kMaxKeyLength) return ProtocolError::kBadCommandLineFormat;
  if (t.ntokens() > kMaxMetaTokens) return too_many;
  return ProtocolError::kNone;
}

ParseResult ParseMetaGet(const TokenList& t, size_t consumed, TextRequest* req) {
  ProtocolError e = CheckKeyAndCount(t, ProtocolError::kMetaGetFlagsTooLong);
  if (e != ProtocolError::kNone) return Fail(e, consumed);
  MetaRequest& m = req->meta;
  m.ResetFlags();
  m.SetTextKey(t[1]);
  e = ParseFlags(t, 2, &m);
  if (e != ProtocolError::kNone) return Fail(e, consumed);
  // memcached finds this while writing the reply, so a hit or a miss alike
  // ends in this error; it is refused here before anything is done.
  if (OpaqueTooLong(m)) return Fail(ProtocolError::kMetaOpaqueTooLong, consumed);
  req->command = TextCommand::kMetaGet;
  return Done(consumed);
}

ParseResult ParseMetaSet(const TokenList& t, size_t consumed, TextRequest* req) {
  if (t.ntokens() < 3) return Fail(ProtocolError::kError, consumed);
  if (t[1].size() > kMaxKeyLength || t.ntokens() == 3) {
    return Fail(ProtocolError::kBadCommandLineFormat, consumed);
  }
  if (t.ntokens() > kMaxMetaTokens) return Fail(ProtocolError::kMetaFlagsTooLong, consumed);
  int32_t length;
  if (!TokenToI32(t[2], &length) || length < 0 || static_cast<uint32_t>(length) > kMaxValueLength) {
    return Fail(ProtocolError::kBadCommandLineFormat, consumed);
  }
  // From here on memcached skips the value block after an error.
  const uint32_t swallow = static_cast<uint32_t>(length) + 2;
  MetaRequest& m = req->meta;
  m.ResetFlags();
  m.SetTextKey(t[1]);
  m.value_bytes = static_cast<uint32_t>(length);
  ProtocolError e = ParseFlags(t, 3, &m);
  if (e != ProtocolError::kNone) return Fail(e, consumed, false, swallow);
  switch (m.mode) {
    case 0:
    case 'S':
      m.store_kind = StoreKind::kSet;
      break;
    case 'E':
      m.store_kind = StoreKind::kAdd;
      break;
    case 'A':
      m.store_kind = StoreKind::kAppend;
      break;
    case 'P':
      m.store_kind = StoreKind::kPrepend;
      break;
    case 'R':
      m.store_kind = StoreKind::kReplace;
      break;
    default:
      return Fail(ProtocolError::kMetaInvalidSetMode, consumed, false, swallow);
  }
  if (OpaqueTooLong(m)) return Fail(ProtocolError::kMetaOpaqueTooLong, consumed, false, swallow);
  // A compare CAS turns set and replace into cas (append/prepend/add keep
  // their mode and check the CAS themselves).
  if (m.has('C') && (m.store_kind == StoreKind::kSet || m.store_kind == StoreKind::kReplace)) {
    m.store_kind = StoreKind::kCas;
  }
  req->command = TextCommand::kMetaSet;
  return Done(consumed);
}

ParseResult ParseMetaDelete(const TokenList& t, size_t consumed, TextRequest* req) {
  ProtocolError e = CheckKeyAndCount(t, ProtocolError::kMetaFlagsTooLong);
  if (e != ProtocolError::kNone) return Fail(e, consumed);
  MetaRequest& m = req->meta;
  m.ResetFlags();
  m.SetTextKey(t[1]);
  if (ParseFlags(t, 2, &m) != ProtocolError::kNone) {
    return Fail(ProtocolError::kMetaInvalidOrDuplicate, consumed);
  }
  if (OpaqueTooLong(m)) return Fail(ProtocolError::kMetaOpaqueTooLong, consumed);
  req->command = TextCommand::kMetaDelete;
  return Done(consumed);
}

ParseResult ParseMetaArithmetic(const TokenList& t, size_t consumed, TextRequest* req) {
  ProtocolError e = CheckKeyAndCount(t, ProtocolError::kMetaFlagsTooLong);
  if (e != ProtocolError::kNone) return Fail(e, consumed);
  MetaRequest& m = req->meta;
  m.ResetFlags();
  m.SetTextKey(t[1]);
  if (ParseFlags(t, 2, &m) != ProtocolError::kNone) {
    return Fail(ProtocolError::kMetaInvalidOrDuplicate, consumed);
  }
  switch (m.mode) {
    case 0:
    case 'I':
    case '+':
      m.incr = true;
      break;
    case 'D':
    case '-':
      m.incr = false;
      break;
    default:
      return Fail(ProtocolError::kMetaInvalidArithMode, consumed);
  }
  // memcached notices a long opaque only after applying the delta; refusing
  // first sends the same line without the side effect.
  if (OpaqueTooLong(m)) return Fail(ProtocolError::kMetaOpaqueTooLong, consumed);
  req->command = TextCommand::kMetaArithmetic;
  return Done(consumed);
}

// me <key> [b]
ParseResult ParseMetaDebug(const TokenList& t, size_t consumed, TextRequest* req) {
  if (t.ntokens() < 3 || t[1].size() > kMaxKeyLength) {
    return Fail(ProtocolError::kBadCommandLineFormat, consumed);
  }
  MetaRequest& m = req->meta;
  m.ResetFlags();
  m.SetTextKey(t[1]);
  if (t.ntokens() >= 4 && t[2] == "b") {
    if (!m.SetBase64Key(t[1])) return Fail(ProtocolError::kBadCommandLineFormat, consumed);
    m.flags.set('b');
  }
  req->command = TextCommand::kMetaDebug;
  return Done(consumed);
}

}  // namespace

ParseResult ParseMeta(char sub, const TokenList& t, size_t consumed, TextRequest* req) {
  switch (sub) {
    case 'g':
      return ParseMetaGet(t, consumed, req);
    case 's':
      return ParseMetaSet(t, consumed, req);
    case 'd':
      return ParseMetaDelete(t, consumed, req);
    case 'a':
      return ParseMetaArithmetic(t, consumed, req);
    case 'n':
      req->command = TextCommand::kMetaNoop;
      return Done(consumed);
    case 'e':
      return ParseMetaDebug(t, consumed, req);
    default:
      return Fail(ProtocolError::kError, consumed);
  }
}

}  // namespace internal
}  // namespace ringcache::protocol
