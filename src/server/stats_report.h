// The text of `stats` and its sub-reports, gathered from the three places
// counters live: the server's per-worker ThreadStats, the io engine's
// per-worker WorkerStats and the store's own counters.
//
// `stats` prints every field memcached 1.6.18 prints, in its order, then
// ringcache's own fields. Counters are reported relative to the baseline
// that `stats reset` records (nothing is ever written into another worker's
// counters); gauges (curr_items, bytes, ...) are reported as they are.
//
// Threading: runs on the worker that received the command; reads other
// workers' counters with relaxed loads and the store's under its own locks.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ringcache/base/out_buffer.h"
#include "server_context.h"

namespace ringcache::server {

// One line of a stats report before the baseline is applied.
struct StatLine {
  std::string name;
  // A counter (baseline-relative), a gauge (absolute) or preformatted text.
  enum class Kind : uint8_t { kCounter, kGauge, kText } kind = Kind::kGauge;
  uint64_t number = 0;
  std::string text;
};

class StatsReport {
 public:
  explicit StatsReport(ServerContext& server) : server_(server) {}

  // `stats`
  std::vector<StatLine> General(base::RelTime now);
  // `stats items` / `stats slabs` (per class, then totals).
  std::vector<StatLine> Items(base::RelTime now);
  std::vector<StatLine> Slabs(base::RelTime now);

  // `stats conns`: listeners, UDP sockets and client connections in
  // descriptor order, as memcached lists its connection table.
  std::vector<StatLine> Conns(base::RelTime now);

  // Calls `emit(name, value_text)` for each line with the baseline applied.
  template <typename Emit>
  void Visit(const std::vector<StatLine>& lines, Emit&& emit);
  // Writes `lines` as text STAT lines, then END.
  void Write(base::OutBuffer& out, const std::vector<StatLine>& lines);
  // `stats reset`: the current counters of every report become the baseline.
  void Reset(base::RelTime now);

 private:
  ServerContext& server_;
};

template <typename Emit>
void StatsReport::Visit(const std::vector<StatLine>& lines, Emit&& emit) {
  const std::map<std::string, uint64_t> baseline = server_.Baseline();
  for (const StatLine& line : lines) {
    switch (line.kind) {
      case StatLine::Kind::kText:
        emit(line.name, std::string_view(line.text));
        break;
      case StatLine::Kind::kGauge:
        emit(line.name, std::string_view(std::to_string(line.number)));
        break;
      case StatLine::Kind::kCounter: {
        const auto it = baseline.find(line.name);
        const uint64_t base = it == baseline.end() ? 0 : it->second;
        emit(line.name,
             std::string_view(std::to_string(line.number >= base ? line.number - base : 0)));
        break;
      }
    }
  }
}

}  // namespace ringcache::server
