// Shared pieces of the text parser's translation units (text_parser.cc:
// framing and classic commands; meta_parser.cc; admin_parser.cc). Not part
// of the protocol layer's public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringcache/base/compiler.h"
#include "ringcache/protocol/text_request.h"

namespace ringcache::protocol::internal {

RC_ALWAYS_INLINE ParseResult Fail(ProtocolError error, size_t consumed, bool noreply = false,
                                  uint32_t swallow = 0) {
  ParseResult r;
  r.status = ParseStatus::kError;
  r.error = error;
  r.noreply = noreply;
  r.swallow = swallow;
  r.consumed = consumed;
  return r;
}

RC_ALWAYS_INLINE ParseResult Done(size_t consumed) {
  ParseResult r;
  r.status = ParseStatus::kRequest;
  r.consumed = consumed;
  return r;
}

// memcached's set_noreply_maybe: the last real token is exactly "noreply".
RC_ALWAYS_INLINE bool EndsWithNoreply(const TokenList& t) { return t.last() == "noreply"; }

// Meta commands: `sub` is the second letter of the two-letter command.
ParseResult ParseMeta(char sub, const TokenList& t, size_t consumed, TextRequest* req);

// Admin commands dispatched by name; `t[0]` is the command.
ParseResult ParseStats(const TokenList& t, size_t consumed, TextRequest* req);
ParseResult ParseFlushAll(const TokenList& t, size_t consumed, TextRequest* req);
ParseResult ParseVerbosity(const TokenList& t, size_t consumed, TextRequest* req);
ParseResult ParseShutdown(const TokenList& t, size_t consumed, TextRequest* req);
ParseResult ParseCacheMemlimit(const TokenList& t, size_t consumed, TextRequest* req);
ParseResult ParseSlabs(const TokenList& t, size_t consumed, TextRequest* req);
ParseResult ParseLruCrawler(const TokenList& t, size_t consumed, TextRequest* req);
ParseResult ParseWatch(const TokenList& t, size_t consumed, TextRequest* req);
ParseResult ParseLru(const TokenList& t, size_t consumed, TextRequest* req);

}  // namespace ringcache::protocol::internal
