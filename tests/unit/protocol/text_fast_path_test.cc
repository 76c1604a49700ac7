// The text parser's fast path (ringcache/protocol/text_fast_path.h) against its
// general path: for every generated input, ParseCanonical either declines
// and writes nothing, or produces the ParseResult and the request fields
// TextParser::ParseGeneral produces, field by field (views compared by
// address and length). Inputs: the canonical shapes with every command and
// a spread of keys, numbers, trailers and line ends, then random mutations
// of canonical lines (a byte replaced, inserted or deleted, a cut), so the
// near misses on every side of the fast path's borders are covered.
// text_parser_test.cc feeds canonical pipelines split at every byte.
#include "ringcache/protocol/text_fast_path.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "parser_harness.h"
#include "ringcache/protocol/text_parser.h"

namespace ringcache::protocol {
namespace {

using testing::PrintableBytes;

// A request whose every field holds something no parse writes, so a field
// one path writes and the other does not shows up.
const std::string kStale = "stale-bytes";

TextRequest StaleRequest() {
  TextRequest req;
  req.command = TextCommand::kLru;
  req.noreply = true;
  req.key = kStale;
  req.keys.text = kStale;
  req.keys.first = std::string_view(kStale).substr(1, 3);
  req.keys.count = 77;
  req.exptime = -12345;
  req.client_flags = 0xdeadbeef;
  req.value_bytes = 0xfeedface;
  req.cas = 0x0123456789abcdefull;
  req.delta = 99;
  req.deferred_error = ProtocolError::kFlushNotAllowed;
  return req;
}

// A view as "@offset+length" relative to `input` (or "stale", "other").
std::string Where(std::string_view view, std::string_view input) {
  if (view.data() == nullptr) return "null";
  if (view.data() >= kStale.data() && view.data() <= kStale.data() + kStale.size()) {
    return "stale" + std::to_string(view.data() - kStale.data()) + "+" +
           std::to_string(view.size());
  }
  if (view.data() >= input.data() && view.data() + view.size() <= input.data() + input.size()) {
    return "@" + std::to_string(view.data() - input.data()) + "+" + std::to_string(view.size());
  }
  return "other";
}

// Everything either path may write: the result and the request's fields.
std::string Snapshot(const ParseResult& r, const TextRequest& q, std::string_view input) {
  std::string s = "status=" + std::to_string(static_cast<int>(r.status)) +
                  " error=" + std::to_string(static_cast<int>(r.error)) +
                  " rnoreply=" + std::to_string(r.noreply) +
                  " swallow=" + std::to_string(r.swallow) +
                  " consumed=" + std::to_string(r.consumed);
  s += " command=" + std::to_string(static_cast<int>(q.command)) +
       " noreply=" + std::to_string(q.noreply) + " key=" + Where(q.key, input) +
       " keys.text=" + Where(q.keys.text, input) + " keys.first=" + Where(q.keys.first, input) +
       " keys.count=" + std::to_string(q.keys.count) + " exptime=" + std::to_string(q.exptime) +
       " flags=" + std::to_string(q.client_flags) + " bytes=" + std::to_string(q.value_bytes) +
       " cas=" + std::to_string(q.cas) + " delta=" + std::to_string(q.delta) +
       " deferred=" + std::to_string(static_cast<int>(q.deferred_error));
  return s;
}

struct Tally {
  int fast = 0;      // the fast path took the input
  int declined = 0;  // the general path made a request of an input the fast path declined
  int other = 0;     // errors, need-more, close
};

// Checks one input and counts what became of it.
void Check(const std::string& input, Tally* tally) {
  if (::testing::Test::HasFatalFailure()) return;  // one report, not thousands
  TextRequest fast_req = StaleRequest();
  ParseResult fast_result;
  fast_result.consumed = 4242;
  internal::CanonicalLine line;
  line.consumed = 4242;
  const bool fast = internal::ParseCanonical(input, &line);
  if (fast) {
    fast_result = internal::ApplyCanonical(line, input.data(), &fast_req);
  } else {
    ASSERT_EQ(line.consumed, 4242u) << "declined but wrote: " << PrintableBytes(input);
  }

  TextRequest general_req = StaleRequest();
  const ParseResult general_result = TextParser().ParseGeneral(input, &general_req);
  const std::string general = Snapshot(general_result, general_req, input);

  if (fast) {
    ++tally->fast;
    ASSERT_EQ(Snapshot(fast_result, fast_req, input), general) << PrintableBytes(input);
  } else {
    ParseResult untouched;
    untouched.consumed = 4242;
    ASSERT_EQ(Snapshot(fast_result, fast_req, input), Snapshot(untouched, StaleRequest(), input))
        << "declined but wrote: " << PrintableBytes(input);
    ++(general_result.status == ParseStatus::kRequest ? tally->declined : tally->other);
  }
  // And Parse, which is the two together.
  TextRequest req = StaleRequest();
  const ParseResult r = TextParser().Parse(input, &req);
  ASSERT_EQ(Snapshot(r, req, input), general) << PrintableBytes(input);
}

const std::vector<std::string> kStorageCommands = {"set",    "add",     "replace",
                                                   "append", "prepend", "cas"};

std::vector<std::string> Keys() {
  return {"k",
          "key:000000001",
          "k00000000001",
          std::string(8, 'a'),
          std::string(249, 'x'),
          std::string(250, 'x'),
          std::string(251, 'x'),
          std::string(300, 'y'),
          "a\tb",
          "a\rb",
          "ab\r",
          "\r",
          "\x80\xff",
          "noreply",
          "0",
          std::string("a\0b", 3),
          ""};
}

std::vector<std::string> Numbers() {
  return {"0",
          "1",
          "00",
          "007",
          "32",
          "2147483645",
          "2147483646",
          "2147483647",
          "4294967295",
          "4294967296",
          "4294967297",
          "9999999999",
          "10000000000",
          "99999999999",
          "1234567890123456789",
          "9999999999999999999",
          "18446744073709551615",
          "18446744073709551616",
          "+1",
          "-0",
          "-1",
          "1x",
          "x",
          "\t1",
          "1\t",
          "1\r",
          "",
          "0x10",
          "1 ",
          " 1"};
}

TEST(TextFastPathTest, CanonicalShapesAndTheirArguments) {
  Tally tally;
  const std::vector<std::string> ends = {"\r\n", "\n", "\r\r\n", "", "\r", " \r\n", "\n\r\n"};
  const std::vector<std::string> trailers = {"",           " noreply", " noreply ", " junk",
                                             " noreply x", " NOREPLY", "  noreply", " noreplyx"};
  // Every key with canonical numbers, every number in every slot.
  for (const std::string& cmd : kStorageCommands) {
    const bool cas = cmd == "cas";
    for (const std::string& key : Keys()) {
      for (const std::string& end : ends) {
        for (const std::string& trailer : trailers) {
          const std::string line = cmd + " " + key + " 1 2 3" + (cas ? " 4" : "") + trailer + end;
          Check(line + "abc\r\n", &tally);
        }
      }
    }
    for (const std::string& n : Numbers()) {
      for (int slot = 0; slot < (cas ? 4 : 3); ++slot) {
        std::string args[4] = {"5", "6", "7", "8"};
        args[slot] = n;
        std::string line = cmd + " key " + args[0] + " " + args[1] + " " + args[2];
        if (cas) line += " " + args[3];
        Check(line + "\r\n", &tally);
        Check(line + " noreply\n", &tally);
      }
    }
    // Token counts one off on either side.
    Check(cmd + " key 1 2\r\n", &tally);
    Check(cmd + " key 1 2 3 4 5\r\n", &tally);
    Check(cmd + " key 1 2 3 4 5 noreply\r\n", &tally);
    Check(cmd + " key 1 2 3 4 noreply\r\n", &tally);
    Check(cmd + " key 1 2 3 noreply\r\n", &tally);
    Check(cmd + "\r\n", &tally);
    Check(cmd + " \r\n", &tally);
  }
  for (const char* cmd : {"get", "gets", "gat", "bget", "ge", "getss", "GET"}) {
    for (const std::string& key : Keys()) {
      for (const std::string& end : ends) {
        Check(std::string(cmd) + " " + key + end, &tally);
        Check(std::string(cmd) + " " + key + " " + key + end, &tally);
        Check(std::string(cmd) + "  " + key + end, &tally);
      }
    }
  }
  EXPECT_GT(tally.fast, 1000);
  EXPECT_GT(tally.declined, 500);
  EXPECT_GT(tally.other, 1000);
}

// Canonical lines with one or two random edits, and cut at random points.
TEST(TextFastPathTest, NearMissesOfCanonicalLines) {
  std::mt19937_64 rng(20261207);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::string alphabet = std::string(" \t\r\n\0", 5) + "09+-xn\x80:ks";
  const std::vector<std::string> keys = Keys();
  Tally tally;
  for (int i = 0; i < 60000; ++i) {
    std::string line;
    const size_t c = pick(kStorageCommands.size() + 2);
    if (c < kStorageCommands.size()) {
      const std::string& cmd = kStorageCommands[c];
      line = cmd + " " + keys[pick(4)] + " " + std::to_string(rng() % 100000) + " " +
             std::to_string(rng() % 3) + " " + std::to_string(rng() % 40);
      if (cmd == "cas") line += " " + std::to_string(rng() % 1000000);
      if (pick(3) == 0) line += " noreply";
    } else {
      line = (c == kStorageCommands.size() ? "get " : "gets ") + keys[pick(4)];
    }
    line += pick(4) == 0 ? "\n" : "\r\n";
    const int edits = 1 + static_cast<int>(pick(2));
    for (int e = 0; e < edits; ++e) {
      const size_t at = pick(line.size() + 1);
      const char byte = alphabet[pick(alphabet.size())];
      switch (pick(5)) {
        case 0:
          if (at < line.size()) line[at] = byte;
          break;
        case 1:
          line.insert(at, 1, byte);
          break;
        case 2:
          if (at < line.size()) line.erase(at, 1);
          break;
        case 3:
          line.resize(at);
          break;
        default:
          break;  // unchanged: the canonical line itself
      }
    }
    Check(line + "get next\r\n", &tally);
  }
  EXPECT_GT(tally.fast, 10000);
  EXPECT_GT(tally.declined, 5000);
  EXPECT_GT(tally.other, 10000);
}

}  // namespace
}  // namespace ringcache::protocol
