// Differential test of the text parser against the reference: Debian's
// memcached 1.6.18 is sent thousands of command lines (hand-picked corner
// cases plus a deterministic grammar of odd arguments). For each,
// TextParser's verdict must match what memcached does:
//   - a parse error: memcached sends exactly ErrorLine(error), or nothing
//     under noreply, and skips exactly `swallow` bytes;
//   - a deferred error whose gate memcached passes by default: that line;
//   - a close: memcached closes the connection;
//   - a request: memcached does not answer with a client or command error
//     (storage commands are followed by their value block).
// After each probe the client sends "mn\r\n" and reads up to "MN\r\n", so a
// disagreement about how many bytes a request takes shows up as a mismatch.
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "reference_server.h"
#include "ringcache/protocol/text_parser.h"

namespace ringcache::protocol {
namespace {

using testing::Connection;
using testing::Printable;

class TextReference : public testing::MemcachedReference {};

struct Expectation {
  bool send = true;         // false: the request is not safe to send (watch, quit...)
  std::string bytes;        // the probe, value block or skipped bytes included
  bool exact = false;       // `reply` must match byte for byte
  std::string reply;        // with exact
  bool close = false;       // memcached must close the connection
  bool accept_any = false;  // a request whose reply depends on server state
  // What ends the reply to the probe and the "mn" after it. An mn probe
  // answers "MN\r\n" itself, so the end is two of them: with one, the
  // read would stop after the probe's MN whenever the two arrive in
  // separate segments, and every later probe would read its predecessor's
  // reply (the generated lines then failed under load, at the first probe
  // whose expected reply differs from the one before it).
  std::string end = "MN\r\n";
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
    case TextCommand::kMetaNoop:
      e.exact = true;
      e.end = "MN\r\nMN\r\n";
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
    const std::string reply = conn->ReadUntil(e.end, &closed);
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

TEST_F(TextReference, CornerCasesMatch) {
  int checked = 0;
  RunProbes(port_, CornerCases(), &checked);
  EXPECT_GT(checked, 100);
}

TEST_F(TextReference, GeneratedLinesMatch) {
  int checked = 0;
  RunProbes(port_, Generated(), &checked);
  EXPECT_GT(checked, 3000);
}

TEST_F(TextReference, UnterminatedLinesCloseLikeMemcached) {
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

}  // namespace
}  // namespace ringcache::protocol
