// The value block of a storage command (set/add/replace/append/prepend/cas,
// ms): `<value_bytes> bytes` then "\r\n", arriving across receive buffers.
//
// memcached reads exactly value_bytes + 2 bytes after the command line,
// whatever they are, and answers "CLIENT_ERROR bad data chunk" when the last
// two are not "\r\n" (a classic command under noreply stays silent; ms
// always answers). The bytes after those value_bytes + 2 are the next
// command, even when the terminator was wrong. The same block is skipped
// whole when the command fails before reading it (object too large, out of
// memory, an ms error after its length was parsed). ValueBlock follows one
// block through any number of Next() calls (Raw() does the same for bytes
// without a terminator: binary values, skipped input):
//
//   ValueBlock block(req.value_bytes);
//   ...on each OnData:
//   ValueBlock::Step s = block.Next(data);
//   copy s.value into the new item (nothing to copy when skipping);
//   data.remove_prefix(s.consumed);
//   if (block.done()) block.terminated_ok() ? Store(...) : reply bad data chunk;
//
// Threading: a plain value owned by one connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringcache/base/compiler.h"

namespace ringcache::protocol {

class ValueBlock {
 public:
  struct Step {
    std::string_view value;  // value bytes to copy, in order; may be empty
    size_t consumed = 0;     // input bytes used (value and terminator)
  };

  ValueBlock() = default;
  // A text storage command's block: value_bytes, then two terminator bytes.
  explicit ValueBlock(uint64_t value_bytes) : value_left_(value_bytes) {}
  // Exactly `bytes` with no terminator: a binary request's value, or input
  // to skip (ParseResult::swallow, binary::ParseResult::swallow).
  static ValueBlock Raw(uint64_t bytes) {
    ValueBlock b(bytes);
    b.trailer_seen_ = 2;
    b.trailer_[0] = '\r';
    b.trailer_[1] = '\n';
    return b;
  }

  // Takes the next bytes of the block from the front of `data`.
  RC_ALWAYS_INLINE Step Next(std::string_view data) {
    Step s;
    if (value_left_ != 0) {
      const size_t take = data.size() < value_left_ ? data.size() : value_left_;
      s.value = data.substr(0, take);
      s.consumed = take;
      value_left_ -= take;
      if (value_left_ != 0) return s;
    }
    // Mostly both terminator bytes are there at once.
    if (trailer_seen_ == 0 && data.size() - s.consumed >= 2) {
      trailer_[0] = data[s.consumed];
      trailer_[1] = data[s.consumed + 1];
      trailer_seen_ = 2;
      s.consumed += 2;
      return s;
    }
    while (trailer_seen_ < 2 && s.consumed < data.size()) {
      trailer_[trailer_seen_++] = data[s.consumed++];
    }
    return s;
  }

  // The whole block, terminator included, has been consumed.
  bool done() const { return value_left_ == 0 && trailer_seen_ == 2; }
  // The two bytes after the value were "\r\n" (valid once done()).
  bool terminated_ok() const { return trailer_[0] == '\r' && trailer_[1] == '\n'; }
  // Input bytes still expected, terminator included.
  uint64_t remaining() const { return value_left_ + (2u - trailer_seen_); }

 private:
  uint64_t value_left_ = 0;
  uint8_t trailer_seen_ = 0;
  char trailer_[2] = {0, 0};
};

}  // namespace ringcache::protocol
