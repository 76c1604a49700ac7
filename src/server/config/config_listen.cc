#include "ringcache/server/config_listen.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include <netdb.h>
#include <sys/socket.h>
#include <sysexits.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "c_numbers.h"
#include "errno_text.h"

namespace ringcache::server {
namespace {

std::string_view TransportName(io::Transport t) { return t == io::Transport::kUdp ? "UDP" : "TCP"; }

// getaddrinfo as memcached calls it before binding. Returns false (after
// printing memcached's message) when the address does not resolve.
bool Resolves(const char* host, int port, io::Transport transport, Outcome& out, int* err) {
  addrinfo hints{};
  hints.ai_flags = AI_PASSIVE;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = transport == io::Transport::kUdp ? SOCK_DGRAM : SOCK_STREAM;
  addrinfo* ai = nullptr;
  errno = 0;
  const std::string service = absl::StrCat(port);
  const int rc = getaddrinfo(host, service.c_str(), &hints, &ai);
  if (rc == 0) {
    freeaddrinfo(ai);
    return true;
  }
  if (rc == EAI_SYSTEM) {
    *err = errno;
    out.Err(absl::StrCat("getaddrinfo(): ", config_internal::ErrnoText(*err), "\n"));
  } else {
    *err = 0;
    out.Err(absl::StrCat("getaddrinfo(): ", gai_strerror(rc), "\n"));
  }
  return false;
}

// One pass of memcached's server_sockets() over the -l list for one
// transport. The list is parsed in a copy that is cut with NUL bytes exactly
// where memcached cuts its copy, because one of its messages prints the
// start of that copy.
class ListParser {
 public:
  ListParser(const Config& config, io::Transport transport, int port)
      : config_(config), transport_(transport), port_(port), buf_(*config.listen) {}

  // Appends the listeners to `plan`; false once a listener failed (every
  // remaining entry is still resolved when the failure was a lookup, as
  // memcached binds the others before it gives up).
  bool Run(std::vector<ListenerSpec>* plan, Outcome& out, int* first_err) {
    bool ok = true;
    size_t pos = 0;
    while (NextToken(&pos)) {
      ListenerSpec spec;
      int err = 0;
      switch (ParseEntry(pos, &spec, out, &err)) {
        case Entry::kSyntaxError:
          return false;
        case Entry::kUnresolved:
          if (ok) *first_err = err;
          ok = false;
          break;
        case Entry::kOk:
          plan->push_back(std::move(spec));
          break;
      }
      pos = token_end_;
    }
    return ok;
  }

 private:
  enum class Entry { kOk, kSyntaxError, kUnresolved };

  // strtok_r(..., ";,"): skips separators, cuts the token with a NUL.
  bool NextToken(size_t* pos) {
    size_t p = *pos;
    while (p < buf_.size() && IsSeparator(buf_[p])) ++p;
    if (p >= buf_.size() || buf_[p] == '\0') return false;
    size_t e = p;
    while (e < buf_.size() && buf_[e] != '\0' && !IsSeparator(buf_[e])) ++e;
    token_end_ = e;
    if (e < buf_.size()) {
      buf_[e] = '\0';
      ++token_end_;
    }
    *pos = p;
    return true;
  }
  static bool IsSeparator(char c) { return c == ',' || c == ';'; }

  // The C string at `pos`: up to the next NUL cut.
  std::string_view CString(size_t pos) const {
    if (pos >= buf_.size()) return {};
    const std::string_view rest(buf_.data() + pos, buf_.size() - pos);
    return rest.substr(0, rest.find('\0'));
  }
  bool StartsWith(size_t pos, std::string_view prefix) const {
    return CString(pos).substr(0, prefix.size()) == prefix;
  }
  // Moves past `n` characters, never beyond the end of the token.
  size_t Skip(size_t pos, size_t n) const { return std::min(pos + n, pos + CString(pos).size()); }

  Entry ParseEntry(size_t p, ListenerSpec* spec, Outcome& out, int* err) {
    spec->transport = transport_;
    spec->tls = config_.tls.enabled;
    spec->protocol = config_.protocol;
    int port = port_;

    if (StartsWith(p, "notls")) {
      if (!config_.tls.enabled) {
        out.Err("'notls' option is valid only when SSL is enabled\n");
        return Entry::kSyntaxError;
      }
      spec->tls = false;
      p = Skip(p, 6);  // "notls" and the ':' after it
    }
    if (StartsWith(p, "proto")) {
      p += 5;
      if (CString(p).starts_with('[')) {
        const size_t e = CString(p).find(']');
        if (e == std::string_view::npos) {
          out.Err(absl::StrFormat("Invalid protocol spec: \"%s\"\n", CString(p)));
          return Entry::kSyntaxError;
        }
        const size_t name_at = p + 1;
        buf_[p + e] = '\0';
        const std::string_view name = CString(name_at);
        p = Skip(p + e + 1, 1);  // past ']' and an assumed ':'
        // strncmp(name, "ascii", len): any prefix of the word selects it.
        if (std::string_view("ascii").starts_with(name)) {
          spec->protocol = BindingProtocol::kAscii;
        } else if (std::string_view("binary").starts_with(name)) {
          spec->protocol = BindingProtocol::kBinary;
        } else if (std::string_view("negotiating").starts_with(name)) {
          spec->protocol = BindingProtocol::kNegotiating;
        } else if (std::string_view("proxy").starts_with(name)) {
          out.Err(absl::StrFormat("Server not built with proxy: \"%s\"\n", CString(0)));
          return Entry::kSyntaxError;
        }
      }
    }
    if (StartsWith(p, "tag")) {
      p += 3;
      if (CString(p).starts_with('[')) {
        const size_t e = CString(p).find(']');
        if (e == std::string_view::npos) {
          out.Err(absl::StrFormat("Invalid tag in socket config: \"%s\"\n", CString(p)));
          return Entry::kSyntaxError;
        }
        const size_t name_at = p + 1;
        buf_[p + e] = '\0';
        const std::string_view tag = CString(name_at);
        p = Skip(p + e + 1, 1);
        if (tag.size() > 8 || tag.empty()) {
          out.Err(
              absl::StrFormat("Listener tags must be between 1 and 8 characters: \"%s\"\n", tag));
          return Entry::kSyntaxError;
        }
        spec->tag = 0;
        std::memcpy(&spec->tag, tag.data(), tag.size());
      }
    }
    std::optional<size_t> bracketed;
    if (CString(p).starts_with('[')) {
      const size_t e = CString(p).find(']');
      if (e == std::string_view::npos) {
        out.Err(absl::StrFormat("Invalid IPV6 address: \"%s\"", CString(p)));  // no newline
        return Entry::kSyntaxError;
      }
      bracketed = p + 1;
      buf_[p + e] = '\0';
      p += e + 1;
    }
    const std::string_view rest = CString(p);
    const size_t colon = rest.find(':');
    if (colon != std::string_view::npos &&
        (rest.find(':', colon + 1) == std::string_view::npos || bracketed.has_value())) {
      // A port, unless this is a bare IPv6 address (several colons).
      buf_[p + colon] = '\0';
      const std::string_view port_text = CString(p + colon + 1);
      int32_t parsed = 0;
      if (!config_internal::SafeStrtol(port_text, &parsed)) {
        out.Err(absl::StrFormat("Invalid port number: \"%s\"\n", port_text));
        return Entry::kSyntaxError;
      }
      port = parsed;
    }
    std::string host(CString(bracketed.value_or(p)));
    if (host == "*") host.clear();
    if (port == -1) port = 0;  // memcached's "any port"
    spec->host = host;
    spec->port = port;
    return Resolves(host.empty() ? nullptr : host.c_str(), port, transport_, out, err)
               ? Entry::kOk
               : Entry::kUnresolved;
  }

  const Config& config_;
  const io::Transport transport_;
  const int port_;
  std::string buf_;
  size_t token_end_ = 0;
};

// Plans one transport; false (with memcached's closing message) on failure.
bool PlanTransport(const Config& config, io::Transport transport, int port, ListenPlan& plan) {
  int err = 0;
  bool ok;
  if (!config.listen.has_value()) {
    ok = Resolves(nullptr, port == -1 ? 0 : port, transport, plan.outcome, &err);
    if (ok)
      plan.listeners.push_back(
          {transport, "", port == -1 ? 0 : port, config.tls.enabled, config.protocol, 0});
    if (!ok) {
      plan.outcome.Err(absl::StrFormat("failed to listen on %s port %d: %s\n",
                                       TransportName(transport), port,
                                       config_internal::ErrnoText(err)));
    }
  } else {
    ListParser parser(config, transport, port);
    ok = parser.Run(&plan.listeners, plan.outcome, &err);
    if (!ok) {
      plan.outcome.Err(absl::StrFormat("failed to listen on one of interface(s) %s: %s\n",
                                       *config.listen, config_internal::ErrnoText(err)));
    }
  }
  if (!ok) plan.outcome.Exit(EX_OSERR);
  return ok;
}

}  // namespace

ListenPlan PlanListeners(const Config& config) {
  ListenPlan plan;
  if (!config.unix_socket.empty()) return plan;  // -s: no network sockets at all
  if (config.port != 0 && !PlanTransport(config, io::Transport::kTcp, config.port, plan)) {
    return plan;
  }
  if (config.udp_port != 0) PlanTransport(config, io::Transport::kUdp, config.udp_port, plan);
  return plan;
}

}  // namespace ringcache::server
