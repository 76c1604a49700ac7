// The engine where io_uring is forbidden (automatic epoll fallback) and under
// the restrictions of Debian's memcached unit (NoNewPrivileges,
// MemoryDenyWriteExecute, RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX),
// reproduced with the kernel primitives systemd uses: no_new_privs, the MDWE
// prctl and a seccomp filter. Each case runs in a child process, since those
// restrictions cannot be lifted again.
#include <cstddef>
#include <string>
#include <vector>

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gtest/gtest.h"

#include "io_test_util.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

namespace ringcache::io::testing {
namespace {

#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#endif

// Installs `filter` on every thread of the process.
bool InstallFilter(std::vector<sock_filter> filter) {
  sock_fprog prog{static_cast<unsigned short>(filter.size()), filter.data()};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) == 0;
}

// The filter's prologue: other architectures pass untouched, then load the
// syscall number.
std::vector<sock_filter> Prologue() {
  return {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
  };
}

// Like a container runtime's default profile: io_uring_setup fails with EPERM.
bool ForbidIoUring() {
  std::vector<sock_filter> f = Prologue();
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return InstallFilter(std::move(f));
}

// systemd's RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX: socket() with
// any other family fails with EAFNOSUPPORT.
bool RestrictAddressFamilies() {
  std::vector<sock_filter> f = Prologue();
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 3, 0));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 2, 0));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 1, 0));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EAFNOSUPPORT & SECCOMP_RET_DATA)));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return InstallFilter(std::move(f));
}

// Serves TCP and a unix socket, checks an echo on both; the exit code says
// what failed (0: all good).
int EchoRoundTrip(EngineKind kind, EngineKind expect) {
  EngineOptions o;
  o.kind = kind;
  o.tcp.push_back(ListenAddress{"127.0.0.1", 0});
  o.unix_path = "/tmp/rc-io-hardening-" + std::to_string(getpid()) + ".sock";
  TestServer server(o, MakeLineEcho);
  if (!server.status().ok()) return 10;
  if (server.engine().kind() != expect) return 11;
  auto tcp = Client::Tcp(server.port());
  auto unix_client = Client::Unix(o.unix_path);
  if (tcp == nullptr || unix_client == nullptr) return 12;
  if (!tcp->Send("tcp\n") || tcp->ReadN(4) != "tcp\n") return 13;
  if (!unix_client->Send("unix\n") || unix_client->ReadN(5) != "unix\n") return 14;
  server.engine().Stop();
  if (!server.Join().ok()) return 15;
  return 0;
}

class HardeningTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(HardeningTest, ForbiddenIoUringFallsBackToEpoll) {
  EXPECT_EXIT(
      {
        if (!ForbidIoUring()) _exit(20);
        _exit(EchoRoundTrip(EngineKind::kAuto, EngineKind::kEpoll));
      },
      ::testing::ExitedWithCode(0), "io_uring unavailable");
}

TEST_F(HardeningTest, ForcedUringFailsCleanlyWhenForbidden) {
  EXPECT_EXIT(
      {
        if (!ForbidIoUring()) _exit(20);
        EngineOptions o;
        o.kind = EngineKind::kUring;
        o.tcp.push_back(ListenAddress{"127.0.0.1", 0});
        base::Logger logger;
        auto engine = Engine::Create(
            o, [](int) -> std::unique_ptr<WorkerHooks> { return nullptr; }, &logger);
        _exit(engine.ok() ? 21 : 0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(HardeningTest, RunsUnderMemcachedUnitRestrictions) {
  for (EngineKind kind : {EngineKind::kUring, EngineKind::kEpoll}) {
    EXPECT_EXIT(
        {
          if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0) _exit(22);
          if (!RestrictAddressFamilies()) _exit(23);
          // The filter is really in force.
          if (socket(AF_NETLINK, SOCK_RAW, 0) >= 0 || errno != EAFNOSUPPORT) _exit(24);
          _exit(EchoRoundTrip(kind, kind));
        },
        ::testing::ExitedWithCode(0), "")
        << EngineKindName(kind);
  }
}

}  // namespace
}  // namespace ringcache::io::testing
