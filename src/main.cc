// ringcached's entry point: command line -> Config -> process setup -> RunServer.
//
// The order of the steps is memcached's (see server/process.h), so that a
// bad setting fails with the same message at the same point, e.g. before or
// after the process has detached.
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "ringcache/server/config.h"
#include "ringcache/server/config_listen.h"
#include "ringcache/server/config_outcome.h"
#include "ringcache/server/config_parser.h"
#include "ringcache/server/process.h"
#include "ringcache/server/server.h"

namespace {

using ringcache::server::Outcome;

// Prints a step's messages; returns the exit status when the process must stop.
std::optional<int> Report(const Outcome& outcome) {
  outcome.Print();
  return outcome.exit_code();
}

}  // namespace

int main(int argc, char** argv) {
  namespace rs = ringcache::server;
  const std::vector<std::string> args(argv, argv + argc);
  rs::ParsedCommandLine parsed = rs::ParseCommandLine(args, rs::HostFacts::Probe());
  if (std::optional<int> code = Report(parsed.outcome)) return *code;
  rs::Config& config = parsed.config;
  if (std::optional<int> code = Report(rs::CheckBuiltFeatures(config))) return *code;

  if (config.coredumps) {
    if (std::optional<int> code = Report(rs::EnableCoreDumps())) return *code;
  }
  if (std::optional<int> code = Report(rs::RaiseOpenFileLimit(config))) return *code;
  if (std::optional<int> code = Report(rs::CheckUser(config, getuid(), geteuid()))) return *code;
  if (config.daemonize) {
    if (std::optional<int> code = Report(rs::Daemonize(config))) return *code;
  }
  if (config.lock_memory) Report(rs::LockMemory());
  if (std::optional<int> code = Report(rs::CheckAuthSettings(config))) return *code;

  rs::ListenPlan plan = rs::PlanListeners(config);
  if (std::optional<int> code = Report(plan.outcome)) return *code;
  config.listeners = std::move(plan.listeners);

  return rs::RunServer(config);
}
