#include "reference_server.h"

#include <cstdio>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ringcache::protocol::testing {
namespace {

constexpr const char* kMemcached = "/usr/bin/memcached";

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

Connection::Connection(int port) {
  for (int attempt = 0; attempt < 200 && fd_ < 0; ++attempt) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      fd_ = fd;
    } else {
      close(fd);
      usleep(10000);
    }
  }
}

Connection::~Connection() {
  if (fd_ >= 0) close(fd_);
}

bool Connection::Send(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string Connection::ReadLine() {
  while (true) {
    const size_t nl = lines_.find('\n');
    if (nl != std::string::npos) {
      std::string line = lines_.substr(0, nl + 1);
      lines_.erase(0, nl + 1);
      return line;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) return {};
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return {};
    lines_.append(buf, static_cast<size_t>(n));
  }
}

std::string Connection::ReadUntil(std::string_view marker, bool* closed, int timeout_ms) {
  std::string got;
  *closed = false;
  while (got.size() < marker.size() ||
         std::string_view(got).substr(got.size() - marker.size()) != marker) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return got + "<timeout>";
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      *closed = true;
      return got;
    }
    got.append(buf, static_cast<size_t>(n));
  }
  got.resize(got.size() - marker.size());
  return got;
}

uint16_t Connection::local_port() const {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

int MemcachedReference::port_ = 0;
pid_t MemcachedReference::pid_ = 0;

void MemcachedReference::SetUpTestSuite() {
  port_ = FreePort();
  ASSERT_GT(port_, 0);
  ASSERT_EQ(access(kMemcached, X_OK), 0) << kMemcached << " is the reference; tools/dev deps";
  pid_ = fork();
  if (pid_ == 0) {
    // verbosity probes make memcached log; keep the test output clean.
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    const std::string port = std::to_string(port_);
    execl(kMemcached, kMemcached, "-p", port.c_str(), "-U", port.c_str(), "-l", "127.0.0.1", "-t",
          "1", "-m", "64", "-u", "root", static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(pid_, 0);
}

void MemcachedReference::TearDownTestSuite() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }
}

std::string Printable(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    }
  }
  return out.size() > 300 ? out.substr(0, 300) + "..." : out;
}

// What the probe should look like on the wire and what memcached must answer.
std::string Hex(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char b[4];
    std::snprintf(b, sizeof(b), "%02x", static_cast<unsigned char>(s[i]));
    out += b;
    if (i % 24 == 23) out += "\n";
  }
  return out;
}

}  // namespace ringcache::protocol::testing
