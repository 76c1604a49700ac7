// Differential test against the reference: Debian's memcached 1.6.18 is
// started on a spare port and sent thousands of command lines (hand-picked
// corner cases plus a deterministic grammar of odd arguments). For each,
// TextParser's verdict must match what memcached does:
//   - a parse error: memcached sends exactly ErrorLine(error), or nothing
//     under noreply, and skips exactly `swallow` bytes;
//   - a deferred error whose gate memcached passes by default: that line;
//   - a close: memcached closes the connection;
//   - a request: memcached does not answer with a client or command error
//     (storage commands are followed by their value block).
// After each probe the client sends "mn\r\n" and reads up to "MN\r\n", so a
// disagreement about how many bytes a request takes shows up as a mismatch.
//
// The binary protocol gets the same treatment: malformed packets must get
// the same error packet (or close), and a scripted session of every command
// must get, byte for byte except CAS values, the responses the binary
// composers build for the same outcomes. Watch lines and UDP datagrams are
// compared with what a live watcher and a UDP client receive.
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"

#include "binary_test_util.h"
#include "ringcache/protocol/binary_composer.h"
#include "ringcache/protocol/text_composer.h"
#include "ringcache/protocol/text_parser.h"
#include "ringcache/protocol/udp_frame.h"
#include "ringcache/protocol/watch_lines.h"

namespace ringcache::protocol {
namespace {

constexpr const char* kMemcached = "/usr/bin/memcached";

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

class Connection {
 public:
  explicit Connection(int port) {
    for (int attempt = 0; attempt < 200 && fd_ < 0; ++attempt) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(port));
      if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
        fd_ = fd;
      } else {
        close(fd);
        usleep(10000);
      }
    }
  }
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // The next "\n"-terminated line (kept whole), or "" after 2 s.
  std::string ReadLine() {
    while (true) {
      const size_t nl = lines_.find('\n');
      if (nl != std::string::npos) {
        std::string line = lines_.substr(0, nl + 1);
        lines_.erase(0, nl + 1);
        return line;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) return {};
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return {};
      lines_.append(buf, static_cast<size_t>(n));
    }
  }

  uint16_t local_port() const {
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
  }

  // Reads until `marker` ends the input, the peer closes, or 2 s pass.
  // Returns what came before the marker; *closed tells a close.
  std::string ReadUntil(std::string_view marker, bool* closed, int timeout_ms = 2000) {
    std::string got;
    *closed = false;
    while (got.size() < marker.size() ||
           std::string_view(got).substr(got.size() - marker.size()) != marker) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return got + "<timeout>";
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        *closed = true;
        return got;
      }
      got.append(buf, static_cast<size_t>(n));
    }
    got.resize(got.size() - marker.size());
    return got;
  }

 private:
  int fd_ = -1;
  std::string lines_;
};

class MemcachedReference : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    port_ = FreePort();
    ASSERT_GT(port_, 0);
    ASSERT_EQ(access(kMemcached, X_OK), 0) << kMemcached << " is the reference; tools/dev deps";
    pid_ = fork();
    if (pid_ == 0) {
      // verbosity probes make memcached log; keep the test output clean.
      const int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, STDOUT_FILENO);
      dup2(devnull, STDERR_FILENO);
      const std::string port = std::to_string(port_);
      execl(kMemcached, kMemcached, "-p", port.c_str(), "-U", port.c_str(), "-l", "127.0.0.1", "-t",
            "1", "-m", "64", "-u", "root", static_cast<char*>(nullptr));
      _exit(127);
    }
    ASSERT_GT(pid_, 0);
  }
  static void TearDownTestSuite() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  static int port_;
  static pid_t pid_;
};
int MemcachedReference::port_ = 0;
pid_t MemcachedReference::pid_ = 0;

std::string Printable(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    }
  }
  return out.size() > 300 ? out.substr(0, 300) + "..." : out;
}

// What the probe should look like on the wire and what memcached must answer.
struct Expectation {
  bool send = true;         // false: the request is not safe to send (watch, quit...)
  std::string bytes;        // the probe, value block or skipped bytes included
  bool exact = false;       // `reply` must match byte for byte
  std::string reply;        // with exact
  bool close = false;       // memcached must close the connection
  bool accept_any = false;  // a request whose reply depends on server state
};

bool IsStorage(TextCommand c) {
  return c == TextCommand::kSet || c == TextCommand::kAdd || c == TextCommand::kReplace ||
         c == TextCommand::kAppend || c == TextCommand::kPrepend || c == TextCommand::kCas ||
         c == TextCommand::kMetaSet;
}

Expectation Expect(const std::string& line) {
  Expectation e;
  e.bytes = line;
  TextParser parser;
  TextRequest req;
  const ParseResult r = parser.Parse(line, &req);
  switch (r.status) {
    case ParseStatus::kNeedMore:
      e.send = false;
      return e;
    case ParseStatus::kClose:
      e.close = true;
      return e;
    case ParseStatus::kCloseWithError:
      e.close = true;
      return e;
    case ParseStatus::kError:
      if (r.swallow > 4096) {
        e.send = false;
        return e;
      }
      e.bytes += std::string(r.swallow, 'x');
      e.exact = true;
      e.reply = r.noreply ? "" : std::string(ErrorLine(r.error));
      return e;
    case ParseStatus::kRequest:
      break;
  }
  const uint32_t value =
      req.command == TextCommand::kMetaSet ? req.meta.value_bytes : req.value_bytes;
  if (IsStorage(req.command)) {
    if (value > 4096) {
      e.send = false;
      return e;
    }
    e.bytes += std::string(value, 'x') + "\r\n";
  }
  switch (req.command) {
    case TextCommand::kQuit:
      e.close = true;
      return e;
    case TextCommand::kShutdown:
      // Started without -A: the gate answers before the mode is looked at.
      e.exact = true;
      e.reply = std::string(ErrorLine(ProtocolError::kShutdownNotEnabled));
      return e;
    case TextCommand::kWatch:
      if (req.deferred_error == ProtocolError::kNone) e.send = false;  // turns into a watcher
      break;
    case TextCommand::kLruCrawler:
      if (req.deferred_error == ProtocolError::kNone) {
        if (req.crawler.op == CrawlerOp::kMetadump) e.send = false;  // streams a dump
        e.accept_any = true;  // BUSY / NOTSTARTED / thread start results
      }
      break;
    case TextCommand::kSlabsReassign:
    case TextCommand::kCacheMemlimit:
    case TextCommand::kExtstore:
    case TextCommand::kRefreshCerts:
    case TextCommand::kVerbosity:
      e.accept_any = true;
      break;
    default:
      break;
  }
  if (req.deferred_error != ProtocolError::kNone) {
    e.exact = true;
    e.reply = req.noreply ? "" : std::string(ErrorLine(req.deferred_error));
  }
  return e;
}

// Hand-picked corner cases (the parser tables' inputs, roughly).
std::vector<std::string> CornerCases() {
  const std::string k250(250, 'k'), k251(251, 'k');
  std::vector<std::string> v = {
      "",
      " ",
      "g",
      "get",
      "get ",
      "get a",
      "gets a b",
      "gat 1 a",
      "gat x a",
      "gats 1",
      "bget a",
      "ge a",
      "GET a",
      "GET / HTTP/1.1",
      "POST /x HTTP/1.0",
      "x HTTP/1.1 y",
      "sxx / HTTP/1.1",
      "get a " + k251,
      "get " + k250,
      "set a 0 0 1",
      "set a 0 0 -1",
      "set a 0 0 4294967295",
      "set a 0 0 2147483647",
      "set a -1 0 1",
      "set a 0 0 x",
      "set a 0 0 noreply",
      "set " + k251 + " 0 0 1",
      "set " + k251 + " 0 0 1 noreply",
      "set a 0 0",
      "set a 0 0 1 x",
      "set a 0 0 1 noreply x",
      "set a +5 +0 +1",
      "set a 0 0 \t1",
      "set a 0 0 1\t",
      "set a 0 0 4294967297",
      "cas a 0 0 1",
      "cas a 0 0 1 x",
      "cas a 0 0 1 -0",
      "cas a 0 0 1 5 noreply",
      "incr a",
      "incr a x",
      "incr a -1",
      "incr a 1 2 3",
      "incr a x noreply",
      "decr a 18446744073709551616",
      "touch a",
      "touch a x",
      "touch a 1 noreply",
      "delete",
      "delete a 1",
      "delete a 1 noreply",
      "delete a b c",
      "delete a 0 noreply x",
      "delete " + k251,
      "delete " + k251 + " 1",
      "misbehave",
      "debugtime 1",
      "verbosity",
      "verbosity x",
      "verbosity x noreply",
      "verbosity 1 2",
      "flush_all noreply 0",
      "flush_all x",
      "flush_all x y z",
      "flush_all 0 noreply",
      "stats foo",
      "stats detail",
      "stats detail x",
      "stats cachedump 1",
      "stats cachedump x 1",
      "stats cachedump 64 1",
      "stats reset x",
      "shutdown",
      "shutdown x",
      "shutdown graceful",
      "cache_memlimit 7",
      "cache_memlimit x",
      "cache_memlimit 1000000001",
      "cache_memlimit 64 noreply",
      "lru tune 50 50 0.1 2",
      "lru tune 10 10 0 2",
      "lru mode x",
      "lru temp_ttl x",
      "lru x",
      "lru",
      "slabs x",
      "slabs automove 3",
      "slabs automove x",
      "slabs automove ratio",
      "slabs reassign x 2",
      "lru_crawler",
      "lru_crawler crawl x",
      "lru_crawler crawl 0",
      "lru_crawler metadump 1,x",
      "lru_crawler tocrawl x",
      "lru_crawler sleep 2000000",
      "lru_crawler enable x",
      "watch foo",
      "watch fetchers noreply",
      "mg",
      "mg " + k251,
      "mg a z",
      "mg a v v",
      "mg a \x80",
      "mg a T",
      "mg a Tx z",
      "mg a Tx MEE",
      "mg a O" + std::string(32, 'x'),
      "mg Zm9v= b",
      "mg a b",
      "ms",
      "ms a",
      "ms a x",
      "ms a -1",
      "ms a 2 MX",
      "ms a 2 MEE",
      "ms a 2 Fx",
      "ms a 2 Tx Fx",
      "ms a 2 C",
      "ms a 2 S",
      "ms a 2 O" + std::string(32, 'x') + " MX",
      "ms kk 1 b",
      "md",
      "md a E5",
      "md a q q",
      "md a O" + std::string(40, 'x'),
      "ma",
      "ma a MX",
      "ma a Dx",
      "ma a D-1",
      "ma a O" + std::string(40, 'x'),
      "me",
      "me a b",
      "me " + k251,
      "mz",
      "mgg a",
      "m",
      "refresh_certs",
      "extstore",
  };
  std::string many = "mg a";
  for (int i = 0; i < 18; ++i) many += " v";
  v.push_back(many);
  std::string set_many = "set a 0 0 1 noreply";
  for (int i = 0; i < 30; ++i) set_many += " x";
  v.push_back(set_many);
  v.push_back(std::string("get a\0b", 7));
  v.push_back("get a\r");
  return v;
}

// A deterministic grammar of odd lines: each command with 0-6 arguments
// drawn from tokens that hit the number rules, key limits and flags.
std::vector<std::string> Generated() {
  const std::vector<std::string> commands = {
      "get",     "gets",   "gat",         "gats",      "set",   "add",
      "replace", "append", "prepend",     "cas",       "incr",  "decr",
      "touch",   "delete", "flush_all",   "verbosity", "stats", "cache_memlimit",
      "slabs",   "lru",    "lru_crawler", "mg",        "ms",    "md",
      "ma",      "me",     "mn",          "version",   "bogus", "shutdown",
      "watch"};
  const std::vector<std::string> pool = {"a",          "0",
                                         "1",          "-1",
                                         "+5",         "-0",
                                         "x",          "noreply",
                                         "4294967296", "\t2",
                                         "3\t",        "18446744073709551616",
                                         "2147483647", std::string(251, 'k'),
                                         "b",          "v",
                                         "k",          "q",
                                         "O1",         "T10",
                                         "Tx",         "N5",
                                         "C1",         "MX",
                                         "ME",         "D2",
                                         "J1",         "Zm9v",
                                         "all",        "1,2",
                                         "on",         "tune",
                                         "mode",       "flat",
                                         "temp_ttl",   "automove",
                                         "ratio",      "0.5",
                                         "reassign",   "crawl",
                                         "tocrawl",    "sleep",
                                         "enable",     "fetchers",
                                         "detail",     "settings",
                                         "cachedump",  "graceful",
                                         "items"};
  std::mt19937 rng(20240611);
  std::vector<std::string> v;
  for (const std::string& c : commands) {
    v.push_back(c);
    for (const std::string& a : pool) v.push_back(c + " " + a);
    for (int i = 0; i < 120; ++i) {
      std::string line = c;
      const int args = 2 + static_cast<int>(rng() % 5);
      for (int j = 0; j < args; ++j) line += " " + pool[rng() % pool.size()];
      v.push_back(line);
    }
  }
  return v;
}

// Runs every probe through one connection (reconnecting after a close).
void RunProbes(int port, const std::vector<std::string>& lines, int* checked) {
  auto conn = std::make_unique<Connection>(port);
  ASSERT_TRUE(conn->ok()) << "memcached did not start on port " << port;
  int failures = 0;
  for (const std::string& line : lines) {
    const Expectation e = Expect(line + "\r\n");
    if (!e.send) continue;
    ASSERT_TRUE(conn->Send(e.bytes + "mn\r\n")) << Printable(line);
    bool closed = false;
    const std::string reply = conn->ReadUntil("MN\r\n", &closed);
    ++*checked;
    bool ok;
    if (e.close) {
      ok = closed && reply.empty();
    } else if (closed) {
      ok = false;
    } else if (e.exact) {
      ok = reply == e.reply;
    } else if (e.accept_any) {
      ok = reply.find("<timeout>") == std::string::npos;
    } else {
      ok = reply.rfind("ERROR", 0) != 0 && reply.rfind("CLIENT_ERROR", 0) != 0 &&
           reply.find("<timeout>") == std::string::npos;
    }
    if (!ok) {
      ADD_FAILURE() << "probe: " << Printable(line) << "\n memcached: " << Printable(reply)
                    << (closed ? " <closed>" : "") << "\n expected: "
                    << (e.close   ? "<close>"
                        : e.exact ? Printable(e.reply)
                                  : std::string("a reply that is not an error"));
      if (++failures > 20) return;
    }
    if (closed) conn = std::make_unique<Connection>(port);
  }
}

TEST_F(MemcachedReference, CornerCasesMatch) {
  int checked = 0;
  RunProbes(port_, CornerCases(), &checked);
  EXPECT_GT(checked, 100);
}

TEST_F(MemcachedReference, GeneratedLinesMatch) {
  int checked = 0;
  RunProbes(port_, Generated(), &checked);
  EXPECT_GT(checked, 3000);
}

TEST_F(MemcachedReference, UnterminatedLinesCloseLikeMemcached) {
  struct Case {
    std::string bytes;
    bool closes;
  };
  const std::string junk(3000, 'x');
  const std::vector<Case> cases = {
      {junk, true},
      {"gat 1 " + junk, true},
      {std::string(101, ' ') + "get " + junk, true},
      {"get " + junk, false},
      {"gets " + junk, false},
      // (Exactly 100 spaces before "get " is accepted by memcached's rule,
      // but the live binary was seen to close such a connection once in a
      // few runs; that boundary is covered by text_parser_test.cc.)
  };
  for (const Case& c : cases) {
    TextParser parser;
    TextRequest req;
    const ParseStatus ours = parser.Parse(c.bytes, &req).status;
    EXPECT_EQ(ours == ParseStatus::kClose, c.closes) << Printable(c.bytes);
    Connection conn(port_);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(conn.Send(c.bytes));
    bool closed = false;
    // Without a newline nothing is answered; only a close can happen.
    const std::string reply = conn.ReadUntil("\n", &closed, 300);
    EXPECT_EQ(closed, c.closes) << Printable(c.bytes) << " -> " << Printable(reply);
  }
}

namespace bin = binary;
using testing::Be32;
using testing::Be64;

std::string BinOp(uint8_t opcode, uint32_t opaque, std::string key = {}, std::string extras = {},
                  std::string value = {}) {
  testing::PacketSpec s;
  s.opcode = opcode;
  s.opaque = opaque;
  s.key = std::move(key);
  s.extras = std::move(extras);
  s.value = std::move(value);
  return testing::Packet(s);
}

// Response packets with their CAS zeroed (CAS values are the server's).
std::string MaskCas(std::string stream) {
  size_t pos = 0;
  while (pos + bin::kHeaderSize <= stream.size()) {
    const bin::ResponseHeader h = bin::DecodeResponseHeader(stream.data() + pos);
    std::memset(stream.data() + pos + 16, 0, 8);
    pos += bin::kHeaderSize + h.body_length;
  }
  return stream;
}

std::string Hex(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char b[4];
    std::snprintf(b, sizeof(b), "%02x", static_cast<unsigned char>(s[i]));
    out += b;
    if (i % 24 == 23) out += "\n";
  }
  return out;
}

TEST_F(MemcachedReference, BinarySessionMatchesComposers) {
  base::BlockPool pool;
  base::OutBuffer expected(&pool);
  std::string wire;
  uint32_t opaque = 100;
  // Adds a request and, through `respond`, the response our composers give
  // for the outcome memcached must reach.
  auto step = [&](const std::string& packet, auto respond) {
    wire += packet;
    bin::Request req;
    ASSERT_EQ(bin::ParseRequest(packet, &req).status, bin::ParseStatus::kRequest);
    respond(req);
  };
  const std::string set_extras = Be32(5) + Be32(0);
  const uint32_t never = 0xffffffff;
  step(BinOp(0x01, ++opaque, "bk", set_extras, "abc"),
       [&](auto& r) { bin::AppendSuccess(expected, r, 0); });
  step(BinOp(0x00, ++opaque, "bk"), [&](auto& r) {
    bin::AppendGetHit(expected, r, 5, 3, 0);
    expected.Append("abc");
  });
  step(BinOp(0x0c, ++opaque, "bk"), [&](auto& r) {
    bin::AppendGetHit(expected, r, 5, 3, 0);
    expected.Append("abc");
  });
  step(BinOp(0x0d, ++opaque, "missing"), [&](auto& r) { bin::AppendGetMiss(expected, r); });
  step(BinOp(0x0c, ++opaque, "missing"), [&](auto& r) { bin::AppendGetMiss(expected, r); });
  step(BinOp(0x00, ++opaque, "missing"), [&](auto& r) { bin::AppendGetMiss(expected, r); });
  step(BinOp(0x02, ++opaque, "bk", set_extras, "x"),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kKeyExists); });
  step(BinOp(0x03, ++opaque, "nokey", set_extras, "x"),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kKeyNotFound); });
  step(BinOp(0x0e, ++opaque, "nokey", "", "x"),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kNotStored); });
  step(BinOp(0x19, ++opaque, "bk", "", "def"),
       [&](auto& r) { bin::AppendSuccess(expected, r, 0); });
  step(BinOp(0x00, ++opaque, "bk"), [&](auto& r) {
    bin::AppendGetHit(expected, r, 5, 6, 0);
    expected.Append("abcdef");
  });
  step(BinOp(0x05, ++opaque, "cnt", Be64(1) + Be64(100) + Be32(0)),
       [&](auto& r) { bin::AppendCounter(expected, r, 100, 0); });
  step(BinOp(0x05, ++opaque, "cnt", Be64(5) + Be64(0) + Be32(0)),
       [&](auto& r) { bin::AppendCounter(expected, r, 105, 0); });
  step(BinOp(0x06, ++opaque, "cnt", Be64(1000) + Be64(0) + Be32(0)),
       [&](auto& r) { bin::AppendCounter(expected, r, 0, 0); });
  step(BinOp(0x05, ++opaque, "bk", Be64(1) + Be64(0) + Be32(0)),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kDeltaBadValue); });
  step(BinOp(0x05, ++opaque, "nocnt", Be64(1) + Be64(0) + Be32(never)),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kKeyNotFound); });
  step(BinOp(0x1c, ++opaque, "bk", Be32(100)),
       [&](auto& r) { bin::AppendGetHit(expected, r, 5, 6, 0); });
  step(BinOp(0x1d, ++opaque, "bk", Be32(100)), [&](auto& r) {
    bin::AppendGetHit(expected, r, 5, 6, 0);
    expected.Append("abcdef");
  });
  step(BinOp(0x24, ++opaque, "bk", Be32(100)), [&](auto& r) {
    bin::AppendGetHit(expected, r, 5, 6, 0);
    expected.Append("abcdef");
  });
  step(BinOp(0x1e, ++opaque, "missing", Be32(100)),
       [&](auto& r) { bin::AppendGetMiss(expected, r); });
  step(BinOp(0x04, ++opaque, "bk"), [&](auto& r) { bin::AppendSuccess(expected, r, 0); });
  step(BinOp(0x14, ++opaque, "bk"),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kKeyNotFound); });
  step(BinOp(0x0b, ++opaque), [&](auto& r) { bin::AppendVersion(expected, r, "1.6.18"); });
  step(BinOp(0x10, ++opaque, "foo"),
       [&](auto& r) { bin::AppendError(expected, r, bin::Status::kKeyNotFound); });
  step(BinOp(0x18, ++opaque), [&](auto& r) { bin::AppendSuccess(expected, r, 0); });
  const uint32_t last = 0xC0FFEE;
  step(BinOp(0x0a, last), [&](auto& r) { bin::AppendSuccess(expected, r, 0); });

  std::string want;
  expected.CopyTo(&want);
  Connection conn(port_);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn.Send(wire));
  bool closed = false;
  const std::string noop = want.substr(want.size() - bin::kHeaderSize);
  std::string got = conn.ReadUntil(noop, &closed);
  ASSERT_FALSE(closed);
  got += noop;
  EXPECT_EQ(MaskCas(got), MaskCas(want)) << "memcached:\n"
                                         << Hex(got) << "\ncomposed:\n"
                                         << Hex(want);
}

TEST_F(MemcachedReference, BinaryParseErrorsMatch) {
  struct Case {
    std::string name;
    std::string packet;
  };
  testing::PacketSpec long_key;
  long_key.key = std::string(251, 'k');
  long_key.opaque = 3;
  testing::PacketSpec key_over_body;
  key_over_body.key = "abc";
  key_over_body.body_length = 2;
  key_over_body.opaque = 4;
  testing::PacketSpec unknown;
  unknown.opcode = 0x50;
  unknown.key = "abc";
  unknown.opaque = 5;
  testing::PacketSpec bad_magic;
  bad_magic.magic = 0x82;
  const std::vector<Case> cases = {
      {"key over 250", testing::Packet(long_key)},
      {"key longer than body", testing::Packet(key_over_body)},
      {"unknown opcode", testing::Packet(unknown) + "xyz"},
      // memcached picks the protocol from a connection's first byte, so a
      // bad magic is only seen once the connection speaks binary.
      {"bad magic", BinOp(0x0a, 11) + testing::Packet(bad_magic)},
      {"get with extras", BinOp(0x00, 6, "k", Be32(1))},
      {"set without extras", BinOp(0x01, 7, "k", "", "abc")},
      {"noop with body", BinOp(0x0a, 8, "", "", "x")},
      {"incr short extras", BinOp(0x05, 9, "n", Be64(1))},
      {"flush with key", BinOp(0x08, 10, "k")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    bin::Request req;
    base::BlockPool pool;
    base::OutBuffer out(&pool);
    std::string_view packet = c.packet;
    bin::ParseResult r = bin::ParseRequest(packet, &req);
    while (r.status == bin::ParseStatus::kRequest) {  // leading valid packets
      bin::AppendSuccess(out, req, 0);
      packet.remove_prefix(r.consumed);
      r = bin::ParseRequest(packet, &req);
    }
    ASSERT_NE(r.status, bin::ParseStatus::kNeedMore);
    bool expect_close = true;
    if (r.status == bin::ParseStatus::kError) {
      bin::AppendError(out, req.header, r.error);
      expect_close = r.close;
      if (!expect_close) {
        ASSERT_EQ(packet.size(), r.consumed + r.swallow);
      }
    }
    const std::string noop = BinOp(0x0a, 0xC0FFEE);
    std::string want;
    out.CopyTo(&want);
    Connection conn(port_);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(conn.Send(c.packet + noop));
    bool closed = false;
    std::string noop_reply;
    {
      bin::Request noop_req;
      ASSERT_EQ(bin::ParseRequest(noop, &noop_req).status, bin::ParseStatus::kRequest);
      base::OutBuffer o(&pool);
      bin::AppendSuccess(o, noop_req, 0);
      o.CopyTo(&noop_reply);
    }
    const std::string got = conn.ReadUntil(noop_reply, &closed, 1000);
    if (expect_close) {
      EXPECT_TRUE(closed) << Hex(got);
      EXPECT_EQ(got, want) << "memcached:\n" << Hex(got) << "\ncomposed:\n" << Hex(want);
    } else {
      EXPECT_FALSE(closed);
      EXPECT_EQ(got, want) << "memcached:\n" << Hex(got) << "\ncomposed:\n" << Hex(want);
    }
  }
}

// The number after `field=` in `line`.
int64_t Field(const std::string& line, const std::string& field) {
  const size_t at = line.find(" " + field + "=");
  if (at == std::string::npos) return -1;
  return std::strtoll(line.c_str() + at + field.size() + 2, nullptr, 10);
}

WatchStamp StampOf(const std::string& line) {
  WatchStamp s;
  s.seconds = std::strtoll(line.c_str() + 3, nullptr, 10);
  s.microseconds =
      static_cast<int32_t>(std::strtol(line.c_str() + line.find('.') + 1, nullptr, 10));
  s.gid = static_cast<uint64_t>(Field(line, "gid"));
  return s;
}

TEST_F(MemcachedReference, WatchLinesMatchALiveWatcher) {
  Connection watcher(port_);
  ASSERT_TRUE(watcher.ok());
  ASSERT_TRUE(watcher.Send("watch fetchers mutations\r\n"));
  ASSERT_EQ(watcher.ReadLine(), "OK\r\n");
  Connection client(port_);
  ASSERT_TRUE(client.ok());
  bool closed = false;
  ASSERT_TRUE(client.Send("get w:miss\r\nset w:a%b 0 0 3\r\nabc\r\nget w:a%b\r\nmn\r\n"));
  client.ReadUntil("MN\r\n", &closed);
  // memcached's store looks the old item up first, which a fetchers watcher
  // sees as one more item_get.
  std::vector<std::string> lines;
  for (int i = 0; i < 4; ++i) lines.push_back(watcher.ReadLine());
  base::BlockPool pool;
  base::OutBuffer out(&pool);
  const int fd = static_cast<int>(Field(lines[0], "cfd"));
  const uint32_t cls = static_cast<uint32_t>(Field(lines[2], "clsid"));
  AppendWatchItemGet(out, StampOf(lines[0]), "w:miss", WatchGetStatus::kNotFound, 0, fd, 0);
  AppendWatchItemGet(out, StampOf(lines[1]), "w:a%b", WatchGetStatus::kNotFound, 0, fd, 0);
  AppendWatchItemStore(out, StampOf(lines[2]), "w:a%b", WatchStoreStatus::kStored,
                       WatchStoreCommand::kSet, 0, cls, fd, 3);
  AppendWatchItemGet(out, StampOf(lines[3]), "w:a%b", WatchGetStatus::kFound, cls, fd, 3);
  std::string want;
  out.CopyTo(&want);
  EXPECT_EQ(lines[0] + lines[1] + lines[2] + lines[3], want);
}

TEST_F(MemcachedReference, ConnectionEventLinesMatchALiveWatcher) {
  Connection watcher(port_);
  ASSERT_TRUE(watcher.ok());
  ASSERT_TRUE(watcher.Send("watch connevents\r\n"));
  ASSERT_EQ(watcher.ReadLine(), "OK\r\n");
  uint16_t client_port;
  {
    Connection client(port_);
    ASSERT_TRUE(client.ok());
    client_port = client.local_port();
    ASSERT_TRUE(client.Send("quit\r\n"));
    bool closed = false;
    client.ReadUntil("\n", &closed, 1000);
  }
  // Other tests' connections may close meanwhile: keep this client's lines.
  std::string opened, closed_line;
  const std::string tag = " rport=" + std::to_string(client_port) + " ";
  for (int i = 0; i < 20 && closed_line.empty(); ++i) {
    const std::string line = watcher.ReadLine();
    if (line.empty()) break;
    if (line.find(tag) == std::string::npos) continue;
    (line.find("type=conn_new") != std::string::npos ? opened : closed_line) = line;
  }
  ASSERT_FALSE(opened.empty());
  ASSERT_FALSE(closed_line.empty());
  base::BlockPool pool;
  base::OutBuffer out(&pool);
  const int fd = static_cast<int>(Field(opened, "cfd"));
  AppendWatchConnNew(out, StampOf(opened), "127.0.0.1", client_port, WatchTransport::kTcp, fd);
  AppendWatchConnClose(out, StampOf(closed_line), "127.0.0.1", client_port, WatchTransport::kTcp,
                       WatchCloseReason::kNormal, fd);
  std::string want;
  out.CopyTo(&want);
  EXPECT_EQ(opened + closed_line, want);
}

TEST_F(MemcachedReference, UdpDatagramsMatchFraming) {
  const std::string value(3000, 'u');
  {
    Connection client(port_);
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE(client.Send("set udp:big 0 0 3000\r\n" + value + "\r\n"));
    bool closed = false;
    ASSERT_EQ(client.ReadUntil("\r\n", &closed), "STORED");
  }
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  char header[kUdpHeaderSize];
  WriteUdpHeader(0x1234, 0, 1, header);
  const std::string request = std::string(header, kUdpHeaderSize) + "get udp:big\r\n";
  ASSERT_EQ(sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&addr),
                   sizeof(addr)),
            static_cast<ssize_t>(request.size()));
  base::BlockPool pool;
  base::OutBuffer out(&pool);
  AppendValueCopy(out, "udp:big", 0, value, {}, false, 0);
  AppendEnd(out);
  std::string reply;
  out.CopyTo(&reply);
  std::vector<std::string> want;
  char scratch[kUdpMaxDatagram];
  FrameUdpResponse(0x1234, reply, scratch, [&](std::string_view d) { want.emplace_back(d); });
  std::vector<std::string> got;
  while (got.size() < want.size()) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) break;
    char buf[2048];
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.emplace_back(buf, static_cast<size_t>(n));
  }
  close(fd);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace ringcache::protocol
