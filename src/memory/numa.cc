#include "ringcache/memory/numa.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ringcache::memory {
namespace {

// Upper bound on ids accepted from sysfs; guards the dense cpu->node table
// against a corrupt file asking for a huge allocation.
constexpr int kMaxId = 1 << 16;

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

absl::StatusOr<std::vector<int>> ParseIdList(std::string_view text) {
  const absl::string_view trimmed =
      absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size()));
  std::vector<int> ids;
  if (trimmed.empty()) return ids;
  for (absl::string_view part : absl::StrSplit(trimmed, ',')) {
    part = absl::StripAsciiWhitespace(part);
    int lo;
    int hi;
    const size_t dash = part.find('-');
    if (dash == std::string_view::npos) {
      if (!absl::SimpleAtoi(part, &lo)) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad id list entry '", std::string(part.data(), part.size()), "'"));
      }
      hi = lo;
    } else if (!absl::SimpleAtoi(part.substr(0, dash), &lo) ||
               !absl::SimpleAtoi(part.substr(dash + 1), &hi)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad id range '", std::string(part.data(), part.size()), "'"));
    }
    if (lo < 0 || hi < lo || hi >= kMaxId) {
      return absl::InvalidArgumentError(
          absl::StrCat("id range out of bounds '", std::string(part.data(), part.size()), "'"));
    }
    for (int i = lo; i <= hi; ++i) ids.push_back(i);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

NumaTopology NumaTopology::SingleNode(int cpus) {
  NumaTopology t;
  NumaNode node;
  for (int c = 0; c < std::max(cpus, 1); ++c) node.cpus.push_back(c);
  t.cpu_to_node_.assign(node.cpus.size(), 0);
  t.nodes_.push_back(std::move(node));
  return t;
}

absl::StatusOr<NumaTopology> NumaTopology::Read(std::string_view root) {
  const std::string base(root);
  if (!IsDirectory(base)) {
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    return SingleNode(online > 0 ? static_cast<int>(online) : 1);
  }
  absl::StatusOr<std::string> online_text = ReadSmallFile(base + "/online");
  if (!online_text.ok()) return online_text.status();
  absl::StatusOr<std::vector<int>> node_ids = ParseIdList(*online_text);
  if (!node_ids.ok()) return node_ids.status();
  if (node_ids->empty()) return absl::InvalidArgumentError(absl::StrCat(base, "/online is empty"));

  NumaTopology t;
  int max_cpu = -1;
  for (int id : *node_ids) {
    absl::StatusOr<std::string> cpus_text =
        ReadSmallFile(absl::StrCat(base, "/node", id, "/cpulist"));
    if (!cpus_text.ok()) return cpus_text.status();
    absl::StatusOr<std::vector<int>> cpus = ParseIdList(*cpus_text);
    if (!cpus.ok()) return cpus.status();
    // Memory-only nodes (CXL, HBM) have no CPUs; they get no arena of their
    // own since no worker runs there.
    if (cpus->empty()) continue;
    max_cpu = std::max(max_cpu, cpus->back());
    t.nodes_.push_back(NumaNode{id, std::move(*cpus)});
  }
  if (t.nodes_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no node under ", base, " lists a CPU"));
  }
  t.cpu_to_node_.assign(max_cpu + 1, -1);
  for (size_t i = 0; i < t.nodes_.size(); ++i) {
    for (int cpu : t.nodes_[i].cpus) {
      if (t.cpu_to_node_[cpu] != -1) {
        return absl::InvalidArgumentError(absl::StrCat("CPU ", cpu, " listed by two nodes"));
      }
      t.cpu_to_node_[cpu] = static_cast<int>(i);
    }
  }
  return t;
}

int NumaTopology::NodeIndexOfCpu(int cpu) const {
  if (cpu < 0 || cpu >= static_cast<int>(cpu_to_node_.size())) return 0;
  const int n = cpu_to_node_[cpu];
  return n < 0 ? 0 : n;
}

int CurrentCpu() {
  const int cpu = sched_getcpu();
  return cpu < 0 ? 0 : cpu;
}

absl::Status PinCurrentThreadToCpu(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) {
    return absl::InvalidArgumentError(absl::StrCat("CPU ", cpu, " out of range"));
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) {
    char err[128];
    return absl::InternalError(
        absl::StrCat("sched_setaffinity(", cpu, "): ", strerror_r(errno, err, sizeof(err))));
  }
  return absl::OkStatus();
}

}  // namespace ringcache::memory
