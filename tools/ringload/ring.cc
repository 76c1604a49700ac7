#include "ring.h"

#include <cstring>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace ringcache::ringload {

absl::StatusOr<std::string> SetUpRing(io_uring* ring, unsigned sq_entries, unsigned cq_entries) {
  struct Attempt {
    unsigned flags;
    const char* name;
  };
  const Attempt attempts[] = {
      {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, "single_issuer+defer_taskrun"},
      {IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG, "coop_taskrun"},
      {0, "plain"},
  };
  int last_error = 0;
  for (const Attempt& a : attempts) {
    io_uring_params params;
    std::memset(&params, 0, sizeof(params));
    // A CQ big enough for every operation that can be in flight: completions
    // are never dropped or pushed to the overflow list.
    params.flags = a.flags | IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
    params.cq_entries = cq_entries;
    const int r = io_uring_queue_init_params(sq_entries, ring, &params);
    if (r == 0) {
      (void)io_uring_register_ring_fd(ring);  // an optimisation only
      return std::string(a.name);
    }
    last_error = -r;
    if (last_error != EINVAL) break;  // EINVAL: flags unknown to this kernel; else give up
  }
  return absl::UnavailableError(absl::StrCat(
      "io_uring_queue_init: ", std::error_code(last_error, std::generic_category()).message(),
      last_error == EPERM ? " (io_uring disabled by sysctl or seccomp?)" : ""));
}

}  // namespace ringcache::ringload
