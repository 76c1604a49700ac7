// Process setup with real system calls: pid and port files on disk, real
// bound sockets, rlimits, and daemon mode and user switching in forked
// children (so the test process itself keeps its identity and terminal).
#include "ringcache/server/process.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringcache::server {
namespace {

using ::testing::HasSubstr;

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ringcache-process-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

  std::string dir_;
};

// Runs `body` in a forked child; returns its exit status (or -1 on a signal).
template <typename Body>
int InChild(Body body) {
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(ProcessTest, CheckUserRefusesRootWithoutUser) {
  Config c;
  const Outcome root = CheckUser(c, 0, 0);
  EXPECT_EQ(root.exit_code(), EX_USAGE);
  EXPECT_EQ(root.Text(Stream::kStderr), "can't run as root without the -u switch\n");
  // Either id being root counts.
  EXPECT_EQ(CheckUser(c, 1000, 0).exit_code(), EX_USAGE);
  // Not root: -u is not needed and not checked.
  EXPECT_FALSE(CheckUser(c, 1000, 1000).stop());
  c.user = "no-such-user-ringcache";
  EXPECT_FALSE(CheckUser(c, 1000, 1000).stop());
  const Outcome missing = CheckUser(c, 0, 0);
  EXPECT_EQ(missing.exit_code(), EX_NOUSER);
  EXPECT_EQ(missing.Text(Stream::kStderr),
            "can't find the user no-such-user-ringcache to switch to\n");
  c.user = "root";
  EXPECT_FALSE(CheckUser(c, 0, 0).stop());
}

TEST_F(ProcessTest, PidFileIsWrittenAtomicallyAndWarnsAboutARunningPid) {
  const std::string path = Path("ringcached.pid");
  Outcome first = WritePidFile(path, 4242);
  EXPECT_FALSE(first.stop());
  EXPECT_EQ(Read(path), "4242\n");
  EXPECT_FALSE(Exists(path + ".tmp"));

  // The file now names a live process (this one): memcached warns, goes on.
  std::ofstream(path) << getpid() << "\n";
  const Outcome second = WritePidFile(path, 4343);
  EXPECT_FALSE(second.stop());
  EXPECT_EQ(second.Text(Stream::kStderr),
            "WARNING: The pid file contained the following (running) pid: " +
                std::to_string(getpid()) + "\n");
  EXPECT_EQ(Read(path), "4343\n");

  EXPECT_FALSE(RemovePidFile(path).stop());
  EXPECT_FALSE(Exists(path));
  EXPECT_EQ(RemovePidFile(path).Text(Stream::kStderr),
            "Could not remove the pid file " + path + ": No such file or directory\n");
}

TEST_F(ProcessTest, PidFileInAMissingDirectoryIsReportedNotFatal) {
  const std::string path = Path("missing/dir.pid");
  const Outcome out = WritePidFile(path, 1);
  EXPECT_FALSE(out.stop());
  EXPECT_EQ(out.Text(Stream::kStderr), "Could not open the pid file " + path +
                                           ".tmp for writing: No such file or directory\n");
}

// Binds a real socket and reports it as the engine would.
io::BoundSocket Bind(int family, int type, const char* addr, int* fd_out) {
  const int fd = socket(family, type, 0);
  EXPECT_GE(fd, 0);
  io::BoundSocket b{};
  b.transport = type == SOCK_DGRAM ? io::Transport::kUdp : io::Transport::kTcp;
  if (family == AF_INET) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    inet_pton(AF_INET, addr, &in.sin_addr);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof(in)), 0) << strerror(errno);
  } else {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, addr, &in6.sin6_addr);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&in6), sizeof(in6)), 0) << strerror(errno);
  }
  b.addr_len = sizeof(b.addr);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&b.addr), &b.addr_len), 0);
  *fd_out = fd;
  return b;
}

uint16_t PortOf(const io::BoundSocket& b) {
  return b.addr.ss_family == AF_INET
             ? ntohs(reinterpret_cast<const sockaddr_in*>(&b.addr)->sin_port)
             : ntohs(reinterpret_cast<const sockaddr_in6*>(&b.addr)->sin6_port);
}

TEST_F(ProcessTest, PortFileListsEachBoundSocketOnceTcpFirst) {
  std::vector<int> fds(3);
  const io::BoundSocket udp = Bind(AF_INET, SOCK_DGRAM, "127.0.0.1", &fds[0]);
  const io::BoundSocket tcp = Bind(AF_INET, SOCK_STREAM, "127.0.0.1", &fds[1]);
  const io::BoundSocket tcp6 = Bind(AF_INET6, SOCK_STREAM, "::1", &fds[2]);
  io::BoundSocket unix_sock{};
  unix_sock.transport = io::Transport::kUnix;
  unix_sock.addr.ss_family = AF_UNIX;
  // Workers bind the same address once each (SO_REUSEPORT): listed once.
  const std::vector<io::BoundSocket> bound = {udp, tcp, tcp, tcp6, unix_sock, udp};

  const std::string path = Path("ports");
  const Outcome out = WritePortFile(path, bound);
  for (int fd : fds) close(fd);
  EXPECT_THAT(out.messages(), ::testing::IsEmpty());
  EXPECT_EQ(Read(path), "TCP INET: " + std::to_string(PortOf(tcp)) + "\n" +
                            "TCP INET6: " + std::to_string(PortOf(tcp6)) + "\n" +
                            "UDP INET: " + std::to_string(PortOf(udp)) + "\n");
  EXPECT_FALSE(Exists(path + ".lck"));
}

TEST_F(ProcessTest, PortFileAppendsToALeftoverLockFile) {
  const std::string path = Path("ports");
  std::ofstream(path + ".lck") << "TCP INET: 1\n";
  int fd = -1;
  const io::BoundSocket tcp = Bind(AF_INET, SOCK_STREAM, "127.0.0.1", &fd);
  WritePortFile(path, std::vector<io::BoundSocket>{tcp});
  close(fd);
  EXPECT_EQ(Read(path), "TCP INET: 1\nTCP INET: " + std::to_string(PortOf(tcp)) + "\n");
}

TEST_F(ProcessTest, PortFileThatCannotBeOpenedIsReported) {
  const std::string path = Path("missing/ports");
  const Outcome out = WritePortFile(path, {});
  EXPECT_FALSE(out.stop());
  EXPECT_EQ(out.Text(Stream::kStderr),
            "Failed to open \"" + path + ".lck\": No such file or directory\n");
}

TEST_F(ProcessTest, OpenFileLimitCoversConnectionsAndWorkers) {
  Config c;
  c.max_connections = 1000;
  c.num_threads = 2;
  const uint64_t base = OpenFilesNeeded(c);
  EXPECT_GT(base, 1000u);
  c.num_threads = 8;
  EXPECT_GT(OpenFilesNeeded(c), base);
  c.listen = "127.0.0.1,::1";
  const uint64_t two = OpenFilesNeeded(c);
  c.udp_port = 5;
  EXPECT_GT(OpenFilesNeeded(c), two);

  // In a child: raise to a little above the current soft limit, then check.
  EXPECT_EQ(InChild([] {
              rlimit before{};
              getrlimit(RLIMIT_NOFILE, &before);
              if (before.rlim_cur == RLIM_INFINITY || before.rlim_cur >= before.rlim_max) return 0;
              Config want;
              want.num_threads = 1;
              want.max_connections = static_cast<int>(before.rlim_cur);
              if (RaiseOpenFileLimit(want).stop()) return 1;
              rlimit after{};
              getrlimit(RLIMIT_NOFILE, &after);
              return after.rlim_cur >= OpenFilesNeeded(want) ? 0 : 2;
            }),
            0);
}

TEST_F(ProcessTest, OpenFileLimitBeyondTheHardLimitFailsLikeMemcachedWhenNotRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to an unprivileged user first";
  const passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  const uid_t uid = nobody->pw_uid;
  EXPECT_EQ(InChild([uid] {
              if (setuid(uid) != 0) return 10;
              rlimit r{};
              getrlimit(RLIMIT_NOFILE, &r);
              Config c;
              c.max_connections = static_cast<int>(std::min<rlim_t>(r.rlim_max, 1 << 28)) + 1;
              const Outcome out = RaiseOpenFileLimit(c);
              return out.exit_code() == EX_OSERR &&
                             out.Text(Stream::kStderr) ==
                                 "failed to set rlimit for open files. Try starting as root or "
                                 "requesting smaller maxconns value.\n"
                         ? 0
                         : 11;
            }),
            0);
}

TEST_F(ProcessTest, CoreDumpsAreEnabled) {
  EXPECT_EQ(InChild([] {
              rlimit zero{0, RLIM_INFINITY};
              setrlimit(RLIMIT_CORE, &zero);
              if (EnableCoreDumps().stop()) return 1;
              rlimit r{};
              getrlimit(RLIMIT_CORE, &r);
              return r.rlim_cur > 0 ? 0 : 2;
            }),
            0);
  // With a hard limit of 0 no core file can be had.
  EXPECT_EQ(InChild([] {
              rlimit none{0, 0};
              if (setrlimit(RLIMIT_CORE, &none) != 0) return 3;
              if (geteuid() == 0) return 0;  // root may raise it again; nothing to check
              const Outcome out = EnableCoreDumps();
              return out.exit_code() == EX_OSERR &&
                             out.Text(Stream::kStderr) == "failed to ensure corefile creation\n"
                         ? 0
                         : 4;
            }),
            0);
}

TEST_F(ProcessTest, DaemonDetachesAndMovesToRoot) {
  const std::string report = Path("daemon");
  Config c;
  // The child daemonizes; its original process exits 0 inside Daemonize and
  // the daemon writes what it sees, then exits.
  EXPECT_EQ(InChild([&] {
              if (Daemonize(c).stop()) return 1;
              char cwd[256] = {};
              char out[256] = {};
              (void)!getcwd(cwd, sizeof(cwd));
              (void)!readlink("/proc/self/fd/1", out, sizeof(out) - 1);
              std::ofstream(report + ".tmp")
                  << (getsid(0) == getpid() ? "leader" : "member") << " " << cwd << " " << out;
              rename((report + ".tmp").c_str(), report.c_str());
              return 0;
            }),
            0);
  for (int i = 0; i < 200 && !Exists(report); ++i) usleep(10000);
  EXPECT_EQ(Read(report), "leader / /dev/null");
}

TEST_F(ProcessTest, DaemonKeepsDirectoryWithCoreDumpsAndOutputAtVerbose) {
  const std::string report = Path("daemon");
  Config c;
  c.coredumps = true;
  c.verbosity = 1;
  char here[256] = {};
  ASSERT_NE(getcwd(here, sizeof(here)), nullptr);
  char tty[256] = {};
  ASSERT_GT(readlink("/proc/self/fd/1", tty, sizeof(tty) - 1), 0);
  EXPECT_EQ(InChild([&] {
              if (Daemonize(c).stop()) return 1;
              char cwd[256] = {};
              char out[256] = {};
              (void)!getcwd(cwd, sizeof(cwd));
              (void)!readlink("/proc/self/fd/1", out, sizeof(out) - 1);
              std::ofstream(report + ".tmp") << cwd << " " << out;
              rename((report + ".tmp").c_str(), report.c_str());
              return 0;
            }),
            0);
  for (int i = 0; i < 200 && !Exists(report); ++i) usleep(10000);
  EXPECT_EQ(Read(report), std::string(here) + " " + tty);
}

TEST_F(ProcessTest, DaemonWritesToTheConfigFilesLogfile) {
  const std::string log = Path("memcached.log");
  std::ofstream(log) << "earlier\n";
  Config c;
  c.log_file = log;
  EXPECT_EQ(InChild([&] {
              if (Daemonize(c).stop()) return 1;
              std::fprintf(stderr, "from the daemon\n");
              return 0;
            }),
            0);
  for (int i = 0; i < 200 && Read(log) == "earlier\n"; ++i) usleep(10000);
  EXPECT_EQ(Read(log), "earlier\nfrom the daemon\n");
}

TEST_F(ProcessTest, AuthFileWithUdpIsRefused) {
  Config c;
  c.auth_file = "/etc/auth";
  EXPECT_FALSE(CheckAuthSettings(c).stop());
  c.udp_port = 5;
  const Outcome out = CheckAuthSettings(c);
  EXPECT_EQ(out.exit_code(), EX_USAGE);
  EXPECT_EQ(out.Text(Stream::kStderr),
            "Cannot use UDP with ascii authentication enabled (-U 0 to disable)\n");
}

TEST_F(ProcessTest, SaslAndTlsAreRefusedUntilBuilt) {
  Config c;
  EXPECT_FALSE(CheckBuiltFeatures(c).stop());
  c.sasl = true;
  Outcome out = CheckBuiltFeatures(c);
  EXPECT_EQ(out.exit_code(), EX_USAGE);
  EXPECT_EQ(out.Text(Stream::kStderr), "This server is not built with SASL support.\n");
  c.sasl = false;
  c.tls.enabled = true;
  out = CheckBuiltFeatures(c);
  EXPECT_EQ(out.exit_code(), EX_USAGE);
  EXPECT_EQ(out.Text(Stream::kStderr), "This server is not built with TLS support.\n");
}

TEST_F(ProcessTest, SwitchUserDropsRootAndHandsOverTheUnixSocket) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  const passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nobody->pw_gid;
  const std::string sock = Path("sock");
  std::ofstream(sock) << "";
  Config c;
  c.user = "nobody";
  c.unix_socket = sock;
  EXPECT_EQ(InChild([&] {
              if (SwitchUser(c).stop()) return 1;
              if (getuid() != uid || geteuid() != uid || getgid() != gid) return 2;
              if (setuid(0) == 0) return 3;  // root is gone for good
              return 0;
            }),
            0);
  struct stat st {};
  ASSERT_EQ(stat(sock.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, uid);
}

TEST_F(ProcessTest, LockMemoryWarnsWhenRefused) {
  EXPECT_EQ(
      InChild([] {
        rlimit none{0, 0};
        setrlimit(RLIMIT_MEMLOCK, &none);
        const Outcome out = LockMemory();
        if (out.stop()) return 1;      // only ever a warning
        if (geteuid() == 0) return 0;  // root may lock regardless
        return out.Text(Stream::kStderr).starts_with("warning: -k invalid, mlockall() failed: ")
                   ? 0
                   : 2;
      }),
      0);
}

}  // namespace
}  // namespace ringcache::server
