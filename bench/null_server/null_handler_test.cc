// NullHandler: every input whole and split at every byte boundary, the way
// the engine presents it (unconsumed bytes again, with new ones appended).
#include "null_handler.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringcache::bench {
namespace {

// Hosts a handler the way the engine does, without sockets.
class FakeConnection final : public io::Connection {
 public:
  const io::ConnInfo& info() const override { return info_; }
  base::OutBuffer& out() override { return out_; }
  bool OutputFull() const override { return false; }
  void CloseAfterFlush() override { closed_ = true; }
  void CloseNow() override { closed_ = true; }
  void Flush() override {}

  std::string Output() const {
    std::string s;
    out_.CopyTo(&s);
    return s;
  }
  bool closed() const { return closed_; }

 private:
  io::ConnInfo info_;
  base::BlockPool pool_{256};
  base::OutBuffer out_{&pool_};
  bool closed_ = false;
};

struct Outcome {
  std::string output;
  bool closed = false;
  uint64_t requests = 0;
  size_t left = 0;  // bytes the engine would still keep
};

Outcome Feed(const std::vector<std::string_view>& chunks) {
  std::atomic<uint64_t> requests{0};
  NullHandler handler(&requests, [] { return std::string("STAT x 1\r\n"); });
  FakeConnection conn;
  std::string carry;
  for (std::string_view chunk : chunks) {
    carry.append(chunk);
    const io::DataResult r = handler.OnData(conn, carry);
    EXPECT_LE(r.consumed, carry.size());
    carry.erase(0, r.consumed);
  }
  return {conn.Output(), conn.closed(), requests.load(), carry.size()};
}

struct Case {
  std::string input;
  std::string output;
  uint64_t requests;
};

const std::string kVal(32, 'x');

std::vector<Case> Cases() {
  return {
      {"get k\r\n", "VALUE k 0 32\r\n" + kVal + "\r\nEND\r\n", 1},
      {"get abcdefghijkl\n", "VALUE abcdefghijkl 0 32\r\n" + kVal + "\r\nEND\r\n", 1},
      {"gets a  b\r\n",
       "VALUE a 0 32 1\r\n" + kVal + "\r\nVALUE b 0 32 1\r\n" + kVal + "\r\nEND\r\n", 1},
      {"set k 0 0 5\r\nhello\r\n", "STORED\r\n", 1},
      {"set k 0 0 5 noreply\r\nhel\nl\r\nget k\r\n", "VALUE k 0 32\r\n" + kVal + "\r\nEND\r\n", 2},
      {"cas k 0 0 2 99\r\nab\r\nversion\r\n", "STORED\r\nVERSION 1.6.18-null\r\n", 2},
      {"set k 0 0 abc\r\nbogus\r\n\r\n",
       "CLIENT_ERROR bad command line format\r\nERROR\r\nERROR\r\n", 2},
      {"stats\r\n", "STAT x 1\r\nEND\r\n", 1},
      {"get\r\n", "ERROR\r\n", 1},
  };
}

TEST(NullHandlerTest, WholeInputs) {
  for (const Case& c : Cases()) {
    const Outcome o = Feed({c.input});
    EXPECT_EQ(o.output, c.output) << c.input;
    EXPECT_EQ(o.requests, c.requests) << c.input;
    EXPECT_EQ(o.left, 0u) << c.input;
    EXPECT_FALSE(o.closed);
  }
}

TEST(NullHandlerTest, SplitAtEveryByteBoundary) {
  for (const Case& c : Cases()) {
    for (size_t cut = 0; cut <= c.input.size(); ++cut) {
      const std::string_view in = c.input;
      const Outcome o = Feed({in.substr(0, cut), in.substr(cut)});
      EXPECT_EQ(o.output, c.output) << c.input << " cut at " << cut;
      EXPECT_EQ(o.requests, c.requests) << c.input << " cut at " << cut;
      EXPECT_EQ(o.left, 0u);
    }
  }
}

TEST(NullHandlerTest, OneByteAtATime) {
  std::string all;
  std::string expected;
  uint64_t requests = 0;
  for (const Case& c : Cases()) {
    all += c.input;
    expected += c.output;
    requests += c.requests;
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < all.size(); ++i) bytes.push_back(std::string_view(all).substr(i, 1));
  const Outcome o = Feed(bytes);
  EXPECT_EQ(o.output, expected);
  EXPECT_EQ(o.requests, requests);
}

TEST(NullHandlerTest, PartialLineWaitsAndOverlongLineCloses) {
  const Outcome partial = Feed({"get some-ke"});
  EXPECT_EQ(partial.output, "");
  EXPECT_EQ(partial.left, 11u);
  const Outcome overlong = Feed({std::string(kMaxLine + 1, 'g')});
  EXPECT_EQ(overlong.output, "CLIENT_ERROR line too long\r\n");
  EXPECT_TRUE(overlong.closed);
}

TEST(NullHandlerTest, ManyKeysBeyondTheTokenArray) {
  std::string line = "get";
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    line += " key" + std::to_string(i);
    expected += "VALUE key" + std::to_string(i) + " 0 32\r\n" + kVal + "\r\n";
  }
  const Outcome o = Feed({line + "\r\n"});
  EXPECT_EQ(o.output, expected + "END\r\n");
}

}  // namespace
}  // namespace ringcache::bench
