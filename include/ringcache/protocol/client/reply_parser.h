// Reply parsers of the text, meta and binary protocols, client side.
//
// Each parser looks at the front of `in` and either parses one whole reply
// (ParseStatus::kOk, `size` = bytes it spans), reports that the reply is not
// complete yet (kIncomplete, `size` = the total byte count it needs when the
// header says so, so a caller can wait for that many bytes before trying
// again instead of re-parsing on every arrival), or rejects bytes that cannot
// be a reply (kInvalid: the stream is out of sync and the connection is of no
// further use).
//
// The parsers are stateless: after kIncomplete, call again from the same
// start with more bytes appended. They scan only what they must: the header
// line is searched for its end, a data block is skipped by its length and
// only its two terminator bytes are checked.
//
// Limits: a text or meta line longer than kMaxReplyLine without its "\r\n" is
// invalid (memcached's longest reply lines are well under it); a data block
// may be as large as a 64-bit length allows, the caller decides what it will
// buffer.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

#include "ringcache/protocol/client/reply.h"
#include "ringcache/protocol/client/request.h"

namespace ringcache::protocol::client {

inline constexpr size_t kMaxReplyLine = 4096;

ParseResult ParseTextReply(std::string_view in, Reply* out);
ParseResult ParseMetaReply(std::string_view in, Reply* out);
ParseResult ParseBinaryReply(std::string_view in, Reply* out);

inline ParseResult ParseReply(Protocol protocol, std::string_view in, Reply* out) {
  switch (protocol) {
    case Protocol::kText:
      return ParseTextReply(in, out);
    case Protocol::kMeta:
      return ParseMetaReply(in, out);
    case Protocol::kBinary:
      return ParseBinaryReply(in, out);
  }
  return {ParseStatus::kInvalid, 0};
}

}  // namespace ringcache::protocol::client
