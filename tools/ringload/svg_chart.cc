#include "svg_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ringcache::ringload {
namespace {

struct Range {
  double lo;
  double hi;
};

// Ticks of a linear axis at a round step (1, 2 or 5 times a power of ten),
// about `want` of them; the range is widened to whole steps.
std::vector<double> LinearTicks(Range* r, int want) {
  double span = r->hi - r->lo;
  if (span <= 0) span = std::abs(r->hi) > 0 ? std::abs(r->hi) : 1;
  const double raw = span / want;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  r->lo = std::floor(r->lo / step) * step;
  r->hi = std::ceil(r->hi / step) * step;
  if (r->hi <= r->lo) r->hi = r->lo + step;
  std::vector<double> ticks;
  const int steps = static_cast<int>(std::lround((r->hi - r->lo) / step));
  for (int i = 0; i <= steps; ++i) ticks.push_back(r->lo + i * step);
  return ticks;
}

// Ticks of a log axis: powers of ten, with 2 and 5 in between when the
// range is short. The range is widened to whole decades.
std::vector<double> LogTicks(Range* r) {
  const double lo = std::floor(std::log10(r->lo));
  double hi = std::ceil(std::log10(r->hi));
  if (hi <= lo) hi = lo + 1;
  r->lo = std::pow(10, lo);
  r->hi = std::pow(10, hi);
  std::vector<double> ticks;
  const int decades = static_cast<int>(hi - lo);
  for (int i = 0; i <= decades; ++i) {
    const double decade = std::pow(10, lo + i);
    ticks.push_back(decade);
    if (decades <= 2 && i < decades) {
      ticks.push_back(2 * decade);
      ticks.push_back(5 * decade);
    }
  }
  return ticks;
}

std::string DefaultFormat(double v) {
  if (v != 0 && (std::abs(v) >= 1e6 || std::abs(v) < 1e-3)) return absl::StrFormat("%.3g", v);
  return absl::StrFormat("%.10g", v);
}

}  // namespace

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string LineChart::Svg(int width, int height) const {
  constexpr double kLeft = 70, kRight = 20, kTop = 34, kBottom = 48;
  const double plot_w = width - kLeft - kRight;
  const double plot_h = height - kTop - kBottom;

  Range xr{std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest()};
  Range yr = xr;
  for (const ChartSeries& s : series_) {
    for (const auto& [x, y] : s.points) {
      if (x_.log && x <= 0) continue;
      if (y_.log && y <= 0) continue;
      xr = {std::min(xr.lo, x), std::max(xr.hi, x)};
      yr = {std::min(yr.lo, y), std::max(yr.hi, y)};
    }
  }
  const bool empty = xr.lo > xr.hi;
  if (empty) xr = yr = {x_.log || y_.log ? 1.0 : 0.0, 10};
  if (x_.from_zero && !x_.log) xr.lo = std::min(xr.lo, 0.0);
  if (y_.from_zero && !y_.log) yr.lo = std::min(yr.lo, 0.0);

  auto ticks_for = [](const ChartAxis& axis, Range* r, int want) {
    std::vector<std::pair<double, std::string>> ticks = axis.ticks;
    if (!ticks.empty()) {
      for (const auto& t : ticks) *r = {std::min(r->lo, t.first), std::max(r->hi, t.first)};
      return ticks;
    }
    const std::vector<double> values = axis.log ? LogTicks(r) : LinearTicks(r, want);
    for (const double v : values)
      ticks.push_back({v, axis.format ? axis.format(v) : DefaultFormat(v)});
    return ticks;
  };
  const auto xticks = ticks_for(x_, &xr, 8);
  const auto yticks = ticks_for(y_, &yr, 5);

  auto scale = [](double v, Range r, bool log, double size) {
    if (log) {
      v = std::log10(std::max(v, r.lo));
      r = {std::log10(r.lo), std::log10(r.hi)};
    }
    return r.hi > r.lo ? (v - r.lo) / (r.hi - r.lo) * size : 0.0;
  };
  auto px = [&](double x) { return kLeft + scale(x, xr, x_.log, plot_w); };
  auto py = [&](double y) { return kTop + plot_h - scale(y, yr, y_.log, plot_h); };

  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
      "<text x=\"%g\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>\n",
      width, height, width, height, kLeft, XmlEscape(title_));
  for (const auto& [v, label] : xticks) {
    const double x = px(v);
    absl::StrAppend(
        &svg,
        absl::StrFormat("<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" stroke=\"#e4e4e4\"/>"
                        "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">%s</text>\n",
                        x, kTop, x, kTop + plot_h, x, kTop + plot_h + 16, XmlEscape(label)));
  }
  for (const auto& [v, label] : yticks) {
    const double y = py(v);
    absl::StrAppend(
        &svg,
        absl::StrFormat("<line x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                        "<text x=\"%g\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                        kLeft, y, kLeft + plot_w, y, kLeft - 6, y + 4, XmlEscape(label)));
  }
  absl::StrAppend(
      &svg, absl::StrFormat("<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" "
                            "stroke=\"#888\"/>\n"
                            "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%s</text>\n"
                            "<text transform=\"translate(14 %g) rotate(-90)\" "
                            "text-anchor=\"middle\">%s</text>\n",
                            kLeft, kTop, plot_w, plot_h, kLeft + plot_w / 2, height - 10.0,
                            XmlEscape(x_.label), kTop + plot_h / 2, XmlEscape(y_.label)));
  double legend_x = kLeft + plot_w;
  for (auto it = series_.rbegin(); it != series_.rend(); ++it) {
    const ChartSeries& s = *it;
    std::string path;
    for (const auto& [x, y] : s.points) {
      if ((x_.log && x <= 0) || (y_.log && y <= 0)) continue;
      absl::StrAppend(&path, path.empty() ? "M" : " L", absl::StrFormat("%.1f %.1f", px(x), py(y)));
    }
    if (!path.empty()) {
      absl::StrAppend(
          &svg, absl::StrFormat("<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                                "stroke-linejoin=\"round\"/>\n",
                                path, XmlEscape(s.color)));
      if (s.points.size() == 1) {
        absl::StrAppend(
            &svg,
            absl::StrFormat("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                            px(s.points[0].first), py(s.points[0].second), XmlEscape(s.color)));
      }
    }
    // Legend, right-aligned above the plot.
    const double text_w = 7.0 * s.name.size();
    legend_x -= text_w + 24;
    absl::StrAppend(
        &svg, absl::StrFormat("<rect x=\"%.1f\" y=\"12\" width=\"12\" height=\"4\" fill=\"%s\"/>"
                              "<text x=\"%.1f\" y=\"19\">%s</text>\n",
                              legend_x, XmlEscape(s.color), legend_x + 16, XmlEscape(s.name)));
  }
  if (empty) {
    absl::StrAppend(&svg, absl::StrFormat("<text x=\"%g\" y=\"%g\" text-anchor=\"middle\" "
                                          "fill=\"#888\">no data</text>\n",
                                          kLeft + plot_w / 2, kTop + plot_h / 2));
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

}  // namespace ringcache::ringload
