// The text protocol's authentication exchange (memcached's -Y authfile).
//
// With -Y, a text connection must first send a set command whose value is
// "<user> <password>": "set <any key> <flags> <exptime> <length>\r\n<user>
// <password>\r\n". Until that succeeds every other line is refused.
// memcached 1.6.18 (try_read_command_asciiauth) only checks that the line
// has five tokens, starts with "set" and has a numeric length; key, flags
// and exptime are ignored. The server compares the credentials with its
// authfile and answers STORED or "CLIENT_ERROR authentication failure".
//
// ParseAsciiAuth looks at the unconsumed input of such a connection:
//   kNeedMore   the line or the value is not complete (nothing consumed);
//   kClose      more than 2048 bytes without a newline;
//   kError      reply `error` after consuming `consumed` bytes (a malformed
//               line: kUnauthenticated; a value not ending in "\r\n":
//               kAuthTermination; fewer than two words: kAuthTokenFormat);
//   kRequest    `user` and `password` are views into the input; consume
//               `consumed` bytes and check them.
//
// Threading: pure function.
#pragma once

#include <cstddef>
#include <string_view>

#include "ringcache/protocol/text_request.h"

namespace ringcache::protocol {

struct AsciiAuth {
  std::string_view user;
  std::string_view password;
};

[[nodiscard]] ParseResult ParseAsciiAuth(std::string_view data, AsciiAuth* out);

}  // namespace ringcache::protocol
