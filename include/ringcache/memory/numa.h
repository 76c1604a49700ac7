// The machine's NUMA layout, as Linux describes it under /sys/devices/system/node.
//
// A node is a set of CPUs that share a memory controller. The store keeps one
// jemalloc arena per node so a worker's items live in memory local to the
// core it runs on. The topology is read from a sysfs root that tests point at
// a fake tree (the build machines have a single node):
//   <root>/online          node list, e.g. "0-1"
//   <root>/node<N>/cpulist CPUs of node N, e.g. "0-3,8-11"
// A machine without that directory (containers without sysfs, non-NUMA
// kernels) is treated as one node holding every CPU.
//
// Nodes are renumbered densely: `nodes()[i].id` keeps the kernel's node id
// (needed for mbind), while the index `i` is what the store uses, so a machine
// whose online nodes are {0, 2} still has arenas 0 and 1.
//
// Threading: immutable after construction; share freely. The free functions
// act on the calling thread only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ringcache::memory {

inline constexpr std::string_view kSysfsNodeRoot = "/sys/devices/system/node";

// Parses a kernel CPU/node list ("0-3,8,10-11") into ascending ids.
// Returns an error for malformed input; an empty or "\n" list yields {}.
absl::StatusOr<std::vector<int>> ParseIdList(std::string_view text);

struct NumaNode {
  int id = 0;             // kernel node id
  std::vector<int> cpus;  // ascending CPU ids
};

class NumaTopology {
 public:
  // Reads the topology under `root`. A missing root yields a single node with
  // CPUs 0..online_cpus-1; a present but malformed tree is an error.
  static absl::StatusOr<NumaTopology> Read(std::string_view root = kSysfsNodeRoot);
  // One node holding CPUs 0..cpus-1.
  static NumaTopology SingleNode(int cpus);

  const std::vector<NumaNode>& nodes() const { return nodes_; }
  int node_count() const { return static_cast<int>(nodes_.size()); }
  // Dense node index of `cpu`; 0 for a CPU the topology does not list.
  int NodeIndexOfCpu(int cpu) const;
  // True when the tree came from the kernel's sysfs with more than one node,
  // i.e. binding memory to nodes means something.
  bool is_numa() const { return nodes_.size() > 1; }

 private:
  std::vector<NumaNode> nodes_;
  std::vector<int> cpu_to_node_;  // index: CPU id, value: dense node index or -1
};

// CPU the calling thread runs on right now (sched_getcpu), or 0 if unknown.
int CurrentCpu();
// Pins the calling thread to one CPU.
absl::Status PinCurrentThreadToCpu(int cpu);

}  // namespace ringcache::memory
