// --report: one self-contained HTML page (inline CSS and SVG, nothing
// fetched): the run's summary, throughput over time, latency over time and
// the latency percentile curve.

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "report.h"
#include "svg_chart.h"

namespace ringcache::ringload {
namespace {

double Us(uint64_t ns) { return ns / 1000.0; }

std::string UsLabel(double us) {
  if (us >= 1e6) return absl::StrFormat("%.3g s", us / 1e6);
  if (us >= 1e3) return absl::StrFormat("%.3g ms", us / 1e3);
  return absl::StrFormat("%.3g us", us);
}

std::string OpsLabel(double v) {
  if (v >= 1e6) return absl::StrFormat("%.3gM", v / 1e6);
  if (v >= 1e3) return absl::StrFormat("%.3gk", v / 1e3);
  return absl::StrFormat("%.3g", v);
}

// The percentile axis: x = log10(1 / (1 - p)), so 90 % is 1, 99 % is 2...
double PercentileX(double p) { return p >= 100 ? NAN : -std::log10(1 - p / 100); }

std::string ThroughputChart(const RunResult& r) {
  ChartAxis x{.label = "seconds", .from_zero = true};
  ChartAxis y{.label = "ops/s", .format = OpsLabel, .from_zero = true};
  LineChart chart("Throughput", x, y);
  ChartSeries ops{"ops/s", "#1f77b4", {}};
  ChartSeries errors{"errors/s", "#d62728", {}};
  bool any_errors = false;
  // Each second is drawn as a step over the time it covers.
  for (const TimelinePoint& p : r.timeline) {
    const double from = static_cast<double>(p.index);
    const double to = from + p.seconds;
    ops.points.push_back({from, p.ops_per_sec()});
    ops.points.push_back({to, p.ops_per_sec()});
    const double e = p.seconds > 0 ? p.counters.error_total() / p.seconds : 0;
    errors.points.push_back({from, e});
    errors.points.push_back({to, e});
    any_errors |= e > 0;
  }
  chart.Add(std::move(ops));
  if (any_errors) chart.Add(std::move(errors));
  return chart.Svg(900, 300);
}

std::string LatencyOverTimeChart(const RunResult& r) {
  ChartAxis x{.label = "seconds", .from_zero = true};
  ChartAxis y{.label = "latency", .log = true, .format = UsLabel};
  LineChart chart("Latency per second", x, y);
  ChartSeries p50{"p50", "#2ca02c", {}};
  ChartSeries p99{"p99", "#ff7f0e", {}};
  ChartSeries p999{"p99.9", "#d62728", {}};
  ChartSeries max{"max", "#7f7f7f", {}};
  for (const TimelinePoint& p : r.timeline) {
    if (p.counters.requests() == 0) continue;
    for (const double t : {static_cast<double>(p.index), p.index + p.seconds}) {
      p50.points.push_back({t, Us(p.p50_ns)});
      p99.points.push_back({t, Us(p.p99_ns)});
      p999.points.push_back({t, Us(p.p999_ns)});
      max.points.push_back({t, Us(p.max_ns)});
    }
  }
  for (ChartSeries* s : {&p50, &p99, &p999, &max}) chart.Add(std::move(*s));
  return chart.Svg(900, 300);
}

std::string PercentileChart(const RunResult& r) {
  ChartAxis x{.label = "percentile"};
  const char* const labels[] = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"};
  const std::vector<Histogram::Point> curve = r.latency.PercentileCurve(8);
  double last_x = 0;
  for (const Histogram::Point& p : curve) {
    if (p.percentile < 100) last_x = std::max(last_x, PercentileX(p.percentile));
  }
  for (int i = 0; i <= std::min(6, static_cast<int>(std::ceil(last_x))); ++i) {
    x.ticks.push_back({static_cast<double>(i), labels[i]});
  }
  ChartAxis y{.label = "latency", .log = true, .format = UsLabel};
  LineChart chart(r.options.open_loop() ? "Latency by percentile (from intended send time)"
                                        : "Latency by percentile",
                  x, y);
  ChartSeries series{"latency", "#1f77b4", {}};
  for (const Histogram::Point& p : curve) {
    const double px = p.percentile >= 100 ? last_x : PercentileX(p.percentile);
    series.points.push_back({px, Us(p.value)});
  }
  chart.Add(std::move(series));
  return chart.Svg(900, 340);
}

}  // namespace

std::string FormatHtml(const RunResult& r) {
  const Histogram& h = r.latency;
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ringload report</title>\n"
      "<style>body{font-family:sans-serif;margin:24px;color:#222;max-width:960px}"
      "table{border-collapse:collapse;margin:12px 0}td,th{padding:4px 10px;text-align:right;"
      "border-bottom:1px solid #ddd}th{background:#f4f4f4}td:first-child,th:first-child"
      "{text-align:left}code{background:#f4f4f4;padding:2px 4px}svg{display:block;"
      "margin:16px 0}</style></head><body>\n<h1>ringload report</h1>\n<p><code>",
      XmlEscape(DescribeRun(r.options)), "</code></p>\n");
  absl::StrAppend(
      &html,
      absl::StrFormat("<table><tr><th>measured</th><th>requests</th><th>ops/s</th>"
                      "<th>hits</th><th>misses</th><th>errors</th></tr>\n<tr><td>%.2f s%s</td>"
                      "<td>%d</td><td>%.0f</td><td>%d</td><td>%d</td><td>%d</td></tr></table>\n",
                      r.measured_seconds, r.interrupted ? " (interrupted)" : "",
                      r.counters.requests(), r.ops_per_sec(), r.counters.hits(),
                      r.counters.misses(), r.counters.error_total()));
  absl::StrAppend(
      &html, absl::StrFormat(
                 "<table><tr><th>latency</th><th>min</th><th>p50</th><th>p90</th><th>p99</th>"
                 "<th>p99.9</th><th>p99.99</th><th>max</th></tr>\n<tr><td>us</td><td>%.1f</td>"
                 "<td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td>"
                 "</tr></table>\n",
                 Us(h.min()), Us(h.ValueAtPercentile(50)), Us(h.ValueAtPercentile(90)),
                 Us(h.ValueAtPercentile(99)), Us(h.ValueAtPercentile(99.9)),
                 Us(h.ValueAtPercentile(99.99)), Us(h.max())));
  if (r.options.open_loop()) {
    absl::StrAppend(
        &html, absl::StrFormat("<p>Open loop at %.0f ops/s (Poisson arrivals); latency counts from "
                               "each request's intended send time. Behind schedule: p99 %.1f us, "
                               "max %.1f us.</p>\n",
                               r.options.rate, Us(r.schedule.lag.ValueAtPercentile(99)),
                               Us(r.schedule.lag.max())));
  }
  absl::StrAppend(&html, ThroughputChart(r), LatencyOverTimeChart(r), PercentileChart(r));
  absl::StrAppend(&html, "<h2>Full results</h2>\n<pre>", XmlEscape(FormatSummary(r)),
                  "</pre>\n</body></html>\n");
  return html;
}

}  // namespace ringcache::ringload
