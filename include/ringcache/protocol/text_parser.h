// The memcached text-protocol parser (classic, meta and admin commands).
//
// Bytes in, one request out. Parse() looks at the unconsumed input of a
// connection, finds the first line, and returns what it is: a request whose
// views point into the input, an error naming memcached's exact reply, a
// verdict to close, or "need more bytes". It makes no syscall, touches no
// store, reads no clock and allocates nothing; a partial line has no effect
// but a remembered scan position.
//
// Framing follows memcached 1.6.18's try_read_command_ascii:
//   - A line ends at '\n'; one '\r' before it is dropped when the line has
//     other bytes. The line is a C string to memcached, so it ends at the
//     first NUL byte.
//   - Without a '\n' in the first kMaxLineWithoutNewline (2048) bytes the
//     connection is closed, unless the line starts (after at most 100
//     spaces) with "get " or "gets ": those key lists may grow. memcached
//     lets them grow without bound; here they are capped at
//     Options::max_key_list_line (1 MiB by default, ~4000 keys of 250 bytes),
//     beyond which the reply is memcached's own out-of-memory line for a
//     request it cannot buffer, and the connection closes.
//   - A line holding a '\n' is parsed whatever its length, as memcached does.
//
// Storage commands (set, add, ..., cas, ms) end at their header line: the
// caller reads the value block (value_bytes + "\r\n") itself, copying it
// straight into the new item as it arrives; ValueBlock (value_block.h)
// tracks it and tells whether memcached would answer
// "CLIENT_ERROR bad data chunk".
//
// Driving it from io::ConnectionHandler::OnData (one parser per connection):
//
//   size_t pos = 0;
//   while (pos < data.size()) {
//     if (value_block_active) { ...feed ValueBlock, continue... }
//     ParseResult r = parser.Parse(data.substr(pos), &req);
//     if (r.status == ParseStatus::kNeedMore) break;
//     pos += r.consumed;
//     switch (r.status) { kRequest: Execute(req); kError: ...; kClose: ... }
//   }
//   return {pos, false};
//
// The parser remembers how far it searched for a newline in an incomplete
// line, so a long line arriving in many pieces is scanned once. That relies
// on the io contract (unconsumed bytes come back, with more appended); call
// Reset() if the input is ever discarded instead.
//
// Threading: one parser per connection; Parse() is not reentrant.
#pragma once

#include <cstddef>
#include <string_view>

#include "ringcache/base/compiler.h"
#include "ringcache/protocol/text_fast_path.h"
#include "ringcache/protocol/text_request.h"

namespace ringcache::protocol {

// memcached closes a connection that sends this many bytes without '\n'
// (unless they start a get/gets key list).
inline constexpr size_t kMaxLineWithoutNewline = 2048;
// Leading spaces memcached tolerates before "get " in such a line.
inline constexpr size_t kMaxLeadingSpacesInLongGet = 100;
inline constexpr size_t kDefaultMaxKeyListLine = size_t{1} << 20;

class TextParser {
 public:
  struct Options {
    // Longest get/gets line accepted while waiting for its '\n'.
    size_t max_key_list_line = kDefaultMaxKeyListLine;
  };

  TextParser() = default;
  explicit TextParser(Options options) : options_(options) {}

  // Parses the first line of `data` into `*req` (see ParseResult). The
  // request lines pipelining clients send most (canonical storage lines,
  // single-key get/gets; text_fast_path.h) take a fast path
  // that reads the line once; everything else, and every error, goes
  // through ParseGeneral.
  [[nodiscard]] RC_ALWAYS_INLINE ParseResult Parse(std::string_view data, TextRequest* req) {
    internal::CanonicalLine line;
    if (internal::ParseCanonical(data, &line)) return TakeCanonical(line, data.data(), req);
    return ParseGeneral(data, req);
  }

  // Parse() of input that starts with the line `line` describes, parsed
  // ahead by internal::ParseCanonical from the same bytes at `begin`.
  [[nodiscard]] RC_ALWAYS_INLINE ParseResult TakeCanonical(const internal::CanonicalLine& line,
                                                           const char* begin, TextRequest* req) {
    scanned_ = 0;  // as the general path leaves it after a complete line
    return internal::ApplyCanonical(line, begin, req);
  }

  // Parse() without the fast path: memcached's framing and check order step
  // by step. Same results as Parse() for every input (the fast path's tests
  // and fuzz target compare the two).
  [[nodiscard]] ParseResult ParseGeneral(std::string_view data, TextRequest* req);

  // Forget the remembered scan position (input was discarded).
  void Reset() { scanned_ = 0; }

  // Parses one complete line (terminator already removed); `consumed` is
  // copied into the result. Stateless; Parse() uses it after framing.
  [[nodiscard]] static ParseResult ParseLine(std::string_view line, size_t consumed,
                                             TextRequest* req);

 private:
  ParseResult NoNewline(std::string_view data) const;

  Options options_;
  size_t scanned_ = 0;  // leading bytes of the pending input known to hold no '\n'
};

}  // namespace ringcache::protocol
