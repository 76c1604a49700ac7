#include "ringcache/io/cpus.h"

#include <cstdlib>
#include <memory>

#include <errno.h>
#include <sched.h>

#include "absl/status/status.h"

namespace ringcache::io {

absl::StatusOr<std::vector<int>> AllowedCpus() {
  // The mask may be larger than cpu_set_t on hosts with many CPUs: grow the
  // dynamically sized set until the kernel accepts it.
  for (int ncpus = 1024; ncpus <= (1 << 20); ncpus *= 2) {
    const size_t bytes = CPU_ALLOC_SIZE(ncpus);
    std::unique_ptr<cpu_set_t, void (*)(cpu_set_t*)> set(CPU_ALLOC(ncpus),
                                                         [](cpu_set_t* s) { CPU_FREE(s); });
    if (set == nullptr) return absl::ResourceExhaustedError("CPU_ALLOC failed");
    CPU_ZERO_S(bytes, set.get());
    if (sched_getaffinity(0, bytes, set.get()) != 0) {
      if (errno == EINVAL) continue;
      return absl::ErrnoToStatus(errno, "sched_getaffinity");
    }
    std::vector<int> cpus;
    for (int cpu = 0; cpu < ncpus; ++cpu) {
      if (CPU_ISSET_S(cpu, bytes, set.get())) cpus.push_back(cpu);
    }
    return cpus;
  }
  return absl::InternalError("sched_getaffinity: mask larger than 2^20 CPUs");
}

}  // namespace ringcache::io
