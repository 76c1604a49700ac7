// io_uring set-up for a load thread, with fallbacks for older kernels.
//
// Preferred: SINGLE_ISSUER | DEFER_TASKRUN (6.1+): only this thread submits,
// and the kernel runs completion work when the thread asks for completions
// instead of interrupting it, so one io_uring_enter both submits a turn's
// sends and receives and collects everything that finished. Then
// COOP_TASKRUN | TASKRUN_FLAG (5.19+): no forced interrupts, but work may
// run at other times. Then no flags. The ring fd is registered (5.18+) so
// each enter skips the file-table lookup; failure there is not fatal.
//
// The io layer's server engine makes the same choices for its workers; this
// copy is ringload's own because it needs nothing else of that engine.
//
// Threading: call on the thread that will use the ring (SINGLE_ISSUER binds
// the ring to its creator).
#pragma once

#include <string>

#include <liburing.h>

#include "absl/status/statusor.h"

namespace ringcache::ringload {

// Returns a description of the flags in use, e.g. "single_issuer+defer_taskrun".
absl::StatusOr<std::string> SetUpRing(io_uring* ring, unsigned sq_entries, unsigned cq_entries);

}  // namespace ringcache::ringload
