// The engine's limits over real sockets, on both backends: -c, idle kicks,
// output backpressure, the input limit, running out of descriptors.
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

#include "io_test_util.h"
#include "ringcache/io/engine.h"

namespace ringcache::io::testing {
namespace {

using EngineLimitsTest = BackendTest;

TEST_P(EngineLimitsTest, MaxConnectionsRejectsWithMessage) {
  EngineOptions o = Options();
  o.max_connections = 3;
  o.reject_message = "ERROR Too many open connections\r\n";
  TestServer server(o, MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  std::vector<std::unique_ptr<Client>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(Client::Tcp(server.port()));
    ASSERT_TRUE(open.back()->Send("hi\n"));
    EXPECT_EQ(open.back()->ReadN(3), "hi\n");
  }
  auto extra = Client::Tcp(server.port());
  ASSERT_NE(extra, nullptr);
  EXPECT_EQ(extra->ReadN(33), "ERROR Too many open connections\r\n");
  EXPECT_TRUE(extra->WaitClosed());
  EXPECT_EQ(server.Stat(&WorkerStats::rejected_connections), 1u);
  open.pop_back();
  EXPECT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::curr_connections) == 2; }));
  auto again = Client::Tcp(server.port());
  ASSERT_TRUE(again->Send("back\n"));
  EXPECT_EQ(again->ReadN(5), "back\n");
}

TEST_P(EngineLimitsTest, IdleConnectionsAreKicked) {
  EngineOptions o = Options();
  o.idle_timeout_seconds = 1;
  TestServer server(o, MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto idle = Client::Tcp(server.port());
  auto busy = Client::Tcp(server.port());
  ASSERT_TRUE(idle->Send("x\n"));
  EXPECT_EQ(idle->ReadN(2), "x\n");
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(busy->Send("ping\n"));
    ASSERT_EQ(busy->ReadN(5), "ping\n") << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_TRUE(idle->WaitClosed(3000));
  EXPECT_EQ(server.Stat(&WorkerStats::idle_kicks), 1u);
  ASSERT_TRUE(busy->Send("still\n"));
  EXPECT_EQ(busy->ReadN(6), "still\n");
}

TEST_P(EngineLimitsTest, ClientThatNeverReadsIsStoppedAndBounded) {
  EngineOptions o = Options();
  o.max_output_bytes = 1 << 20;
  std::atomic<size_t> max_out{0};
  TestServer server(
      o, [&](const ConnInfo&, HookCounts*) { return std::make_unique<BigReplies>(&max_out); });
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  int small = 4096;
  setsockopt(c->fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  // Write requests without ever reading until the socket refuses more: the
  // server has stopped reading.
  const std::string req(100, 'r');
  size_t sent = 0;
  for (int stalls = 0; stalls < 50 && sent < (256u << 20);) {
    const ssize_t n =
        ::send(c->fd(), (req + "\n").data(), req.size() + 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      stalls = 0;
    } else {
      ++stalls;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  EXPECT_LT(sent, 256u << 20) << "the server kept reading";
  EXPECT_GE(server.Stat(&WorkerStats::read_pauses), 1u);
  // Output held for the connection never exceeds the limit by more than the
  // reply that crossed it.
  EXPECT_LE(max_out.load(), (1u << 20) + 100000u);
  // Reading everything lets it finish.
  c.reset();
}

TEST_P(EngineLimitsTest, InputBeyondTheLimitClosesTheConnection) {
  EngineOptions o = Options();
  o.max_input_bytes = 64 << 10;
  TestServer server(o, MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  std::thread writer([&] { c->Send(std::string(1 << 20, 'n')); });
  EXPECT_TRUE(c->WaitClosed());
  writer.join();
  EXPECT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::curr_connections) == 0; }));
  // Other connections are unaffected.
  auto d = Client::Tcp(server.port());
  ASSERT_TRUE(d->Send("fine\n"));
  EXPECT_EQ(d->ReadN(5), "fine\n");
}

TEST_P(EngineLimitsTest, ABacklogOfCompleteRequestsPausesReadingInsteadOfClosing) {
  // A handler that yields after every request (memcached's -R) falls behind
  // a client pipelining 4 MB of requests; with a 64 kB input limit the
  // engine must stop reading, not close, and every request gets its reply.
  EngineOptions o = Options();
  o.max_input_bytes = 64 << 10;
  TestServer server(
      o, [](const ConnInfo&, HookCounts*) { return std::make_unique<OneLinePerCall>(); });
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  std::string requests;
  for (int i = 0; i < 100000; ++i) requests += "request " + std::to_string(i) + " ......\n";
  std::thread writer([&] { EXPECT_TRUE(c->Send(requests)); });
  const std::string got = c->ReadN(requests.size(), 60000);
  writer.join();
  EXPECT_TRUE(got == requests) << got.size() << " of " << requests.size() << " bytes echoed";
  EXPECT_EQ(server.Stat(&WorkerStats::curr_connections), 1u);
}

TEST_P(EngineLimitsTest, RunningOutOfDescriptorsPausesAccepting) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const EngineKind kind = GetParam();
  EXPECT_EXIT(
      {
        EngineOptions o;
        o.kind = kind;
        TestServer server(o, MakeLineEcho);
        if (!server.status().ok()) _exit(10);
        {
          // Warm up first: every thread exists and every code path ran once
          // before descriptors get scarce (sanitizer runtimes need spare
          // descriptors on first use of some checks).
          auto warm = Client::Tcp(server.port());
          if (warm == nullptr || !warm->Send("warm\n") || warm->ReadN(5) != "warm\n") _exit(14);
        }
        // The client sockets exist before descriptors get scarce; then the
        // limit leaves the server room for two accepts at most.
        std::vector<int> fds;
        for (int i = 0; i < 6; ++i) fds.push_back(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        rlimit rl{};
        getrlimit(RLIMIT_NOFILE, &rl);
        const int probe = dup(0);
        ::close(probe);
        rl.rlim_cur = static_cast<rlim_t>(probe + 2);
        // io_uring reads the limit when an accept is armed: re-arm it after
        // lowering the limit (a server sets its limit before it listens).
        server.engine().SetAccepting(false);
        if (!Barrier(server.engine())) _exit(16);
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(11);
        server.engine().SetAccepting(true);
        if (!Barrier(server.engine())) _exit(17);
        const uint64_t disabled = server.Stat(&WorkerStats::listen_disabled_num);
        for (int fd : fds) {
          sockaddr_in a{};
          a.sin_family = AF_INET;
          a.sin_port = htons(static_cast<uint16_t>(server.port()));
          a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) _exit(15);
        }
        if (!WaitFor([&] { return server.Stat(&WorkerStats::listen_disabled_num) > disabled; })) {
          _exit(12);
        }
        // Free descriptors: the engine accepts again after its pause.
        for (int fd : fds) ::close(fd);
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        auto c = Client::Tcp(server.port());
        if (c == nullptr || !c->Send("again\n") || c->ReadN(6) != "again\n") _exit(13);
        _exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineLimitsTest, kBothBackends, BackendName);

}  // namespace
}  // namespace ringcache::io::testing
