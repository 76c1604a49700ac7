// --json: every figure of the run.

#include <string>

#include "json_writer.h"
#include "report.h"

namespace ringcache::ringload {
namespace {

double Us(uint64_t ns) { return ns / 1000.0; }

void WriteLatency(JsonWriter& w, const Histogram& h) {
  w.BeginObject()
      .Field("count", h.count())
      .Field("min", Us(h.min()))
      .Field("mean", h.mean() / 1000)
      .Field("p50", Us(h.ValueAtPercentile(50)))
      .Field("p90", Us(h.ValueAtPercentile(90)))
      .Field("p99", Us(h.ValueAtPercentile(99)))
      .Field("p999", Us(h.ValueAtPercentile(99.9)))
      .Field("p9999", Us(h.ValueAtPercentile(99.99)))
      .Field("max", Us(h.max()))
      .EndObject();
}

void WriteCounters(JsonWriter& w, const Counters& c) {
  w.Field("requests", c.requests()).Field("keys", c.keys()).Field("hits", c.hits());
  w.Field("misses", c.misses()).Field("errors", c.error_total());
  w.Key("errors_by_kind").BeginObject();
  for (size_t i = 0; i < kErrorKinds; ++i) {
    w.Field(ErrorKindName(static_cast<ErrorKind>(i)), c.errors[i]);
  }
  w.EndObject();
  w.Key("by_op").BeginObject();
  for (size_t i = 0; i < kOpKinds; ++i) {
    const OpCounters& op = c.ops[i];
    w.Key(OpKindName(static_cast<OpKind>(i))).BeginObject();
    w.Field("requests", op.requests).Field("keys", op.keys).Field("hits", op.hits);
    w.Field("misses", op.misses).EndObject();
  }
  w.EndObject();
  w.Field("bytes_sent", c.bytes_sent).Field("bytes_received", c.bytes_received);
}

void WriteOptions(JsonWriter& w, const Options& o) {
  w.BeginObject();
  w.Key("servers").BeginArray();
  for (const ServerAddress& s : o.servers) w.String(s.label);
  w.EndArray();
  w.Field("protocol", protocol::client::ProtocolName(o.protocol));
  w.Field("threads", o.threads).Field("connections", o.connections);
  w.Field("pipeline", o.pipeline).Field("multiget", o.multiget);
  w.Key("ratio").BeginObject();
  w.Field("get", uint64_t{o.mix.get}).Field("set", uint64_t{o.mix.set});
  w.Field("delete", uint64_t{o.mix.del}).Field("incr", uint64_t{o.mix.incr});
  w.Field("touch", uint64_t{o.mix.touch}).EndObject();
  w.Field("keys", o.keys).Field("key_size", uint64_t{o.key_size}).Field("key_prefix", o.key_prefix);
  w.Field("distribution", o.distribution == Distribution::kUniform      ? "uniform"
                          : o.distribution == Distribution::kSequential ? "sequential"
                                                                        : "zipf");
  if (o.distribution == Distribution::kZipf) w.Field("zipf_exponent", o.zipf_exponent);
  w.Field("value_size_min", uint64_t{o.value_min}).Field("value_size_max", uint64_t{o.value_max});
  w.Field("ttl", uint64_t{o.ttl}).Field("preload", o.preload);
  w.Field("warmup_seconds", o.warmup_seconds).Field("duration_seconds", o.duration_seconds);
  w.Field("requests", o.requests).Field("rate", o.rate).Field("verify", o.verify);
  w.EndObject();
}

}  // namespace

std::string FormatJson(const RunResult& r) {
  JsonWriter w;
  w.BeginObject();
  w.Field("tool", "ringload");
  w.Field("description", DescribeRun(r.options));
  w.Key("options");
  WriteOptions(w, r.options);
  w.Field("seed", r.seed).Field("started_unix", r.started_unix);
  w.Field("interrupted", r.interrupted).Field("ring_mode", r.ring_mode);
  w.Field("connections", r.connections).Field("live_connections", r.live_connections);

  w.Field("duration_seconds", r.measured_seconds);
  w.Field("ops_per_sec", r.ops_per_sec());
  w.Field("keys_per_sec", r.measured_seconds > 0 ? r.counters.keys() / r.measured_seconds : 0.0);
  WriteCounters(w, r.counters);
  w.Key("verify_failures").BeginObject();
  w.Field("too_short", r.counters.verify_failures[0]);
  w.Field("bad_version", r.counters.verify_failures[1]);
  w.Field("bad_checksum", r.counters.verify_failures[2]);
  w.Field("wrong_key", r.counters.verify_failures[3]);
  w.EndObject();
  w.Key("latency_us");
  WriteLatency(w, r.latency);
  w.Key("latency_percentiles").BeginArray();
  for (const Histogram::Point& p : r.latency.PercentileCurve()) {
    w.BeginObject().Field("percentile", p.percentile).Field("us", Us(p.value)).EndObject();
  }
  w.EndArray();
  if (r.options.open_loop()) {
    w.Key("schedule").BeginObject();
    w.Field("target_ops_per_sec", r.options.rate);
    w.Key("lag_us");
    WriteLatency(w, r.schedule.lag);
    w.Field("backlog_peak", r.schedule.backlog_peak).Field("dropped", r.schedule.dropped);
    w.EndObject();
  }

  w.Key("client").BeginObject();
  const double requests = r.counters.requests() ? static_cast<double>(r.counters.requests()) : 1;
  w.Field("cpu_user_seconds", r.cpu_user_seconds).Field("cpu_system_seconds", r.cpu_system_seconds);
  w.Field("cpu_us_per_op", (r.cpu_user_seconds + r.cpu_system_seconds) * 1e6 / requests);
  w.Field("ring_enters", r.ring_enters).Field("ring_enters_per_op", r.ring_enters / requests);
  w.Field("completions", r.completions).Field("sends", r.sends).Field("receives", r.receives);
  w.EndObject();

  w.Key("preload").BeginObject();
  w.Field("seconds", r.preload_seconds);
  WriteCounters(w, r.preload);
  w.EndObject();

  w.Key("timeline").BeginArray();
  for (const TimelinePoint& p : r.timeline) {
    w.BeginObject();
    w.Field("second", p.index).Field("seconds", p.seconds).Field("ops_per_sec", p.ops_per_sec());
    w.Field("requests", p.counters.requests()).Field("hits", p.counters.hits());
    w.Field("misses", p.counters.misses()).Field("errors", p.counters.error_total());
    w.Field("p50_us", Us(p.p50_ns)).Field("p99_us", Us(p.p99_ns));
    w.Field("p999_us", Us(p.p999_ns)).Field("max_us", Us(p.max_ns));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str();
}

}  // namespace ringcache::ringload
