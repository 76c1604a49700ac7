// Setting up an io_uring for a worker, and finding out whether this kernel
// and process can run the io_uring worker at all.
//
// Ring flags, from the best to the oldest kernels that can run the worker:
//   - IORING_SETUP_SINGLE_ISSUER: only the worker's thread submits, so the
//     kernel skips submission-side locking;
//   - IORING_SETUP_DEFER_TASKRUN (6.1+): completion work runs only when the
//     worker enters the kernel to wait, so the thread is never interrupted
//     mid-turn and completions arrive in batches (with lazy wake-ups, it
//     sleeps until the number of completions it asked for is there);
//   - IORING_SETUP_COOP_TASKRUN (fallback): no interrupting signals for
//     completion work either, without the batching;
//   - IORING_SETUP_SUBMIT_ALL: one failing SQE does not stop the rest of a
//     submission; IORING_SETUP_CQSIZE: a completion queue 8x the SQ, since
//     multishot receives post many completions per submission.
//
// Threading: InitRing on the thread that will use the ring (SINGLE_ISSUER
// binds the ring to it); ProbeUring from any thread (it runs the probe on a
// short-lived thread of its own).
#pragma once

#include <liburing.h>

#include "absl/status/status.h"

namespace ringcache::io {

inline constexpr unsigned kSqEntries = 2048;
inline constexpr unsigned kCqEntries = 16384;

// Sets up `ring` with the best flags the kernel takes; returns 0 or -errno
// (EPERM/ENOSYS: io_uring is forbidden or missing). `flags_out` gets the
// setup flags used.
int InitRing(io_uring* ring, unsigned* flags_out);

// Whether this kernel/process can run the io_uring worker (ring flags,
// provided buffer rings, multishot recv), tried for real on a socketpair.
absl::Status ProbeUring();

}  // namespace ringcache::io
