#include "ringcache/protocol/client/reply.h"

namespace ringcache::protocol::client {

std::string_view ReplyKindName(ReplyKind kind) {
  switch (kind) {
    case ReplyKind::kValue:
      return "value";
    case ReplyKind::kEnd:
      return "end";
    case ReplyKind::kMiss:
      return "miss";
    case ReplyKind::kStored:
      return "stored";
    case ReplyKind::kNotStored:
      return "not_stored";
    case ReplyKind::kExists:
      return "exists";
    case ReplyKind::kNotFound:
      return "not_found";
    case ReplyKind::kDeleted:
      return "deleted";
    case ReplyKind::kTouched:
      return "touched";
    case ReplyKind::kNumber:
      return "number";
    case ReplyKind::kHeader:
      return "header";
    case ReplyKind::kNoop:
      return "noop";
    case ReplyKind::kOk:
      return "ok";
    case ReplyKind::kVersion:
      return "version";
    case ReplyKind::kError:
      return "error";
    case ReplyKind::kClientError:
      return "client_error";
    case ReplyKind::kServerError:
      return "server_error";
  }
  return "?";
}

}  // namespace ringcache::protocol::client
