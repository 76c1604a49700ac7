#include "io_test_util.h"

#include <cstring>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/un.h>
#include <unistd.h>

namespace ringcache::io::testing {
namespace {

class LineEcho final : public ConnectionHandler {
 public:
  explicit LineEcho(HookCounts* counts) : counts_(counts) {}
  DataResult OnData(Connection& conn, std::string_view data) override {
    size_t consumed = 0;
    for (;;) {
      const size_t nl = data.find('\n', consumed);
      if (nl == std::string_view::npos) break;
      const std::string_view line = data.substr(consumed, nl + 1 - consumed);
      consumed = nl + 1;
      if (line == "quit\n") {
        conn.CloseAfterFlush();
        break;
      }
      if (line == "close\n") {
        conn.CloseNow();
        break;
      }
      conn.out().Append(line);
    }
    return {consumed, false};
  }
  void OnPeerClosed(Connection& conn) override { ++counts_->peer_closed; }
  void OnClose(Connection& conn) override { ++counts_->closes; }

 private:
  HookCounts* counts_;
};

class ByteCounter final : public ConnectionHandler {
 public:
  explicit ByteCounter(HookCounts* counts) : counts_(counts) {}
  DataResult OnData(Connection& conn, std::string_view data) override {
    conn.out().Append(std::to_string(data.size()) + "\n");
    return {data.size(), false};
  }
  void OnClose(Connection& conn) override { ++counts_->closes; }

 private:
  HookCounts* counts_;
};

// Wraps the test's handler to check the turn rules: handler calls happen
// inside a turn, on the worker thread that accepted the connection.
class CheckedHandler final : public ConnectionHandler {
 public:
  CheckedHandler(std::unique_ptr<ConnectionHandler> inner, const bool* in_turn, HookCounts* counts)
      : inner_(std::move(inner)),
        in_turn_(in_turn),
        counts_(counts),
        thread_(std::this_thread::get_id()) {}
  DataResult OnData(Connection& conn, std::string_view data) override {
    Check();
    return inner_->OnData(conn, data);
  }
  void OnWritable(Connection& conn) override {
    Check();
    inner_->OnWritable(conn);
  }
  // The look-ahead comes before the turn starts, on the worker's thread.
  void OnDataSoon(std::string_view data) override {
    if (*in_turn_ || std::this_thread::get_id() != thread_) ++counts_->order_violations;
    inner_->OnDataSoon(data);
  }
  void OnPeerClosed(Connection& conn) override {
    Check();
    inner_->OnPeerClosed(conn);
  }
  void OnClose(Connection& conn) override {
    Check();
    inner_->OnClose(conn);
  }

 private:
  void Check() {
    if (!*in_turn_ || std::this_thread::get_id() != thread_) ++counts_->order_violations;
  }
  std::unique_ptr<ConnectionHandler> inner_;
  const bool* in_turn_;
  HookCounts* counts_;
  std::thread::id thread_;
};

class TestHooks final : public WorkerHooks {
 public:
  TestHooks(HookCounts* counts, const HandlerFactory* factory, DatagramHandler* datagrams)
      : counts_(counts), factory_(factory), datagrams_(datagrams) {}
  std::unique_ptr<ConnectionHandler> OnAccept(const ConnInfo& info) override {
    if (!in_turn_) ++counts_->order_violations;
    ++counts_->accepts;
    auto inner = (*factory_)(info, counts_);
    if (inner == nullptr) return nullptr;
    return std::make_unique<CheckedHandler>(std::move(inner), &in_turn_, counts_);
  }
  DatagramHandler* datagram_handler() override { return datagrams_; }
  void OnTurnStart() override {
    if (in_turn_ || blocked_) ++counts_->order_violations;
    in_turn_ = true;
    ++counts_->turn_starts;
  }
  void OnTurnEnd() override {
    if (!in_turn_) ++counts_->order_violations;
    in_turn_ = false;
    ++counts_->turn_ends;
  }
  void BeforeBlock() override {
    if (in_turn_ || blocked_) ++counts_->order_violations;
    blocked_ = true;
    ++counts_->before_block;
  }
  void AfterWake() override {
    if (!blocked_) ++counts_->order_violations;
    blocked_ = false;
    ++counts_->after_wake;
  }

 private:
  HookCounts* counts_;
  const HandlerFactory* factory_;
  DatagramHandler* datagrams_;
  bool in_turn_ = false;
  bool blocked_ = false;
};

}  // namespace

std::string BackendName(const ::testing::TestParamInfo<EngineKind>& info) {
  return EngineKindName(info.param);
}

DataResult OneLinePerCall::OnData(Connection& conn, std::string_view data) {
  const size_t nl = data.find('\n');
  if (nl == std::string_view::npos) return {0, false};
  conn.out().Append(data.substr(0, nl + 1));
  return {nl + 1, nl + 1 < data.size()};
}

DataResult BigReplies::OnData(Connection& conn, std::string_view data) {
  size_t consumed = 0;
  while (!conn.OutputFull()) {
    const size_t nl = data.find('\n', consumed);
    if (nl == std::string_view::npos) break;
    consumed = nl + 1;
    conn.out().Append(std::string(100000, 'v'));
    if (conn.out().size() > *max_out_) *max_out_ = conn.out().size();
    if (conn.WorkerOutputBytes() < conn.out().size()) worker_bytes_ok_ = false;
  }
  return {consumed, false};
}

void BigReplies::OnClose(Connection& conn) { EXPECT_TRUE(worker_bytes_ok_); }

std::unique_ptr<ConnectionHandler> MakeLineEcho(const ConnInfo&, HookCounts* counts) {
  return std::make_unique<LineEcho>(counts);
}

std::unique_ptr<ConnectionHandler> MakeByteCounter(const ConnInfo&, HookCounts* counts) {
  return std::make_unique<ByteCounter>(counts);
}

TestServer::TestServer(EngineOptions options, HandlerFactory factory, DatagramHandler* datagrams)
    : factory_(std::move(factory)), datagrams_(datagrams) {
  if (options.tcp.empty() && options.unix_path.empty() && options.udp.empty()) {
    options.tcp.push_back(ListenAddress{"127.0.0.1", 0});
  }
  auto engine = Engine::Create(
      options,
      [this](int) -> std::unique_ptr<WorkerHooks> {
        return std::make_unique<TestHooks>(&counts_, &factory_, datagrams_);
      },
      &logger_);
  if (!engine.ok()) {
    status_ = engine.status();
    return;
  }
  engine_ = *std::move(engine);
  for (const BoundSocket& b : engine_->bound()) {
    if (b.transport != Transport::kTcp) continue;
    port_ = ntohs(reinterpret_cast<const sockaddr_in&>(b.addr).sin_port);
    break;
  }
  runner_ = std::thread([this] {
    run_status_ = engine_->Run();
    finished_ = true;
  });
}

TestServer::~TestServer() {
  if (engine_ != nullptr) engine_->Stop();
  if (runner_.joinable()) runner_.join();
}

absl::Status TestServer::Join() {
  if (runner_.joinable()) runner_.join();
  return run_status_;
}

uint64_t TestServer::Stat(std::atomic<uint64_t> WorkerStats::*field) const {
  uint64_t sum = 0;
  for (int w = 0; w < engine_->workers(); ++w) sum += (engine_->stats(w).*field).load();
  return sum;
}

std::unique_ptr<Client> Client::Tcp(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<Client>(fd);
}

std::unique_ptr<Client> Client::Unix(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<Client>(fd);
}

Client::~Client() { ::close(fd_); }

bool Client::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

namespace {
// Reads what is available within the deadline; false on EOF/error/timeout.
bool ReadSome(int fd, std::string* out, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buf[65536];
  const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
  if (n <= 0) return false;
  out->append(buf, static_cast<size_t>(n));
  return true;
}
}  // namespace

std::string Client::ReadN(size_t n, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string got;
  while (got.size() < n && ReadSome(fd_, &got, deadline)) {
  }
  return got;
}

std::string Client::ReadUntil(std::string_view suffix, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string got;
  while (!(got.size() >= suffix.size() &&
           std::string_view(got).substr(got.size() - suffix.size()) == suffix) &&
         ReadSome(fd_, &got, deadline)) {
  }
  return got;
}

bool Client::WaitClosed(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n == 0) return true;
    if (n < 0 && errno != EINTR && errno != EAGAIN) return true;  // reset
  }
}

void Client::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

bool WaitFor(const std::function<bool()>& cond, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

bool Barrier(Engine& engine) {
  auto ran = std::make_shared<std::atomic<int>>(0);
  for (int w = 0; w < engine.workers(); ++w) engine.Post(w, [ran] { ++*ran; });
  return WaitFor([&] { return ran->load() == engine.workers(); });
}

}  // namespace ringcache::io::testing
