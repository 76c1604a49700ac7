// ringload's outputs: the live line, the final table, --json and the
// self-contained --report HTML page.
//
// The JSON holds everything the run measured. Scripts rely on these fields
// (issue 6): ops_per_sec, errors (the total; errors_by_kind breaks it down)
// and latency_us with p50, p99 and p999; they keep their names.
//
// Threading: pure functions of a RunResult.
#pragma once

#include <string>

#include "run.h"

namespace ringcache::ringload {

std::string FormatLiveLine(const TimelinePoint& point);
std::string FormatSummary(const RunResult& result);
std::string FormatJson(const RunResult& result);
std::string FormatHtml(const RunResult& result);

// A short description of the run's shape, e.g. "text, 1 thread x 50
// connections, pipeline 16, closed loop".
std::string DescribeRun(const Options& options);

}  // namespace ringcache::ringload
