// The engine's data path over real sockets and the real ring: echo,
// partial and huge requests, pipelining, many connections, yields, half-close,
// referenced output, unix and UDP sockets. Every test runs on both backends.
#include "ringcache/io/engine.h"

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gtest/gtest.h"

#include "io_test_util.h"

namespace ringcache::io::testing {
namespace {

using EngineTest = BackendTest;

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

// Records what the engine announced ahead (OnDataSoon) and what it then
// offered (OnData), and echoes lines.
struct Announced {
  std::mutex mu;
  std::string bytes;
  int announcements = 0;
  int offered_as_announced = 0;  // OnData calls given the announced buffer itself
};

class LookAheadRecorder final : public ConnectionHandler {
 public:
  explicit LookAheadRecorder(Announced* soon) : soon_(soon) {}
  void OnDataSoon(std::string_view data) override {
    std::lock_guard<std::mutex> lock(soon_->mu);
    soon_->bytes.append(data);
    ++soon_->announcements;
    last_announced_ = data;
  }
  DataResult OnData(Connection& conn, std::string_view data) override {
    {
      // A handler's plan holds only for the very buffer it was made of.
      std::lock_guard<std::mutex> lock(soon_->mu);
      if (data.data() == last_announced_.data() && data.size() == last_announced_.size()) {
        ++soon_->offered_as_announced;
      }
    }
    const size_t end = data.rfind('\n');
    if (end == std::string_view::npos) return {0, false};
    conn.out().Append(data.substr(0, end + 1));
    return {end + 1, false};
  }

 private:
  Announced* soon_;
  std::string_view last_announced_;
};

TEST_P(EngineTest, AnnouncesEveryReceivedBufferBeforeOfferingIt) {
  Announced soon;
  TestServer server(Options(), [&](const ConnInfo&, HookCounts*) {
    return std::make_unique<LookAheadRecorder>(&soon);
  });
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  std::string sent;
  for (int i = 0; i < 50; ++i) {
    const std::string line = "get key" + std::to_string(i) + "\n";
    ASSERT_TRUE(c->Send(line));
    ASSERT_EQ(c->ReadN(line.size()), line);  // one receive per line
    sent += line;
  }
  c.reset();
  ASSERT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::curr_connections) == 0; }));
  std::lock_guard<std::mutex> lock(soon.mu);
  // One line per receive, so every receive is a turn's first (epoll
  // announces only those) and each line was announced exactly once, except
  // that epoll reads what arrived before a connection was registered (its
  // first line, here) outside of any event, unannounced.
  const std::string first = "get key0\n";
  const bool uring = GetParam() == EngineKind::kUring;
  const std::string want =
      uring || soon.bytes.size() == sent.size() ? sent : sent.substr(first.size());
  EXPECT_EQ(soon.bytes, want);
  EXPECT_EQ(soon.offered_as_announced, soon.announcements);
  EXPECT_GE(soon.announcements, 49);
  EXPECT_EQ(server.counts().order_violations, 0);  // before the turn, on the worker
}

TEST_P(EngineTest, AnnouncesTheFirstReceiveOfManyConnectionsInOneTurn) {
  Announced soon;
  TestServer server(Options(), [&](const ConnInfo&, HookCounts*) {
    return std::make_unique<LookAheadRecorder>(&soon);
  });
  ASSERT_TRUE(server.status().ok()) << server.status();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 100; ++i) clients.push_back(Client::Tcp(server.port()));
  std::string sent;
  for (int round = 0; round < 5; ++round) {
    for (size_t i = 0; i < clients.size(); ++i) {
      const std::string line = "c" + std::to_string(i) + "r" + std::to_string(round) + "\n";
      ASSERT_TRUE(clients[i]->Send(line));
      sent += line;
    }
    for (size_t i = 0; i < clients.size(); ++i) {
      const std::string line = "c" + std::to_string(i) + "r" + std::to_string(round) + "\n";
      ASSERT_EQ(clients[i]->ReadN(line.size()), line);
    }
  }
  clients.clear();
  ASSERT_TRUE(WaitFor([&] { return server.Stat(&WorkerStats::curr_connections) == 0; }));
  std::lock_guard<std::mutex> lock(soon.mu);
  // Every receive held one whole line, so each announced buffer was then
  // offered as it was. io_uring announces all 500; epoll the first receive
  // of at most 64 readable connections per turn.
  EXPECT_GT(soon.announcements, 0);
  EXPECT_EQ(soon.offered_as_announced, soon.announcements);
  if (GetParam() == EngineKind::kUring) {
    EXPECT_EQ(soon.announcements, 500);
  }
  EXPECT_LE(soon.bytes.size(), sent.size());
  EXPECT_EQ(server.counts().order_violations, 0);
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

// Streams `pieces` numbered lines per request, one piece per OnWritable,
// as a metadump is answered: the stream goes as fast as the client reads and
// the output never holds much more than the limit.
class StreamingReplies final : public ConnectionHandler {
 public:
  StreamingReplies(int pieces, std::atomic<size_t>* max_out) : pieces_(pieces), max_out_(max_out) {}
  DataResult OnData(Connection& conn, std::string_view data) override {
    const size_t nl = data.find('\n');
    if (nl == std::string_view::npos) return {0, false};
    next_ = 0;
    Produce(conn);
    return {nl + 1, false};
  }
  void OnWritable(Connection& conn) override { Produce(conn); }

 private:
  void Produce(Connection& conn) {
    for (int i = 0; i < 100 && next_ < pieces_; ++i, ++next_) {
      conn.out().Append("piece " + std::to_string(next_) + std::string(1000, '.') + "\n");
    }
    size_t seen = max_out_->load();
    while (conn.out().size() > seen && !max_out_->compare_exchange_weak(seen, conn.out().size())) {
    }
    if (next_ < pieces_) {
      conn.WantWritable();
    } else {
      conn.out().Append("END\n");
    }
  }
  const int pieces_;
  int next_ = 0;
  std::atomic<size_t>* max_out_;
};

TEST_P(EngineTest, WritableCallbacksStreamALongReplyAtTheReadersPace) {
  EngineOptions o = Options();
  o.max_output_bytes = 256 << 10;
  std::atomic<size_t> max_out{0};
  constexpr int kPieces = 20000;  // ~20 MB, far above the output limit
  TestServer server(o, [&](const ConnInfo&, HookCounts*) {
    return std::make_unique<StreamingReplies>(kPieces, &max_out);
  });
  ASSERT_TRUE(server.status().ok()) << server.status();
  auto c = Client::Tcp(server.port());
  ASSERT_TRUE(c->Send("dump\n"));
  // Read slowly at first: the server must wait, not buffer everything.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string got = c->ReadUntil("END\n", 30000);
  ASSERT_GE(got.size(), 4u);
  EXPECT_EQ(got.substr(got.size() - 4), "END\n");
  size_t lines = 0;
  for (char ch : got) lines += ch == '\n';
  EXPECT_EQ(lines, kPieces + 1u);
  EXPECT_NE(got.find("piece 19999"), std::string::npos);
  // Bounded: a piece is ~100 kB, produced only while the output has room.
  EXPECT_LT(max_out.load(), o.max_output_bytes / 2 + 200000);
  // The connection serves requests again after the stream.
  ASSERT_TRUE(c->Send("dump\n"));
  EXPECT_NE(c->ReadUntil("END\n", 30000).find("piece 0"), std::string::npos);
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
  // Every client connected, but the last ones may still sit in the backlog
  // while the earlier ones are already gone: wait for all accepts first.
  EXPECT_TRUE(WaitFor([&] {
    return server.counts().accepts == 50 && server.Stat(&WorkerStats::curr_connections) == 0;
  }));
  EXPECT_EQ(server.counts().accepts, 50);
  EXPECT_EQ(server.counts().order_violations, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineTest, kBothBackends, BackendName);

}  // namespace
}  // namespace ringcache::io::testing
