// Line charts as inline SVG, for the --report page: no scripts, no fonts or
// styles fetched from anywhere, so the page renders offline and can be
// attached to an issue as is.
//
// Axes are linear or logarithmic; ticks are chosen at round values (1-2-5
// steps, or powers of ten) unless the caller supplies its own, as the
// percentile chart does (0 %, 90 %, 99 %, 99.9 %, ...).
//
// Threading: plain data.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ringcache::ringload {

struct ChartAxis {
  std::string label;
  bool log = false;
  // Explicit ticks (value, label); chosen automatically when empty.
  std::vector<std::pair<double, std::string>> ticks;
  // Labels of automatic ticks.
  std::function<std::string(double)> format;
  // The axis starts at zero (linear axes) rather than at the smallest value.
  bool from_zero = false;
};

struct ChartSeries {
  std::string name;
  std::string color;  // any SVG colour
  std::vector<std::pair<double, double>> points;
};

class LineChart {
 public:
  LineChart(std::string title, ChartAxis x, ChartAxis y)
      : title_(std::move(title)), x_(std::move(x)), y_(std::move(y)) {}
  void Add(ChartSeries series) { series_.push_back(std::move(series)); }
  std::string Svg(int width, int height) const;

 private:
  std::string title_;
  ChartAxis x_;
  ChartAxis y_;
  std::vector<ChartSeries> series_;
};

// Escapes &, <, >, " for XML text and attributes.
std::string XmlEscape(const std::string& s);

}  // namespace ringcache::ringload
