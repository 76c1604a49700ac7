#include "ringcache/server/process.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "c_numbers.h"
#include "errno_text.h"
#include "ringcache/server/version.h"

namespace ringcache::server {
namespace {

using config_internal::ErrnoText;

// getpwnam_r: the user's ids, if the user exists.
struct UserIds {
  uid_t uid;
  gid_t gid;
};
std::optional<UserIds> LookupUser(const std::string& name) {
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd pw{};
  passwd* found = nullptr;
  while (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) == ERANGE) {
    buf.resize(buf.size() * 2);
  }
  if (found == nullptr) return std::nullopt;
  return UserIds{pw.pw_uid, pw.pw_gid};
}

// perror(3)'s format, as memcached's vperror uses it.
std::string WithErrno(std::string_view what, int err) {
  return absl::StrFormat("%s: %s\n", what, ErrnoText(err));
}

// Writes all of `text` to `fd`; false on error (errno set).
bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// The first line of `path`, if it can be read.
std::optional<std::string> FirstLine(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[1024];
  const ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  std::string_view text(buf, static_cast<size_t>(n));
  return std::string(text.substr(0, text.find('\n') + (text.find('\n') == text.npos ? 0 : 1)));
}

// Points stdin, stdout and stderr at `fd`s; false with errno on failure.
bool RedirectStdio(int in_fd, int out_fd) {
  return ::dup2(in_fd, STDIN_FILENO) >= 0 && ::dup2(out_fd, STDOUT_FILENO) >= 0 &&
         ::dup2(out_fd, STDERR_FILENO) >= 0;
}

}  // namespace

Outcome EnableCoreDumps() {
  Outcome out;
  rlimit rlim{};
  if (getrlimit(RLIMIT_CORE, &rlim) == 0) {
    // Unlimited if allowed, else as high as the hard limit.
    rlimit wanted{RLIM_INFINITY, RLIM_INFINITY};
    if (setrlimit(RLIMIT_CORE, &wanted) != 0) {
      wanted.rlim_cur = wanted.rlim_max = rlim.rlim_max;
      (void)setrlimit(RLIMIT_CORE, &wanted);
    }
  }
  // Only a soft limit of 0 means no core file at all.
  if (getrlimit(RLIMIT_CORE, &rlim) != 0 || rlim.rlim_cur == 0) {
    out.Err("failed to ensure corefile creation\n");
    out.Exit(EX_OSERR);
  }
  return out;
}

uint64_t OpenFilesNeeded(const Config& config) {
  // Per worker: its ring (or epoll) fd, wake-up eventfds, and one listening
  // socket per address family of every TCP and UDP listener (SO_REUSEPORT).
  size_t addresses = 1;
  if (config.listen.has_value()) {
    addresses = 1 + static_cast<size_t>(std::count_if(config.listen->begin(), config.listen->end(),
                                                      [](char c) { return c == ',' || c == ';'; }));
  }
  const uint64_t transports = (config.port != 0 ? 1 : 0) + (config.udp_port != 0 ? 1 : 0);
  const uint64_t per_worker = 4 + 2 * addresses * transports;
  constexpr uint64_t kProcessWide = 32;  // stdio, logs, pid/port files, timers, signals
  return static_cast<uint64_t>(std::max(config.max_connections, 0)) + kProcessWide +
         per_worker * static_cast<uint64_t>(std::max(config.num_threads, 1));
}

Outcome RaiseOpenFileLimit(const Config& config) {
  Outcome out;
  rlimit rlim{};
  if (getrlimit(RLIMIT_NOFILE, &rlim) != 0) {
    out.Err("failed to getrlimit number of files\n");
    out.Exit(EX_OSERR);
    return out;
  }
  const rlim_t needed = OpenFilesNeeded(config);
  if (rlim.rlim_cur != RLIM_INFINITY && rlim.rlim_cur >= needed) return out;
  rlimit wanted = rlim;
  wanted.rlim_cur = needed;
  if (wanted.rlim_max != RLIM_INFINITY && wanted.rlim_max < needed) wanted.rlim_max = needed;
  if (setrlimit(RLIMIT_NOFILE, &wanted) != 0) {
    out.Err(
        "failed to set rlimit for open files. Try starting as root or requesting smaller "
        "maxconns value.\n");
    out.Exit(EX_OSERR);
  }
  return out;
}

Outcome CheckUser(const Config& config, uid_t uid, uid_t euid) {
  Outcome out;
  if (uid != 0 && euid != 0) return out;  // -u matters only to root
  if (config.user.empty()) {
    out.Err("can't run as root without the -u switch\n");
    out.Exit(EX_USAGE);
  } else if (!LookupUser(config.user).has_value()) {
    out.Err(absl::StrCat("can't find the user ", config.user, " to switch to\n"));
    out.Exit(EX_NOUSER);
  }
  return out;
}

Outcome Daemonize(const Config& config) {
  Outcome out;
  if (signal(SIGHUP, SIG_IGN) == SIG_ERR) {
    const int err = errno;
    out.Err(WithErrno("Failed to ignore SIGHUP", err));
  }
  // Open the config file's logfile before detaching, so a failure is seen.
  int log_fd = -1;
  if (!config.log_file.empty()) {
    log_fd = ::open(config.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log_fd < 0) {
      const int err = errno;
      out.Err(absl::StrFormat("%s: cannot open log file %s", kProgramName,
                              WithErrno(config.log_file, err)));
    }
  }
  out.Print();  // before fork, so the messages are printed once
  Outcome child;
  auto fail = [&child, log_fd]() {
    if (log_fd >= 0) ::close(log_fd);
    child.Err("failed to daemon() in order to daemonize\n");
    child.Exit(EXIT_FAILURE);
    return child;
  };
  switch (fork()) {
    case -1:
      return fail();
    case 0:
      break;
    default:
      _exit(EXIT_SUCCESS);
  }
  if (setsid() == -1) return fail();
  // With -r the working directory stays, so a core file lands where expected.
  if (!config.coredumps && chdir("/") != 0) {
    const int err = errno;
    child.Err(WithErrno("chdir", err));
    return fail();
  }
  const int null_fd = ::open("/dev/null", O_RDWR);
  if (log_fd >= 0) {
    if (null_fd < 0 || !RedirectStdio(null_fd, log_fd)) {
      const int err = errno;
      child.Err(WithErrno("dup2", err));
      if (null_fd >= 0) ::close(null_fd);
      return fail();
    }
    ::close(log_fd);
    ::close(null_fd);
  } else if (config.verbosity == 0 && null_fd >= 0) {
    // With -v the terminal keeps the output, as memcached's daemon() does.
    if (!RedirectStdio(null_fd, null_fd)) {
      const int err = errno;
      child.Err(WithErrno("dup2", err));
      ::close(null_fd);
      return fail();
    }
    ::close(null_fd);
  } else if (null_fd >= 0) {
    ::close(null_fd);
  }
  return child;
}

Outcome LockMemory() {
  Outcome out;
  if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
    const int err = errno;
    out.Err(absl::StrCat("warning: -k invalid, mlockall() failed: ", ErrnoText(err), "\n"));
  }
  return out;
}

Outcome CheckAuthSettings(const Config& config) {
  Outcome out;
  if (!config.auth_file.empty() && config.udp_port != 0) {
    out.Err("Cannot use UDP with ascii authentication enabled (-U 0 to disable)\n");
    out.Exit(EX_USAGE);
  }
  return out;
}

Outcome CheckBuiltFeatures(const Config& config) {
  Outcome out;
  if (config.sasl) {
    out.Err("This server is not built with SASL support.\n");
    out.Exit(EX_USAGE);
  } else if (config.tls.enabled) {
    out.Err("This server is not built with TLS support.\n");
    out.Exit(EX_USAGE);
  }
  return out;
}

Outcome WritePortFile(const std::string& path, std::span<const io::BoundSocket> bound) {
  Outcome out;
  const std::string temp = path + ".lck";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int err = errno;
    out.Err(absl::StrFormat("Failed to open \"%s\": %s\n", temp, ErrnoText(err)));
    return out;
  }
  struct Line {
    io::Transport transport;
    int family;
    std::string address;  // raw address bytes, to tell sockets apart
    uint16_t port;
  };
  std::vector<Line> lines;
  for (const io::Transport transport : {io::Transport::kTcp, io::Transport::kUdp}) {
    for (const io::BoundSocket& s : bound) {
      if (s.transport != transport) continue;
      Line line{transport, s.addr.ss_family, {}, 0};
      if (s.addr.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&s.addr);
        line.address.assign(reinterpret_cast<const char*>(&in->sin_addr), sizeof(in->sin_addr));
        line.port = ntohs(in->sin_port);
      } else if (s.addr.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&s.addr);
        line.address.assign(reinterpret_cast<const char*>(&in6->sin6_addr), sizeof(in6->sin6_addr));
        line.port = ntohs(in6->sin6_port);
      } else {
        continue;
      }
      const bool seen = std::any_of(lines.begin(), lines.end(), [&](const Line& l) {
        return l.transport == line.transport && l.family == line.family &&
               l.address == line.address && l.port == line.port;
      });
      if (!seen) lines.push_back(std::move(line));
    }
  }
  std::string text;
  for (const Line& l : lines) {
    absl::StrAppendFormat(&text, "%s %s: %u\n", l.transport == io::Transport::kUdp ? "UDP" : "TCP",
                          l.family == AF_INET ? "INET" : "INET6", l.port);
  }
  const bool written = WriteAll(fd, text);
  const int write_errno = errno;
  ::close(fd);
  if (!written) {
    out.Err(WithErrno(absl::StrFormat("Failed to write \"%s\"", temp), write_errno));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    out.Err(WithErrno(absl::StrFormat("Failed to rename \"%s\"", temp), err));
  }
  return out;
}

Outcome WritePidFile(const std::string& path, pid_t pid) {
  Outcome out;
  if (std::optional<std::string> line = FirstLine(path)) {
    uint32_t old_pid = 0;
    if (config_internal::SafeStrtoul(*line, &old_pid) &&
        kill(static_cast<pid_t>(old_pid), 0) == 0) {
      out.Err(absl::StrFormat("WARNING: The pid file contained the following (running) pid: %u\n",
                              old_pid));
    }
  }
  // Written under a temporary name and renamed, so a reader never sees it empty.
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int err = errno;
    out.Err(WithErrno(absl::StrCat("Could not open the pid file ", temp, " for writing"), err));
    return out;
  }
  const bool written = WriteAll(fd, absl::StrCat(pid, "\n"));
  int err = errno;
  const bool closed = ::close(fd) == 0;
  if (written) err = errno;
  if (!written || !closed) {
    out.Err(WithErrno(absl::StrCat("Could not close the pid file ", temp), err));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    out.Err(
        WithErrno(absl::StrCat("Could not rename the pid file from ", temp, " to ", path), err));
  }
  return out;
}

Outcome RemovePidFile(const std::string& path) {
  Outcome out;
  if (!path.empty() && ::unlink(path.c_str()) != 0) {
    const int err = errno;
    out.Err(WithErrno(absl::StrCat("Could not remove the pid file ", path), err));
  }
  return out;
}

Outcome SwitchUser(const Config& config) {
  Outcome out;
  if (getuid() != 0 && geteuid() != 0) return out;
  const std::optional<UserIds> ids = config.user.empty() ? std::nullopt : LookupUser(config.user);
  if (!ids.has_value()) {
    // CheckUser refused this already; reaching here means it was skipped.
    out.Err(config.user.empty()
                ? std::string("can't run as root without the -u switch\n")
                : absl::StrCat("can't find the user ", config.user, " to switch to\n"));
    out.Exit(config.user.empty() ? EX_USAGE : EX_NOUSER);
    return out;
  }
  const uid_t uid = ids->uid;
  const gid_t gid = ids->gid;
  // memcached creates its unix socket after switching users, so the user
  // owns it; here it was bound before, so hand it over.
  if (!config.unix_socket.empty() && ::chown(config.unix_socket.c_str(), uid, gid) != 0) {
    const int err = errno;
    out.Err(WithErrno(absl::StrCat("failed to hand ", config.unix_socket, " to user ", config.user),
                      err));
  }
  if (initgroups(config.user.c_str(), gid) != 0) {
    // EPERM: already without the right to change groups; carry on, as
    // memcached does when dropping supplementary groups fails that way.
    const int err = errno;
    out.Err(WithErrno("failed to set supplementary groups", err));
    if (err != EPERM) {
      out.Exit(EX_OSERR);
      return out;
    }
  }
  if (setgid(gid) < 0 || setuid(uid) < 0) {
    out.Err(absl::StrCat("failed to assume identity of user ", config.user, "\n"));
    out.Exit(EX_OSERR);
  }
  return out;
}

}  // namespace ringcache::server
