// The live line and the final table.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

#include "report.h"

namespace ringcache::ringload {
namespace {

std::string Micros(uint64_t ns) {
  const double us = ns / 1000.0;
  if (us < 10) return absl::StrFormat("%.2f", us);
  if (us < 1000) return absl::StrFormat("%.1f", us);
  return absl::StrFormat("%.0f", us);
}

// 1234567 -> "1,234,567".
std::string Grouped(uint64_t v) {
  std::string digits = absl::StrCat(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? "-" : absl::StrFormat("%.1f%%", 100.0 * part / whole);
}

}  // namespace

std::string DescribeRun(const Options& o) {
  std::string servers;
  for (const ServerAddress& s : o.servers)
    absl::StrAppend(&servers, servers.empty() ? "" : " ", s.label);
  std::string mix = absl::StrFormat("get:set %d:%d", o.mix.get, o.mix.set);
  if (o.mix.del + o.mix.incr + o.mix.touch != 0) {
    mix = absl::StrFormat("get:set:delete:incr:touch %d:%d:%d:%d:%d", o.mix.get, o.mix.set,
                          o.mix.del, o.mix.incr, o.mix.touch);
  }
  std::string dist = o.distribution == Distribution::kUniform ? "uniform"
                     : o.distribution == Distribution::kSequential
                         ? "sequential"
                         : absl::StrFormat("zipf %.3g", o.zipf_exponent);
  std::string values = o.value_min == o.value_max
                           ? absl::StrFormat("%d B values", o.value_min)
                           : absl::StrFormat("%d-%d B values", o.value_min, o.value_max);
  std::string loop = o.open_loop() ? absl::StrFormat("open loop at %.0f ops/s", o.rate)
                                   : std::string("closed loop");
  return absl::StrFormat(
      "%s | %s, %d thread%s x %d connection%s, pipeline %d%s, %s | %s, %s keys (%d B), %s, %s%s",
      servers, protocol::client::ProtocolName(o.protocol), o.threads, o.threads == 1 ? "" : "s",
      o.connections, o.connections == 1 ? "" : "s", o.pipeline,
      o.multiget > 1 ? absl::StrFormat(", multiget %d", o.multiget) : "", loop, mix,
      Grouped(o.keys), o.key_size, dist, values, o.verify ? ", verify" : "");
}

std::string FormatLiveLine(const TimelinePoint& p) {
  const Counters& c = p.counters;
  const uint64_t keys = c.ops[static_cast<size_t>(OpKind::kGet)].keys;
  const uint64_t hits = c.ops[static_cast<size_t>(OpKind::kGet)].hits;
  return absl::StrFormat(
      "%s%4ds %12s ops/s  p50 %7s us  p99 %7s us  max %7s us  hit %6s  errors %s",
      p.index < 0 ? "warmup " : "", p.index < 0 ? -p.index : p.index + 1,
      Grouped(static_cast<uint64_t>(p.ops_per_sec())), Micros(p.p50_ns), Micros(p.p99_ns),
      Micros(p.max_ns), Percent(hits, keys), Grouped(c.error_total()));
}

std::string FormatSummary(const RunResult& r) {
  const Counters& c = r.counters;
  std::string out;
  absl::StrAppend(&out, "ringload: ", DescribeRun(r.options), "\n");
  if (r.options.preload) {
    absl::StrAppend(&out, absl::StrFormat("preload: %s sets in %.2f s, %s errors\n",
                                          Grouped(r.preload.requests()), r.preload_seconds,
                                          Grouped(r.preload.error_total())));
  }
  if (r.measured_seconds <= 0) {
    absl::StrAppend(&out, r.interrupted ? "interrupted before the measured phase\n" : "");
    return out;
  }
  absl::StrAppend(&out,
                  absl::StrFormat("measured %.2f s%s: %s requests, %s ops/s", r.measured_seconds,
                                  r.interrupted ? " (interrupted)" : "", Grouped(c.requests()),
                                  Grouped(static_cast<uint64_t>(r.ops_per_sec()))));
  if (r.options.multiget > 1) {
    absl::StrAppend(&out,
                    absl::StrFormat(", %s keys/s",
                                    Grouped(static_cast<uint64_t>(c.keys() / r.measured_seconds))));
  }
  absl::StrAppend(&out, "\n\n");
  absl::StrAppend(&out, absl::StrFormat("  %-8s %14s %14s %14s %14s %8s\n", "op", "requests",
                                        "ops/s", "hits", "misses", "hit"));
  for (size_t i = 0; i < kOpKinds; ++i) {
    const OpCounters& op = c.ops[i];
    if (op.requests == 0) continue;
    const bool has_hits = static_cast<OpKind>(i) != OpKind::kSet;
    absl::StrAppend(
        &out,
        absl::StrFormat("  %-8s %14s %14s %14s %14s %8s\n", OpKindName(static_cast<OpKind>(i)),
                        Grouped(op.requests),
                        Grouped(static_cast<uint64_t>(op.requests / r.measured_seconds)),
                        has_hits ? Grouped(op.hits) : "-", has_hits ? Grouped(op.misses) : "-",
                        has_hits ? Percent(op.hits, op.hits + op.misses) : "-"));
  }
  const Histogram& h = r.latency;
  absl::StrAppend(
      &out,
      "\n  latency (us)    min      p50      p90      p99    p99.9   p99.99      max     mean\n");
  absl::StrAppend(
      &out, absl::StrFormat("  %-12s %8s %8s %8s %8s %8s %8s %8s %8.1f\n",
                            r.options.open_loop() ? "(intended)" : "", Micros(h.min()),
                            Micros(h.ValueAtPercentile(50)), Micros(h.ValueAtPercentile(90)),
                            Micros(h.ValueAtPercentile(99)), Micros(h.ValueAtPercentile(99.9)),
                            Micros(h.ValueAtPercentile(99.99)), Micros(h.max()), h.mean() / 1000));
  if (r.options.open_loop()) {
    const Histogram& lag = r.schedule.lag;
    absl::StrAppend(
        &out,
        absl::StrFormat("  behind schedule: p50 %s us, p99 %s us, max %s us; backlog peak %d%s\n",
                        Micros(lag.ValueAtPercentile(50)), Micros(lag.ValueAtPercentile(99)),
                        Micros(lag.max()), r.schedule.backlog_peak,
                        r.schedule.dropped
                            ? absl::StrFormat(", %s arrivals dropped", Grouped(r.schedule.dropped))
                            : ""));
  }
  std::vector<std::string> errors;
  for (size_t i = 0; i < kErrorKinds; ++i) {
    if (c.errors[i] != 0) {
      errors.push_back(
          absl::StrFormat("%s %s", ErrorKindName(static_cast<ErrorKind>(i)), Grouped(c.errors[i])));
    }
  }
  absl::StrAppend(&out, "\n  errors: ", errors.empty() ? "none" : absl::StrJoin(errors, ", "),
                  "\n");
  const uint64_t requests = std::max<uint64_t>(c.requests(), 1);
  const double cpu = r.cpu_user_seconds + r.cpu_system_seconds;
  absl::StrAppend(
      &out,
      absl::StrFormat("  ringload: %.2f s CPU (%.3f us/op: %.0f%% user), %.3f ring enters/op, "
                      "%s connections (%d live), ring %s\n",
                      cpu, cpu * 1e6 / requests, cpu > 0 ? 100 * r.cpu_user_seconds / cpu : 0,
                      static_cast<double>(r.ring_enters) / requests, Grouped(r.connections),
                      r.live_connections, r.ring_mode));
  return out;
}

}  // namespace ringcache::ringload
