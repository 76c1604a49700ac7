// ringload: the load tool that ships with ringcached. See README.md in this
// folder for every flag; `ringload --help` prints them.

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "absl/strings/string_view.h"

#include "options.h"
#include "report.h"
#include "run.h"

namespace {

bool WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) {
    std::fprintf(stderr, "ringload: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using ringcache::ringload::FormatHtml;
  using ringcache::ringload::FormatJson;
  using ringcache::ringload::FormatLiveLine;
  using ringcache::ringload::FormatSummary;
  using ringcache::ringload::Options;
  using ringcache::ringload::ParseOptions;
  using ringcache::ringload::RunResult;
  using ringcache::ringload::TimelinePoint;
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<Options> options = ParseOptions(args);
  if (!options.ok()) {
    if (absl::IsCancelled(options.status())) {  // --help
      const absl::string_view usage = options.status().message();
      std::fwrite(usage.data(), 1, usage.size(), stdout);
      return 0;
    }
    const std::string message(options.status().message());
    std::fprintf(stderr, "ringload: %s\n", message.c_str());
    return 2;
  }
  const bool live = options->live == Options::Live::kOn ||
                    (options->live == Options::Live::kAuto && isatty(STDERR_FILENO));
  absl::StatusOr<RunResult> result =
      ringcache::ringload::Run(*options, [live](const TimelinePoint& point) {
        if (live) std::fprintf(stderr, "%s\n", FormatLiveLine(point).c_str());
      });
  if (!result.ok()) {
    const std::string message(result.status().message());
    std::fprintf(stderr, "ringload: %s\n", message.c_str());
    return 1;
  }
  std::fputs(FormatSummary(*result).c_str(), stdout);
  std::fflush(stdout);
  bool ok = true;
  if (!options->json_path.empty()) ok &= WriteFile(options->json_path, FormatJson(*result));
  if (!options->report_path.empty()) ok &= WriteFile(options->report_path, FormatHtml(*result));
  if (!ok) return 1;
  // A run whose every connection failed measured nothing worth a zero exit.
  return result->connections > 0 && result->live_connections == 0 ? 1 : 0;
}
