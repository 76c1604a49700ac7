// The handler of bench/null_server: speaks just enough of memcached's text
// protocol to be loaded like a cache, and stores nothing. Every get/gets key
// is a hit with a fixed 32-byte value, every storage command swallows its data
// block and answers STORED, `version` and `stats` answer, anything else is
// ERROR. It measures the io engine alone: ringcached can only be slower, by
// what its protocol layer and store cost.
//
// Parsing is incremental: a command line waits for its newline (up to
// kMaxLine bytes, then the connection is closed), and a data block is
// swallowed as it arrives, so the engine keeps at most a partial line.
// Output is bounded by stopping at Connection::OutputFull().
//
// Threading: one handler per connection, on its worker thread. The per-worker
// request counter is written only by that worker (relaxed stores).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ringcache/io/handler.h"

namespace ringcache::bench {

inline constexpr size_t kNullValueSize = 32;
inline constexpr size_t kMaxLine = 8192;

class NullHandler final : public io::ConnectionHandler {
 public:
  // `requests` counts commands answered; `stats` renders the STAT lines of
  // the `stats` command (may be empty).
  NullHandler(std::atomic<uint64_t>* requests, std::function<std::string()> stats)
      : requests_(requests), stats_(std::move(stats)) {}

  io::DataResult OnData(io::Connection& conn, std::string_view data) override;

 private:
  // Handles one command line (without its line ending).
  void Command(io::Connection& conn, std::string_view line);

  std::atomic<uint64_t>* requests_;
  std::function<std::string()> stats_;
  // Bytes of a data block (value plus "\r\n") still to swallow.
  uint64_t swallow_ = 0;
  bool reply_stored_ = false;  // after the block: STORED (false: noreply)
};

}  // namespace ringcache::bench
