// The CPUs this process may run on, as the kernel sees them: the affinity mask
// set by taskset, systemd's CPUAffinity= or a cgroup cpuset. Worker counts
// default to its size and workers are pinned to its members, so a server
// started on a CPU subset stays inside it.
//
// Threading: pure function of the calling thread's affinity.
#pragma once

#include <vector>

#include "absl/status/statusor.h"

namespace ringcache::io {

// CPU numbers in the calling thread's affinity mask, ascending. Call it on the
// main thread before any pinning (a pinned thread would report one CPU).
absl::StatusOr<std::vector<int>> AllowedCpus();

}  // namespace ringcache::io
