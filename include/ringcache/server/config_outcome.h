// What a startup step (parsing, validation, process setup) has to say.
//
// memcached reports startup problems by printing to stdout or stderr and
// exiting with a sysexits code; scripts and its test suite depend on the
// exact text, the stream and the code. Startup steps here do not print or
// exit themselves: they return an Outcome holding the lines to print, in
// order, and the exit status if the process must stop. main() prints and
// exits; tests compare Outcomes directly.
//
// Threading: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringcache::server {

enum class Stream : uint8_t { kStdout, kStderr };

struct OutcomeMessage {
  Stream stream;
  std::string text;  // printed as is: it carries its own newlines
  bool operator==(const OutcomeMessage&) const = default;
};

class Outcome {
 public:
  // Appends text for stdout / stderr.
  void Out(std::string_view text) { messages_.push_back({Stream::kStdout, std::string(text)}); }
  void Err(std::string_view text) { messages_.push_back({Stream::kStderr, std::string(text)}); }
  // The process must stop with `code` once the messages are printed.
  void Exit(int code) { exit_code_ = code; }
  // Appends another step's messages and adopts its exit code, if any.
  void Merge(const Outcome& other);

  bool stop() const { return exit_code_.has_value(); }
  std::optional<int> exit_code() const { return exit_code_; }
  const std::vector<OutcomeMessage>& messages() const { return messages_; }
  // Everything written to one stream, concatenated (tests, logs).
  std::string Text(Stream stream) const;

  // Writes the messages to file descriptors 1 and 2, in order, with the same
  // write pattern as memcached's unbuffered stderr: one write per message.
  void Print() const;

 private:
  std::vector<OutcomeMessage> messages_;
  std::optional<int> exit_code_;
};

}  // namespace ringcache::server
