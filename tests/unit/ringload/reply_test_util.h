// Shared helpers of the reply parser tests: parse a byte stream into a list
// of replies the way a client does, whole or delivered in pieces, and render
// each reply as a comparable string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ringcache/protocol/client/reply_parser.h"

namespace ringcache::protocol::client::testing {

// A reply as a string of its kind and every field that is set.
std::string Describe(const Reply& r);

struct StreamResult {
  std::vector<std::string> replies;  // Describe() of each reply, in order
  bool invalid = false;              // the parser rejected the bytes
  size_t leftover = 0;               // stream bytes not parsed (from a rejected reply on)
};

// Delivers `stream` in chunks that end at each of `cuts` (ascending offsets)
// and then at the end, parsing every complete reply after each delivery as a
// client would. Checks, via gtest expectations, that every kIncomplete size
// hint is larger than what was buffered and never larger than the reply
// turns out to be.
StreamResult ParseStream(Protocol protocol, std::string_view stream,
                         const std::vector<size_t>& cuts = {});

// Expects the same replies whole, split in two at every byte boundary, and
// delivered one byte at a time; returns the whole-input result.
StreamResult ExpectSameAtEverySplit(Protocol protocol, std::string_view stream);

}  // namespace ringcache::protocol::client::testing
