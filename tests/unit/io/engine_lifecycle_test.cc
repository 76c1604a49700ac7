// The engine's lifecycle and control, on both backends: Drain, Stop, Post,
// SetAccepting, the hooks' turn bracketing, bind errors from Create.
#include <string>
#include <thread>
#include <vector>

#include <sys/socket.h>

#include "gtest/gtest.h"

#include "io_test_util.h"
#include "ringcache/io/engine.h"

namespace ringcache::io::testing {
namespace {

using EngineLifecycleTest = BackendTest;

TEST_P(EngineLifecycleTest, DrainFlushesRepliesThenStops) {
  std::atomic<size_t> max_out{0};
  TestServer server(Options(), [&](const ConnInfo&, HookCounts*) {
    return std::make_unique<BigReplies>(&max_out);
  });
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  ASSERT_TRUE(c->Send("a\nb\nc\n"));
  // Once the bytes are read they are handled in that same turn, before the
  // drain request can be seen (it arrives through the worker's queue).
  ASSERT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::bytes_read) == 6; }));
  server.engine().Drain();
  ASSERT_TRUE(WaitFor([&] {
    auto refused = Client::Tcp(server.port());
    return refused == nullptr;
  })) << "new connections are refused during the drain";
  // The 300 kB of replies still arrive in full, then the connection closes.
  const std::string got = c->ReadN(300000, 5000);
  EXPECT_EQ(got.size(), 300000u);
  EXPECT_TRUE(c->WaitClosed());
  EXPECT_TRUE(server.Join().ok());
  EXPECT_EQ(Client::Tcp(server.port()), nullptr) << "no longer listening";
}

TEST_P(EngineLifecycleTest, DrainAnswersRequestsAlreadyReceived) {
  // A handler that yields after each line still has five lines queued when
  // the drain starts: they were received, so they are answered.
  TestServer server(
      Options(), [](const ConnInfo&, HookCounts*) { return std::make_unique<OneLinePerCall>(); });
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  const std::string batch = "1\n2\n3\n4\n5\n6\n";
  ASSERT_TRUE(c->Send(batch));
  ASSERT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::bytes_read) == batch.size(); }));
  server.engine().Drain();
  EXPECT_EQ(c->ReadN(batch.size()), batch);
  EXPECT_TRUE(c->WaitClosed());
  EXPECT_TRUE(server.Join().ok());
}

TEST_P(EngineLifecycleTest, StopIsPromptWithIdleClients) {
  TestServer server(Options(), MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 20; ++i) clients.push_back(Client::Tcp(server.port()));
  ASSERT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::curr_connections) == 20; }));
  const auto start = std::chrono::steady_clock::now();
  server.engine().Stop();
  EXPECT_TRUE(server.Join().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  for (auto& c : clients) EXPECT_TRUE(c->WaitClosed());
  EXPECT_EQ(server.counts().closes, 20);
}

// Keeps its Connection so a posted task can answer later.
class Deferred final : public ConnectionHandler {
 public:
  explicit Deferred(std::atomic<Connection*>* slot) : slot_(slot) {}
  DataResult OnData(Connection& conn, std::string_view data) override {
    *slot_ = &conn;
    return {data.size(), false};
  }
  void OnClose(Connection& conn) override { *slot_ = nullptr; }

 private:
  std::atomic<Connection*>* slot_;
};

TEST_P(EngineLifecycleTest, PostedTaskRunsOnTheWorkerAndCanFlush) {
  std::atomic<Connection*> conn{nullptr};
  TestServer server(
      Options(), [&](const ConnInfo&, HookCounts*) { return std::make_unique<Deferred>(&conn); });
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  ASSERT_TRUE(c->Send("x"));
  ASSERT_TRUE(WaitFor([&] { return conn.load() != nullptr; }));
  std::atomic<bool> ran{false};
  const auto test_thread = std::this_thread::get_id();
  server.engine().Post(0, [&] {
    ran = std::this_thread::get_id() != test_thread;
    conn.load()->out().Append("late reply\n");
    conn.load()->Flush();
  });
  EXPECT_EQ(c->ReadN(11), "late reply\n");
  EXPECT_TRUE(ran);
}

TEST_P(EngineLifecycleTest, SetAcceptingPausesAccepts) {
  TestServer server(Options(), MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  server.engine().SetAccepting(false);
  EXPECT_EQ(server.Stat(&WorkerStats::listen_disabled_num), 1u);
  ASSERT_TRUE(Barrier(server.engine()));
  // The kernel completes the handshake into the backlog, but nobody accepts.
  auto waiting = Client::Tcp(server.port());
  ASSERT_NE(waiting, nullptr);
  ASSERT_TRUE(waiting->Send("queued\n"));
  EXPECT_EQ(waiting->ReadN(7, 200), "");
  EXPECT_EQ(server.counts().accepts, 0);
  server.engine().SetAccepting(true);
  EXPECT_EQ(waiting->ReadN(7), "queued\n");
}

TEST_P(EngineLifecycleTest, HooksBracketEveryTurnAndBlock) {
  TestServer server(Options(), MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(c->Send("turn\n"));
    ASSERT_EQ(c->ReadN(5), "turn\n");
  }
  server.engine().Stop();
  ASSERT_TRUE(server.Join().ok());
  EXPECT_EQ(server.counts().order_violations, 0);
  EXPECT_GT(server.counts().turn_starts, 0);
  EXPECT_EQ(server.counts().turn_starts, server.counts().turn_ends);
  EXPECT_EQ(server.counts().before_block, server.counts().after_wake);
  EXPECT_GT(server.counts().before_block, 0);
}

TEST_P(EngineLifecycleTest, BindConflictIsReportedByCreate) {
  TestServer first(Options(), MakeLineEcho);
  ASSERT_TRUE(first.status().ok()) << first.status();
  // The first engine's ring exists before the second one probes io_uring:
  // under ThreadSanitizer a probe ring unmapped while another thread maps
  // its ring at the same address looks like a race (liburing maps and
  // unmaps with raw syscalls that the sanitizer does not see).
  ASSERT_TRUE(Barrier(first.engine()));
  EngineOptions o = Options();
  o.tcp.push_back(ListenAddress{"127.0.0.1", first.port()});
  TestServer second(o, MakeLineEcho);
  EXPECT_FALSE(second.status().ok());
  EXPECT_NE(second.status().message().find("Address already in use"), std::string::npos)
      << second.status();
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineLifecycleTest, kBothBackends, BackendName);

}  // namespace
}  // namespace ringcache::io::testing
