#include "memcached_process.h"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ringcache::ringload::testing {
namespace {

constexpr const char* kMemcached = "/usr/bin/memcached";

int64_t MonotonicMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace

MemcachedProcess::~MemcachedProcess() {
  if (fd_ >= 0) close(fd_);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);  // a test server has nothing to save; SIGTERM takes a second
    waitpid(pid_, nullptr, 0);
  }
  if (!dir_.empty()) {
    std::remove((dir_ + "/port").c_str());
    rmdir(dir_.c_str());
  }
}

bool MemcachedProcess::Start(const std::vector<std::string>& extra_args) {
  char tmpl[] = "/tmp/ringload-test-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return false;
  dir_ = tmpl;
  const std::string port_file = dir_ + "/port";
  std::vector<std::string> args = {kMemcached,  "-p", "-1", "-U", "0",   "-l",
                                   "127.0.0.1", "-t", "1",  "-u", "root"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  // Everything the child needs is built before fork: after it, only exec.
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string port_env = "MEMCACHED_PORT_FILENAME=" + port_file;
  char* envp[] = {port_env.data(), nullptr};
  pid_ = fork();
  if (pid_ < 0) return false;
  if (pid_ == 0) {
    execve(kMemcached, argv.data(), envp);
    _exit(127);
  }
  // memcached writes "TCP INET: <port>" once it listens.
  const int64_t deadline = MonotonicMs() + 5000;
  while (MonotonicMs() < deadline) {
    std::ifstream in(port_file);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("TCP INET: ", 0) == 0) {
        const char* digits = line.c_str() + 10;
        const auto [end, ec] = std::from_chars(digits, line.c_str() + line.size(), port_);
        return ec == std::errc() && port_ > 0;
      }
    }
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    usleep(10'000);
  }
  return false;
}

std::string MemcachedProcess::Exchange(std::string_view request,
                                       const std::function<bool(std::string_view)>& complete) {
  if (fd_ < 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return "";
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t w = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (w <= 0) return "";
    sent += static_cast<size_t>(w);
  }
  std::string got;
  const int64_t deadline = MonotonicMs() + 5000;
  while (!complete(got) && MonotonicMs() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[65536];
    const ssize_t r = recv(fd_, buf, sizeof(buf), 0);
    if (r <= 0) break;
    got.append(buf, static_cast<size_t>(r));
  }
  return got;
}

}  // namespace ringcache::ringload::testing
