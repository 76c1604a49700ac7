// The look-ahead (Connection::OnDataSoon) parses a turn's canonical lines
// before they are served and serves them from what it parsed. That must
// change nothing a client sees: the same input, split into the same turns,
// gets the same replies byte for byte from a worker that looks ahead (as
// the io_uring engine's) and from one that does not (as the epoll engine's),
// and leaves the same bytes unconsumed. Checked for every split of a mixed
// pipeline into two turns, and for the pipeline a byte per turn.
#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "host_worker.h"

namespace ringcache::server {
namespace {

using hosted::HostedConn;
using hosted::HostWorker;

// Canonical lines, their near misses, value blocks that read like requests
// or have the wrong length, commands the look-ahead does not parse, errors.
// Nothing here depends on the clock (no TTLs to read, no stats).
const std::vector<std::string> kRequests = {
    "set a 1 0 7\r\nget b\r\n\r\n",
    "get a\r\n",
    "gets a\r\n",
    "get  a\r\n",
    "get a b a\r\n",
    "set b 0 0 3 noreply\r\nabc\r\n",
    "get b\n",
    "set c 0 0 2\r\nabcd\r\n",
    "get c\r\n",
    "cas a 0 0 1 1\r\nz\r\n",
    "gets a\r\n",
    "append a 0 0 2\r\n!!\r\nprepend a 0 0 2\r\n<<\r\nget a\r\n",
    "add a 0 0 1\r\nq\r\nreplace z 0 0 1\r\nq\r\n",
    "set d\re 0 0 1\r\nr\r\nget d\re\r\n",
    "set p 0 0 abc\r\n",
    "mg a v k\r\nms f 2\r\nhi\r\nmg f v\r\n",
    "delete b\r\nget b\r\nincr g 1\r\ntouch a 0\r\n",
    "set h 0 0 1 noreply\r\n1\r\nincr h 5\r\nget h\r\n",
    "set i 0 -1 1\r\nx\r\nget i\r\n",
    "set j 0 0 1 norepl\r\nx\r\n",
    "get j\r\nversionx\r\nget a\r\n",
    "set k 0 0 4\r\nab\r\n\r\nget k\r\n",
    "get " + std::string(250, 'k') + "\r\nget " + std::string(251, 'k') + "\r\n",
    "set " + std::string(250, 'l') + " 7 0 1\r\nL\r\nget " + std::string(250, 'l') + "\r\n",
};

std::string Pipeline() {
  std::string all;
  for (const std::string& r : kRequests) all += r;
  return all;
}

// Both workers get the same connection and the same turns; their replies
// and leftovers must agree turn by turn.
class Pair {
 public:
  Pair() : planned_(planned_worker_, 1), plain_(plain_worker_, 1) {
    // A connection's first bytes decide its protocol, and the look-ahead
    // skips a connection whose protocol is undecided: start with a no-op.
    Turn("mn\r\n");
  }
  void Turn(std::string_view bytes) {
    const std::string a = planned_.Turn(bytes, /*look_ahead=*/true);
    const std::string b = plain_.Turn(bytes, /*look_ahead=*/false);
    ASSERT_EQ(a, b);
    ASSERT_EQ(planned_.pending(), plain_.pending());
    replies_ += a;
  }
  const std::string& replies() const { return replies_; }

 private:
  HostWorker planned_worker_{64};
  HostWorker plain_worker_{64};
  HostedConn planned_;
  HostedConn plain_;
  std::string replies_;
};

TEST(LookAheadTest, WholePipelineInOneTurn) {
  Pair pair;
  pair.Turn(Pipeline());
  // The pipeline was served, not skipped: its last get hits.
  EXPECT_NE(pair.replies().find("VALUE " + std::string(250, 'l') + " 7 1\r\nL\r\nEND\r\n"),
            std::string::npos);
}

TEST(LookAheadTest, EverySplitIntoTwoTurns) {
  const std::string all = Pipeline();
  for (size_t k = 0; k <= all.size(); ++k) {
    SCOPED_TRACE("split at " + std::to_string(k));
    Pair pair;
    pair.Turn(std::string_view(all).substr(0, k));
    pair.Turn(std::string_view(all).substr(k));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(LookAheadTest, AByteATurn) {
  const std::string all = Pipeline();
  Pair pair;
  for (char c : all) {
    pair.Turn(std::string_view(&c, 1));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(LookAheadTest, RepeatedCanonicalRuns) {
  // Long runs of canonical lines fill the plan (16 keys per connection and
  // turn), so the lines past it are parsed when served.
  std::string run;
  for (int i = 0; i < 100; ++i) {
    run += "set r" + std::to_string(i) + " 0 0 2\r\nv" + std::to_string(i % 10) + "\r\n";
    run += "get r" + std::to_string(i / 2) + "\r\n";
  }
  Pair pair;
  pair.Turn(run);
  pair.Turn(run);
}

TEST(LookAheadTest, APlanHoldsForItsTurnOnly) {
  // The engine hands a buffer to OnDataSoon and to OnData in the same turn;
  // should a buffer ever come back in a later turn, whose plan holds other
  // connections' lines, it must be parsed afresh.
  HostWorker w{64};
  HostedConn x(w, 1);
  HostedConn y(w, 2);
  x.Turn("mn\r\n", true);
  y.Turn("mn\r\n", true);
  x.TakeOutput();
  y.TakeOutput();
  WorkerContext& wc = w.context();
  const std::string bx = "get a\r\nset x 0 0 1\r\n1\r\n";
  const std::string by = "set y 0 0 2\r\nyy\r\nget y\r\n";
  // Turn 1: x's bytes are looked at, not served.
  wc.OnTurnStart();
  x.handler().OnDataSoon(bx);
  wc.AfterDataSoon();
  wc.OnTurnEnd();
  // Turn 2: y's bytes are planned (into the plan's first entries, where
  // x's were) and served, then x's same buffer.
  wc.OnTurnStart();
  y.handler().OnDataSoon(by);
  wc.AfterDataSoon();
  EXPECT_EQ(y.handler().OnData(y.host(), by).consumed, by.size());
  EXPECT_EQ(x.handler().OnData(x.host(), bx).consumed, bx.size());
  wc.OnTurnEnd();
  EXPECT_EQ(y.TakeOutput(), "STORED\r\nVALUE y 0 2\r\nyy\r\nEND\r\n");
  EXPECT_EQ(x.TakeOutput(), "END\r\nSTORED\r\n");
}

}  // namespace
}  // namespace ringcache::server
