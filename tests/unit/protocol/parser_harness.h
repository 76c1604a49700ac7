// Table-driven harness shared by the parser tests: drives a parser the way a
// connection handler does, renders every outcome as one line of text, and
// checks that feeding the input whole, split at every byte boundary, and one
// byte at a time all give the same outcomes.
//
// A "session" is the server's OnData loop without a store: parse a request,
// consume its line, follow a storage command's value block with ValueBlock,
// skip what an error says to skip. The rendering of a request names the
// command and its fields, so a test's expectation reads like the protocol.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ringcache/protocol/binary.h"
#include "ringcache/protocol/text_parser.h"
#include "ringcache/protocol/value_block.h"

namespace ringcache::protocol::testing {

// "get a b", "set k f=0 e=0 n=5 noreply", "error CLIENT_ERROR ... (noreply)", ...
// (request_describe.cc).
std::string Describe(const TextRequest& req);
std::string DescribeError(const ParseResult& r);

// The server's OnData loop over one connection, minus the store.
class TextSession {
 public:
  explicit TextSession(TextParser::Options options = {}) : parser_(options) {}

  // Presents `data` (the unconsumed rest of earlier input followed by new
  // bytes is kept internally, as the io engine does). Appends outcomes to log().
  void Feed(std::string_view data);

  const std::vector<std::string>& log() const { return log_; }
  bool closed() const { return closed_; }
  // Bytes received but not yet consumed (a partial line).
  size_t pending() const { return pending_.size(); }

 private:
  // Runs the loop over pending_; returns bytes consumed.
  size_t Run(std::string_view data);

  TextParser parser_;
  TextRequest req_;
  std::string pending_;
  std::vector<std::string> log_;
  bool closed_ = false;
  // A value block being read (storing) or skipped (after an error).
  bool in_block_ = false;
  bool storing_ = false;
  ValueBlock block_;
  std::string value_;
  std::string block_owner_;  // rendering of the request that owns the block
};

// The same loop for binary requests: header, extras and key through
// binary::ParseRequest, then the value (value_bytes) or skipped bytes.
class BinarySession {
 public:
  void Feed(std::string_view data);
  const std::vector<std::string>& log() const { return log_; }
  bool closed() const { return closed_; }

 private:
  size_t Run(std::string_view data);

  binary::Request req_;
  std::string pending_;
  std::vector<std::string> log_;
  bool closed_ = false;
  uint64_t value_left_ = 0;
  bool storing_ = false;
  bool in_value_ = false;
  std::string value_;
};

std::string Describe(const binary::Request& req);

// Bytes as printable text: \xNN for anything else (and for '\').
std::string PrintableBytes(std::string_view s);

// The outcomes of feeding `input` in one piece.
std::vector<std::string> RunWhole(std::string_view input, TextParser::Options options = {});
std::vector<std::string> RunWholeBinary(std::string_view input);

// Checks that every split of `input` (two pieces at each byte boundary, and
// byte by byte) produces `expected`; reports the first differing split.
void ExpectSameAtEverySplit(std::string_view input, const std::vector<std::string>& expected,
                            TextParser::Options options = {});
void ExpectSameAtEverySplitBinary(std::string_view input, const std::vector<std::string>& expected);

// The table row type of the text parser tests.
struct ParseCase {
  std::string input;
  std::vector<std::string> expected;
};

}  // namespace ringcache::protocol::testing
