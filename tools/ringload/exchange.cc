#include "exchange.h"

namespace ringcache::ringload {
namespace {

using protocol::client::Protocol;
using protocol::client::Reply;
using protocol::client::ReplyKind;

Step Done(bool hit = false) { return {Step::kDone, hit, false, ErrorKind::kProtocol}; }
Step Partial(bool hit) { return {Step::kPartial, hit, false, ErrorKind::kProtocol}; }
Step Fatal() { return {Step::kFatal, false, true, ErrorKind::kProtocol}; }
Step Failed(Step::Kind kind, ErrorKind error) { return {kind, false, true, error}; }

bool ErrorKindOf(ReplyKind kind, ErrorKind* out) {
  switch (kind) {
    case ReplyKind::kError:
      *out = ErrorKind::kError;
      return true;
    case ReplyKind::kClientError:
      *out = ErrorKind::kClientError;
      return true;
    case ReplyKind::kServerError:
      *out = ErrorKind::kServerError;
      return true;
    default:
      return false;
  }
}

Step MatchGet(Protocol protocol, uint32_t keys, const Reply& reply) {
  const bool batch = keys > 1;
  if (protocol == Protocol::kText) {
    // Text answers one key or many the same way: VALUE* END.
    if (reply.kind == ReplyKind::kValue) return Partial(true);
    if (reply.kind == ReplyKind::kEnd) return Done();
    return Fatal();
  }
  if (!batch) {
    if (reply.kind == ReplyKind::kValue) return Done(true);
    if (reply.kind == ReplyKind::kMiss) return Done();
    return Fatal();
  }
  // Meta and binary batches: quiet gets answer hits only, then MN / NOOP.
  if (reply.kind == ReplyKind::kValue) return Partial(true);
  if (reply.kind == ReplyKind::kNoop) return Done();
  return Fatal();
}

}  // namespace

Step Match(Protocol protocol, OpKind op, uint32_t keys, const Reply& reply) {
  ErrorKind error;
  if (ErrorKindOf(reply.kind, &error)) {
    const bool batch_continues = keys > 1 && protocol != Protocol::kText;
    return Failed(batch_continues ? Step::kPartial : Step::kDone, error);
  }
  switch (op) {
    case OpKind::kGet:
      return MatchGet(protocol, keys, reply);
    case OpKind::kSet:
      switch (reply.kind) {
        case ReplyKind::kStored:
          return protocol != Protocol::kMeta ? Done() : Fatal();
        case ReplyKind::kHeader:
          return protocol == Protocol::kMeta ? Done() : Fatal();
        case ReplyKind::kNotStored:
          return Failed(Step::kDone, ErrorKind::kNotStored);
        case ReplyKind::kExists:
          return Failed(Step::kDone, ErrorKind::kExists);
        default:
          return Fatal();
      }
    case OpKind::kDelete:
      if (reply.kind == ReplyKind::kDeleted || reply.kind == ReplyKind::kHeader) return Done(true);
      return reply.kind == ReplyKind::kNotFound ? Done() : Fatal();
    case OpKind::kIncr:
      if (reply.kind == ReplyKind::kNumber || reply.kind == ReplyKind::kHeader) return Done(true);
      return reply.kind == ReplyKind::kNotFound ? Done() : Fatal();
    case OpKind::kTouch:
      // Meta touches with mg, whose miss is EN.
      if (reply.kind == ReplyKind::kTouched || reply.kind == ReplyKind::kHeader) return Done(true);
      return reply.kind == ReplyKind::kNotFound || reply.kind == ReplyKind::kMiss ? Done()
                                                                                  : Fatal();
  }
  return Fatal();
}

}  // namespace ringcache::ringload
