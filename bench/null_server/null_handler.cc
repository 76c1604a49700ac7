#include "null_handler.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace ringcache::bench {
namespace {

constexpr std::string_view kValue = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
static_assert(kValue.size() == kNullValueSize);

// Splits `line` at spaces; returns the number of tokens (at most N).
template <size_t N>
size_t Tokenize(std::string_view line, std::array<std::string_view, N>* tokens) {
  size_t n = 0;
  size_t i = 0;
  while (i < line.size() && n < N) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i == line.size()) break;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    (*tokens)[n++] = line.substr(start, i - start);
  }
  return n;
}

bool ParseU64(std::string_view s, uint64_t* out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool IsStorage(std::string_view cmd) {
  return cmd == "set" || cmd == "add" || cmd == "replace" || cmd == "append" || cmd == "prepend" ||
         cmd == "cas";
}

}  // namespace

io::DataResult NullHandler::OnData(io::Connection& conn, std::string_view data) {
  size_t pos = 0;
  while (pos < data.size() && !conn.OutputFull()) {
    if (swallow_ > 0) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(swallow_, data.size() - pos));
      swallow_ -= take;
      pos += take;
      if (swallow_ == 0) {
        if (reply_stored_) conn.out().Append("STORED\r\n");
        requests_->store(requests_->load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      }
      continue;
    }
    const size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (data.size() - pos > kMaxLine) {
        conn.out().Append("CLIENT_ERROR line too long\r\n");
        conn.CloseAfterFlush();
        return {data.size(), false};
      }
      break;  // a partial line waits for the rest
    }
    std::string_view line = data.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    Command(conn, line);
  }
  return {pos, false};
}

void NullHandler::Command(io::Connection& conn, std::string_view line) {
  std::array<std::string_view, 24> t;
  const size_t n = Tokenize(line, &t);
  base::OutBuffer& out = conn.out();
  if (n == 0) {
    out.Append("ERROR\r\n");
    return;
  }
  requests_->store(requests_->load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  const std::string_view cmd = t[0];
  if ((cmd == "get" || cmd == "gets") && n >= 2) {
    // Keys beyond the token array are still answered: re-scan the tail.
    std::string_view rest = line.substr(cmd.size());
    while (!rest.empty()) {
      const size_t start = rest.find_first_not_of(' ');
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      const size_t end = std::min(rest.find(' '), rest.size());
      const std::string_view key = rest.substr(0, end);
      rest.remove_prefix(end);
      out.Append("VALUE ");
      out.Append(key);
      out.Append(cmd == "gets" ? " 0 32 1\r\n" : " 0 32\r\n");
      out.Append(kValue);
      out.Append("\r\n");
    }
    out.Append("END\r\n");
    return;
  }
  if (IsStorage(cmd)) {
    const size_t want = cmd == "cas" ? 6 : 5;
    uint64_t bytes = 0;
    if (n < want || n > want + 1 || !ParseU64(t[4], &bytes) ||
        (n == want + 1 && t[want] != "noreply")) {
      out.Append("CLIENT_ERROR bad command line format\r\n");
      return;
    }
    swallow_ = bytes + 2;
    reply_stored_ = n == want;
    // The counter moves when the block is in; undo the early count.
    requests_->store(requests_->load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    return;
  }
  if (cmd == "version") {
    out.Append("VERSION 1.6.18-null\r\n");
  } else if (cmd == "stats" && n == 1) {
    if (stats_) out.Append(stats_());
    out.Append("END\r\n");
  } else if (cmd == "quit") {
    conn.CloseAfterFlush();
  } else {
    out.Append("ERROR\r\n");
  }
}

}  // namespace ringcache::bench
