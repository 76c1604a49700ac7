// Whole ringload runs against Debian's memcached over real sockets and real
// io_uring: counts add up, every protocol and operation is understood,
// --verify catches corrupted values, the open loop holds its rate, several
// servers share the keys, and failures are counted rather than hidden.

#include "run.h"

#include <atomic>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

#include "memcached_process.h"
#include "options.h"

namespace ringcache::ringload {
namespace {

using testing::MemcachedProcess;

absl::StatusOr<RunResult> RunWith(std::vector<std::string> args) {
  args.push_back("--quiet");
  absl::StatusOr<Options> options = ParseOptions(args);
  if (!options.ok()) return options.status();
  return Run(*options, nullptr);
}

std::string Server(const MemcachedProcess& m) { return absl::StrCat("127.0.0.1:", m.port()); }

uint64_t Get(const Counters& c, OpKind op) { return c.ops[static_cast<size_t>(op)].requests; }

// "stats" from memcached, one value.
uint64_t Stat(MemcachedProcess& m, std::string_view name) {
  const std::string reply =
      m.Exchange("stats\r\n", [](std::string_view got) { return got.ends_with("END\r\n"); });
  const std::string needle = absl::StrCat("STAT ", std::string(name), " ");
  const size_t at = reply.find(needle);
  if (at == std::string::npos) return UINT64_MAX;
  return std::stoull(reply.substr(at + needle.size()));
}

TEST(RunTest, PreloadedGetsAllHitAndCountsAddUp) {
  MemcachedProcess memcached;
  ASSERT_TRUE(memcached.Start());
  absl::StatusOr<RunResult> r =
      RunWith({"--server", Server(memcached), "--keys", "2000", "--preload", "--ratio", "1:0",
               "--threads", "2", "--connections", "4", "--pipeline", "8", "--duration", "1"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->preload.requests(), 2000u);
  EXPECT_EQ(r->preload.error_total(), 0u);
  EXPECT_EQ(Stat(memcached, "curr_items"), 2000u);
  const Counters& c = r->counters;
  EXPECT_GT(c.requests(), 1000u);
  EXPECT_EQ(c.requests(), Get(c, OpKind::kGet));
  EXPECT_EQ(c.hits(), c.requests());
  EXPECT_EQ(c.misses(), 0u);
  EXPECT_EQ(c.error_total(), 0u);
  EXPECT_EQ(r->latency.count(), c.requests());
  EXPECT_NEAR(r->measured_seconds, 1.0, 0.05);
  EXPECT_EQ(r->live_connections, 8);
  // The timeline covers the measured second and adds up to the totals.
  uint64_t timeline_requests = 0;
  for (const TimelinePoint& p : r->timeline) timeline_requests += p.counters.requests();
  EXPECT_EQ(timeline_requests, c.requests());
  // memcached saw every request (preload sets and gets; in-flight ones at
  // the end were sent but not counted by us).
  EXPECT_GE(Stat(memcached, "cmd_get"), c.requests());
}

TEST(RunTest, RequestQuotaIsExact) {
  MemcachedProcess memcached;
  ASSERT_TRUE(memcached.Start());
  absl::StatusOr<RunResult> r =
      RunWith({"--server", Server(memcached), "--keys", "1000", "--ratio", "1:1", "--threads", "3",
               "--connections", "5", "--pipeline", "4", "--requests", "10001"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->counters.requests(), 10001u);
  EXPECT_EQ(r->counters.error_total(), 0u);
  EXPECT_EQ(Stat(memcached, "cmd_get") + Stat(memcached, "cmd_set"), 10001u);
}

// Every protocol, with both ways of receiving (multishot into provided
// buffers, plain receives into each connection's buffer).
class ProtocolRunTest : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {};

TEST_P(ProtocolRunTest, EveryOperationWithVerify) {
  MemcachedProcess memcached;
  ASSERT_TRUE(memcached.Start());
  const auto [protocol, receive] = GetParam();
  // Gets (batches of 5), sets, deletes, incrs and touches, values checked.
  std::vector<std::string> args = {"--server", Server(memcached), "--protocol", protocol};
  for (const char* arg : {"--recv", receive, "--keys", "500", "--preload", "--ratio", "10:3:1:2:1",
                          "--multiget", "5", "--value-size", "32-300", "--verify"}) {
    args.push_back(arg);
  }
  for (const char* arg : {"--connections", "4", "--pipeline", "4", "--requests", "20000"}) {
    args.push_back(arg);
  }
  absl::StatusOr<RunResult> r = RunWith(args);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NE(r->ring_mode.find(receive), std::string::npos) << r->ring_mode;
  const Counters& c = r->counters;
  EXPECT_EQ(c.requests(), 20000u);
  EXPECT_EQ(c.error_total(), 0u) << "errors in a clean run";
  for (size_t op = 0; op < kOpKinds; ++op) EXPECT_GT(c.ops[op].requests, 0u) << op;
  const OpCounters& gets = c.ops[static_cast<size_t>(OpKind::kGet)];
  EXPECT_EQ(gets.keys, 5 * gets.requests);
  EXPECT_EQ(gets.hits + gets.misses, gets.keys);
  EXPECT_GT(gets.hits, gets.keys / 2);  // deletes make some misses
  const OpCounters& incrs = c.ops[static_cast<size_t>(OpKind::kIncr)];
  EXPECT_GT(incrs.hits, 0u) << "preloaded counters are numeric";
  EXPECT_EQ(r->preload.requests(), 1000u) << "values and counters";
}

INSTANTIATE_TEST_SUITE_P(Protocols, ProtocolRunTest,
                         ::testing::Combine(::testing::Values("text", "meta", "binary"),
                                            ::testing::Values("multishot", "plain")),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)) + "_" +
                                  std::get<1>(info.param);
                         });

TEST(RunTest, VerifyCountsEveryCorruptedValue) {
  MemcachedProcess memcached;
  ASSERT_TRUE(memcached.Start());
  ASSERT_TRUE(RunWith({"--server", Server(memcached), "--keys", "300", "--preload", "--verify",
                       "--duration", "0"})
                  .ok());
  // Three values replaced behind ringload's back: one by garbage, one by
  // another key's intact value, one cut short.
  const std::string other = memcached.Exchange(
      "get k00000000100\r\n", [](std::string_view g) { return g.ends_with("END\r\n"); });
  const size_t data_at = other.find("\r\n") + 2;
  const std::string moved = other.substr(data_at, other.size() - data_at - 7);
  auto set = [&](std::string_view key, std::string_view value) {
    return memcached.Exchange(absl::StrCat("set ", std::string(key), " 0 0 ", value.size(), "\r\n",
                                           std::string(value), "\r\n"),
                              [](std::string_view g) { return g.ends_with("\r\n"); });
  };
  ASSERT_EQ(set("k00000000007", std::string(32, 'x')), "STORED\r\n");
  ASSERT_EQ(set("k00000000008", moved), "STORED\r\n");
  ASSERT_EQ(set("k00000000009", "short"), "STORED\r\n");
  for (const char* protocol : {"text", "meta", "binary"}) {
    // Read every key exactly once.
    absl::StatusOr<RunResult> r =
        RunWith({"--server", Server(memcached), "--protocol", protocol, "--keys", "300", "--ratio",
                 "1:0", "--verify", "--distribution", "sequential", "--connections", "1",
                 "--pipeline", "8", "--requests", "300"});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->counters.hits(), 300u) << protocol;
    EXPECT_EQ(r->counters.errors[static_cast<size_t>(ErrorKind::kVerify)], 3u) << protocol;
    EXPECT_EQ(r->counters.verify_failures[0], 1u) << "too short";
    EXPECT_EQ(r->counters.verify_failures[1], 1u) << "bad version";
    EXPECT_EQ(r->counters.verify_failures[2], 1u) << "checksum: another key's value";
  }
}

TEST(RunTest, OpenLoopHoldsItsRate) {
  MemcachedProcess memcached;
  ASSERT_TRUE(memcached.Start());
  absl::StatusOr<RunResult> r =
      RunWith({"--server", Server(memcached), "--keys", "1000", "--preload", "--ratio", "1:0",
               "--rate", "20000", "--connections", "8", "--pipeline", "8", "--duration", "2"});
  ASSERT_TRUE(r.ok()) << r.status();
  // Poisson arrivals: 40000 expected, standard deviation 200.
  EXPECT_NEAR(r->ops_per_sec(), 20000, 1000);
  EXPECT_EQ(r->counters.error_total(), 0u);
  EXPECT_EQ(r->schedule.dropped, 0u);
  // Lateness is recorded for every request sent in the measured phase,
  // answered or still in flight at the end.
  EXPECT_GE(r->schedule.lag.count(), r->latency.count());
  EXPECT_LE(r->schedule.lag.count(), r->latency.count() + 8 * 8);
}

TEST(RunTest, KeysSpreadOverSeveralServers) {
  MemcachedProcess a, b;
  ASSERT_TRUE(a.Start());
  ASSERT_TRUE(b.Start());
  absl::StatusOr<RunResult> r =
      RunWith({"--server", Server(a), "--server", Server(b), "--keys", "4000", "--preload",
               "--ratio", "1:0", "--connections", "2", "--pipeline", "4", "--requests", "4000"});
  ASSERT_TRUE(r.ok()) << r.status();
  const uint64_t on_a = Stat(a, "curr_items");
  const uint64_t on_b = Stat(b, "curr_items");
  EXPECT_EQ(on_a + on_b, 4000u) << "each key stored once, on its owner";
  EXPECT_NEAR(static_cast<double>(on_a), 2000, 400);
  // Gets are routed to the owner: every one hits.
  EXPECT_EQ(r->counters.hits(), 4000u);
  EXPECT_EQ(r->counters.misses(), 0u);
}

TEST(RunTest, LargeValuesGrowTheBuffers) {
  MemcachedProcess memcached;
  ASSERT_TRUE(memcached.Start({"-I", "2m", "-m", "256"}));
  for (const char* receive : {"multishot", "plain"}) {
    // Replies of up to 2.7 MB: many receive buffers each.
    std::vector<std::string> args = {"--server", Server(memcached), "--recv", receive};
    for (const char* arg :
         {"--keys", "40", "--preload", "--value-size", "300000-900000", "--verify", "--ratio",
          "3:1", "--multiget", "3", "--connections", "2", "--pipeline", "3", "--requests", "200"}) {
      args.push_back(arg);
    }
    absl::StatusOr<RunResult> r = RunWith(args);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->counters.error_total(), 0u) << receive;
    EXPECT_EQ(r->counters.misses(), 0u) << receive;
    EXPECT_GT(r->counters.bytes_received, 100u * 300000) << receive;
    EXPECT_NE(r->ring_mode.find(receive), std::string::npos) << r->ring_mode;
  }
}

TEST(RunTest, ServerGoneIsAConnectionError) {
  // Closed loop, then open loop (whose arrivals must not wait for a
  // connection that will never come back).
  for (const char* loop : {"--pipeline", "--rate"}) {
    auto memcached = std::make_unique<MemcachedProcess>();
    ASSERT_TRUE(memcached->Start());
    const std::string server = Server(*memcached);
    std::thread killer([&] {
      usleep(300'000);
      memcached.reset();  // killed: the kernel closes every connection
    });
    const std::string loop_value = std::string(loop) == "--rate" ? "5000" : "2";
    absl::StatusOr<RunResult> r = RunWith({"--server", server, "--keys", "100", "--connections",
                                           "3", loop, loop_value, "--duration", "5"});
    killer.join();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->counters.errors[static_cast<size_t>(ErrorKind::kConnection)], 3u) << loop;
    EXPECT_EQ(r->live_connections, 0) << loop;
    EXPECT_LT(r->measured_seconds, 4.0) << "the run ends once every connection is gone";
  }
}

TEST(RunTest, GarbageRepliesAreProtocolErrors) {
  // A server that answers every request with something no client expects.
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  listen(listener, 8);
  std::thread server([listener] {
    const int c = accept(listener, nullptr, nullptr);
    char buf[4096];
    if (recv(c, buf, sizeof(buf), 0) > 0) send(c, "STORED\r\n", 8, MSG_NOSIGNAL);
    usleep(200'000);
    close(c);
  });
  absl::StatusOr<RunResult> r =
      RunWith({"--server", absl::StrCat("127.0.0.1:", ntohs(addr.sin_port)), "--ratio", "1:0",
               "--connections", "1", "--duration", "3"});
  server.join();
  close(listener);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->counters.errors[static_cast<size_t>(ErrorKind::kProtocol)], 1u);
  EXPECT_EQ(r->counters.requests(), 0u);
}

// A listener that accepts and never answers.
class SilentServer {
 public:
  SilentServer() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(listener_, 64);  // the kernel completes handshakes; nobody reads
  }
  ~SilentServer() { close(listener_); }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  int listener_;
  int port_;
};

TEST(RunTest, SilentServerTimesOut) {
  SilentServer silent;
  absl::StatusOr<RunResult> r = RunWith(
      {"--server", silent.address(), "--connections", "2", "--timeout", "1", "--duration", "10"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->counters.errors[static_cast<size_t>(ErrorKind::kTimeout)], 2u);
  EXPECT_EQ(r->live_connections, 0);
  EXPECT_LT(r->measured_seconds, 3.5) << "dropped after about a second, then the run ends";
  // A preload that gets no answer fails the run instead of hanging it.
  const absl::StatusOr<RunResult> preload =
      RunWith({"--server", silent.address(), "--connections", "2", "--timeout", "1", "--preload"});
  EXPECT_FALSE(preload.ok());
}

TEST(RunTest, UnreachableServerFailsTheRun) {
  absl::StatusOr<RunResult> r = RunWith({"--server", "127.0.0.1:1", "--duration", "1"});
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace ringcache::ringload
