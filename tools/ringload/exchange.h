// Matching replies to the requests they answer.
//
// A connection keeps its outstanding requests in order; each reply the
// parser yields belongs to the request at the front. Match() says what a
// reply means for that request: whether it finishes it, whether it reported
// a hit, an error, or something that cannot answer this request at all (the
// stream is out of sync and the connection must be dropped).
//
// Per protocol, a get of one key finishes with: text VALUE.. END / END;
// meta VA / EN; binary a value / "not found". A get of several keys (the
// batch forms of request.h) finishes with text END, meta MN, binary NOOP;
// the values before it are its hits and the keys left are misses. Errors
// end a text request (memcached stops reading the line) but not a meta or
// binary batch, whose other keys are still answered before MN / NOOP.
//
// Threading: pure function.
#pragma once

#include <cstdint>

#include "ringcache/protocol/client/reply.h"
#include "ringcache/protocol/client/request.h"
#include "stats.h"

namespace ringcache::ringload {

struct Step {
  enum Kind : uint8_t {
    kPartial,  // the request wants more replies
    kDone,     // the request is answered
    kFatal,    // the reply cannot belong to this request
  };
  Kind kind = kPartial;
  bool hit = false;    // the reply found the key (a value, deleted, touched, ...)
  bool error = false;  // the reply is an error of kind `error_kind`
  ErrorKind error_kind = ErrorKind::kProtocol;
};

// `keys` is the number of keys the request named (1 unless a batch get).
Step Match(protocol::client::Protocol protocol, OpKind op, uint32_t keys,
           const protocol::client::Reply& reply);

}  // namespace ringcache::ringload
