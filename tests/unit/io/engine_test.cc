// The engine over real sockets and the real ring: every test runs on both
// backends (io_uring and epoll).
#include "ringcache/io/engine.h"

#include <string>
#include <vector>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gtest/gtest.h"

#include "io_test_util.h"

namespace ringcache::io::testing {
namespace {

class EngineTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  EngineOptions Options() {
    EngineOptions o;
    o.kind = GetParam();
    o.workers = 1;
    return o;
  }
};

TEST_P(EngineTest, EchoesLines) {
  TestServer server(Options(), MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  EXPECT_EQ(server.engine().kind(), GetParam());
  auto c = Client::Tcp(server.port());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("hello\n"));
  EXPECT_EQ(c->ReadN(6), "hello\n");
  ASSERT_TRUE(c->Send("a\nb\nc"));
  EXPECT_EQ(c->ReadN(4), "a\nb\n");
  ASSERT_TRUE(c->Send("\n"));
  EXPECT_EQ(c->ReadN(2), "c\n");
  EXPECT_EQ(server.Stat(&WorkerStats::curr_connections), 1u);
  EXPECT_EQ(server.Stat(&WorkerStats::total_connections), 1u);
  EXPECT_GE(server.Stat(&WorkerStats::kernel_entries), 1u);
  EXPECT_EQ(server.counts().order_violations, 0);
}

TEST_P(EngineTest, PartialRequestWaitsForTheRestByteByByte) {
  TestServer server(Options(), MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  ASSERT_NE(c, nullptr);
  const std::string line = "a request split into one-byte segments\n";
  for (size_t i = 0; i < line.size(); ++i) {
    ASSERT_TRUE(c->Send(line.substr(i, 1)));
    // The next byte goes only once the server has read this one: every
    // byte is a receive of its own.
    ASSERT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::bytes_read) == i + 1; }));
  }
  EXPECT_EQ(c->ReadN(line.size()), line);
  EXPECT_EQ(server.Stat(&WorkerStats::recv_completions), line.size());
}

TEST_P(EngineTest, OneMegabyteRequestSpanningManyBuffers) {
  EngineOptions o = Options();
  o.recv_buffer_size = 4096;
  TestServer server(o, MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  ASSERT_NE(c, nullptr);
  std::string line;
  for (int i = 0; line.size() < (1 << 20); ++i) line += std::to_string(i) + ",";
  line += "\n";
  std::thread writer([&] { EXPECT_TRUE(c->Send(line)); });
  const std::string got = c->ReadN(line.size(), 10000);
  writer.join();
  EXPECT_EQ(got.size(), line.size());
  EXPECT_TRUE(got == line);
  EXPECT_GE(server.Stat(&WorkerStats::recv_completions), line.size() / 4096);
}

TEST_P(EngineTest, PipelinedRequestsAnsweredInOrder) {
  TestServer server(Options(), MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  ASSERT_NE(c, nullptr);
  std::string batch;
  for (int i = 0; i < 5000; ++i) batch += "request-" + std::to_string(i) + "\n";
  std::thread writer([&] { EXPECT_TRUE(c->Send(batch)); });
  const std::string got = c->ReadN(batch.size(), 10000);
  writer.join();
  EXPECT_TRUE(got == batch);
  // Replies were coalesced: far fewer sends than requests.
  EXPECT_LT(server.Stat(&WorkerStats::sends), 5000u / 4);
}

TEST_P(EngineTest, ManyConnectionsOnTwoWorkers) {
  EngineOptions o = Options();
  o.workers = 2;
  TestServer server(o, MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 300; ++i) {
    clients.push_back(Client::Tcp(server.port()));
    ASSERT_NE(clients.back(), nullptr);
  }
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < clients.size(); ++i) {
      ASSERT_TRUE(clients[i]->Send("conn " + std::to_string(i) + "\n"));
    }
    for (size_t i = 0; i < clients.size(); ++i) {
      const std::string want = "conn " + std::to_string(i) + "\n";
      EXPECT_EQ(clients[i]->ReadN(want.size()), want);
    }
  }
  EXPECT_EQ(server.Stat(&WorkerStats::curr_connections), 300u);
  // SO_REUSEPORT spread the connections over both workers.
  EXPECT_GT(server.engine().stats(0).total_connections.load(), 0u);
  EXPECT_GT(server.engine().stats(1).total_connections.load(), 0u);
  clients.clear();
  EXPECT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::curr_connections) == 0; }));
  EXPECT_EQ(server.counts().closes, 300);
  EXPECT_EQ(server.counts().order_violations, 0);
}

TEST_P(EngineTest, AcceptedSocketsHaveNoDelay) {
  std::atomic<int> nodelay{-1};
  TestServer server(Options(), [&](const ConnInfo& info, HookCounts* counts) {
    int v = 0;
    socklen_t len = sizeof(v);
    getsockopt(info.fd, IPPROTO_TCP, TCP_NODELAY, &v, &len);
    nodelay = v;
    return MakeLineEcho(info, counts);
  });
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  ASSERT_TRUE(c->Send("x\n"));
  EXPECT_EQ(c->ReadN(2), "x\n");
  EXPECT_EQ(nodelay.load(), 1);
}

TEST_P(EngineTest, HandlerCloseNowAndCloseAfterFlush) {
  TestServer server(Options(), MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto a = Client::Tcp(server.port());
  ASSERT_TRUE(a->Send("one\ntwo\nquit\nnever\n"));
  EXPECT_EQ(a->ReadUntil("two\n"), "one\ntwo\n");
  EXPECT_TRUE(a->WaitClosed());
  auto b = Client::Tcp(server.port());
  ASSERT_TRUE(b->Send("close\n"));
  EXPECT_TRUE(b->WaitClosed());
  EXPECT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::curr_connections) == 0; }));
  EXPECT_EQ(server.counts().closes, 2);
}

TEST_P(EngineTest, HalfClosedSocketStillGetsItsReplies) {
  TestServer server(Options(), MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  std::string batch;
  for (int i = 0; i < 2000; ++i) batch += "half-" + std::to_string(i) + "\n";
  ASSERT_TRUE(c->Send(batch + "partial-without-newline"));
  c->ShutdownWrite();
  EXPECT_TRUE(c->ReadN(batch.size() + 1) == batch) << "replies, then EOF";
  EXPECT_TRUE(WaitFor([&] { return server.counts().peer_closed == 1; }));
  EXPECT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::curr_connections) == 0; }));
}

// A handler that takes one line per call and yields while more remain
// (memcached's -R 1).
class OneLinePerCall final : public ConnectionHandler {
 public:
  DataResult OnData(Connection& conn, std::string_view data) override {
    const size_t nl = data.find('\n');
    if (nl == std::string_view::npos) return {0, false};
    conn.out().Append(data.substr(0, nl + 1));
    return {nl + 1, nl + 1 < data.size()};
  }
};

TEST_P(EngineTest, YieldingHandlerIsCalledAgainWithoutNewData) {
  TestServer server(
      Options(), [](const ConnInfo&, HookCounts*) { return std::make_unique<OneLinePerCall>(); });
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  const std::string batch = "1\n2\n3\n4\n5\n6\n";
  ASSERT_TRUE(c->Send(batch));
  EXPECT_EQ(c->ReadN(batch.size()), batch);
  EXPECT_GE(server.Stat(&WorkerStats::conn_yields), 5u);
  EXPECT_EQ(server.counts().order_violations, 0);
}

TEST_P(EngineTest, MaxConnectionsRejectsWithMessage) {
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

TEST_P(EngineTest, IdleConnectionsAreKicked) {
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

// Answers every line with 100 kB: lets a client make the server produce far
// more output than it reads. Like a well-behaved protocol handler it stops
// consuming while the output is full.
class BigReplies final : public ConnectionHandler {
 public:
  explicit BigReplies(std::atomic<size_t>* max_out) : max_out_(max_out) {}
  DataResult OnData(Connection& conn, std::string_view data) override {
    size_t consumed = 0;
    while (!conn.OutputFull()) {
      const size_t nl = data.find('\n', consumed);
      if (nl == std::string_view::npos) break;
      consumed = nl + 1;
      conn.out().Append(std::string(100000, 'v'));
      if (conn.out().size() > *max_out_) *max_out_ = conn.out().size();
      // The worker's pooled output covers at least this connection's.
      if (conn.WorkerOutputBytes() < conn.out().size()) worker_bytes_ok_ = false;
    }
    return {consumed, false};
  }
  void OnClose(Connection& conn) override { EXPECT_TRUE(worker_bytes_ok_); }

 private:
  std::atomic<size_t>* max_out_;
  bool worker_bytes_ok_ = true;
};

TEST_P(EngineTest, ClientThatNeverReadsIsStoppedAndBounded) {
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

TEST_P(EngineTest, UnixSocketWithMask) {
  EngineOptions o = Options();
  const std::string path = "/tmp/rc-io-test-" + std::to_string(getpid()) + "-" +
                           std::to_string(static_cast<int>(GetParam())) + ".sock";
  o.unix_path = path;
  o.unix_mask = 0700;
  TestServer server(o, MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto c = Client::Unix(path);
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("over unix\n"));
  EXPECT_EQ(c->ReadN(10), "over unix\n");
  server.engine().Stop();
  ASSERT_TRUE(server.Join().ok());
  EXPECT_NE(stat(path.c_str(), &st), 0) << "socket file removed";
}

class UdpEcho final : public DatagramHandler {
 public:
  void OnDatagram(const ConnInfo& from, std::string_view datagram, DatagramSender& reply) override {
    ++count;
    reply.Send(std::string("echo:") + std::string(datagram));
  }
  std::atomic<int> count{0};
};

TEST_P(EngineTest, UdpDatagramsGetReplies) {
  EngineOptions o = Options();
  o.udp.push_back(ListenAddress{"127.0.0.1", 0});
  UdpEcho echo;
  TestServer server(o, MakeLineEcho, &echo);
  ASSERT_TRUE(server.status().ok()) << server.status();
  sockaddr_in to{};
  for (const BoundSocket& b : server.engine().bound()) {
    if (b.transport == Transport::kUdp) to = reinterpret_cast<const sockaddr_in&>(b.addr);
  }
  ASSERT_NE(to.sin_port, 0);
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  for (int i = 0; i < 20; ++i) {
    const std::string msg = "dgram-" + std::to_string(i);
    ASSERT_EQ(sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)),
              static_cast<ssize_t>(msg.size()));
    char buf[256];
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    ASSERT_GT(n, 0) << i << " " << strerror(errno);
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "echo:" + msg);
  }
  ::close(fd);
  EXPECT_EQ(echo.count, 20);
}

TEST_P(EngineTest, DrainFlushesRepliesThenStops) {
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

TEST_P(EngineTest, DrainAnswersRequestsAlreadyReceived) {
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

TEST_P(EngineTest, StopIsPromptWithIdleClients) {
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

TEST_P(EngineTest, PostedTaskRunsOnTheWorkerAndCanFlush) {
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

TEST_P(EngineTest, SetAcceptingPausesAccepts) {
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

TEST_P(EngineTest, HooksBracketEveryTurnAndBlock) {
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

TEST_P(EngineTest, BindConflictIsReportedByCreate) {
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

// Sends a large value by reference (an OutRef) between two copied parts,
// the way a GET of a big item is answered without copying the item.
class ReferenceReplies final : public ConnectionHandler {
 public:
  ReferenceReplies(const std::string* value, std::atomic<int>* released)
      : value_(value), released_(released) {}
  DataResult OnData(Connection& conn, std::string_view data) override {
    size_t consumed = 0;
    for (;;) {
      const size_t nl = data.find('\n', consumed);
      if (nl == std::string_view::npos) break;
      consumed = nl + 1;
      conn.out().Append("VALUE\n");
      conn.out().AppendRef(
          *value_,
          base::OutRef{[](void* ctx) { static_cast<std::atomic<int>*>(ctx)->fetch_add(1); },
                       released_});
      conn.out().Append("\nEND\n");
    }
    return {consumed, false};
  }

 private:
  const std::string* value_;
  std::atomic<int>* released_;
};

TEST_P(EngineTest, ReferencedValuesAreSentUncopiedAndReleasedOnce) {
  const std::string value(300000, 'R');
  std::atomic<int> released{0};
  TestServer server(Options(), [&](const ConnInfo&, HookCounts*) {
    return std::make_unique<ReferenceReplies>(&value, &released);
  });
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  ASSERT_TRUE(c->Send("g\ng\ng\n"));
  const std::string one = "VALUE\n" + value + "\nEND\n";
  const std::string got = c->ReadN(3 * one.size());
  EXPECT_TRUE(got == one + one + one);
  EXPECT_TRUE(WaitFor([&] { return released.load() == 3; }));
  // A client that goes away with references still queued releases them too.
  ASSERT_TRUE(c->Send("g\ng\ng\ng\ng\n"));
  c.reset();
  EXPECT_TRUE(WaitFor([&] { return released.load() == 8; }));
  EXPECT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::curr_connections) == 0; }));
}

TEST_P(EngineTest, InputBeyondTheLimitClosesTheConnection) {
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

TEST_P(EngineTest, ClientsVanishingMidReplyAreCleanedUp) {
  std::atomic<size_t> max_out{0};
  TestServer server(Options(), [&](const ConnInfo&, HookCounts*) {
    return std::make_unique<BigReplies>(&max_out);
  });
  ASSERT_TRUE(server.status().ok()) << server.status();
  for (int i = 0; i < 50; ++i) {
    auto c = Client::Tcp(server.port());
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->Send(std::string(i % 7 + 1, '\n')));
    if (i % 2 == 0) c->ReadN(1000 * static_cast<size_t>(i), 50);
    // Unread data makes close() send a reset while replies are in flight.
  }
  EXPECT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::curr_connections) == 0; }));
  EXPECT_EQ(server.counts().accepts, 50);
  EXPECT_EQ(server.counts().order_violations, 0);
}

TEST_P(EngineTest, TinyReceiveRingRunsDryAndRecovers) {
  // Two provided buffers for 40 busy connections: multishot receives end
  // with ENOBUFS and must be re-armed once buffers come back.
  EngineOptions o = Options();
  o.recv_buffers = 2;
  o.recv_buffer_size = 1024;
  TestServer server(o, MakeLineEcho);
  ASSERT_TRUE(server.status().ok()) << server.status();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 40; ++i) clients.push_back(Client::Tcp(server.port()));
  std::string expected;
  for (int i = 0; i < 200; ++i) expected += "line " + std::to_string(i) + " of a busy client\n";
  std::vector<std::thread> writers;
  for (auto& c : clients) writers.emplace_back([&] { EXPECT_TRUE(c->Send(expected)); });
  for (auto& c : clients) EXPECT_TRUE(c->ReadN(expected.size(), 10000) == expected);
  for (auto& t : writers) t.join();
  if (GetParam() == EngineKind::kUring) {
    EXPECT_GT(server.Stat(&WorkerStats::recv_buffer_shortages), 0u);
  }
}

TEST_P(EngineTest, RunningOutOfDescriptorsPausesAccepting) {
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

INSTANTIATE_TEST_SUITE_P(Backends, EngineTest,
                         ::testing::Values(EngineKind::kUring, EngineKind::kEpoll),
                         [](const ::testing::TestParamInfo<EngineKind>& info) {
                           return std::string(EngineKindName(info.param));
                         });

}  // namespace
}  // namespace ringcache::io::testing
