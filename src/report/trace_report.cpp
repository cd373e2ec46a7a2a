#include "foresight/report/trace_report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/core/units.hpp"

namespace foresight {

namespace {

constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                   "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};
const char* Color(std::size_t i) { return kColors[i % (sizeof(kColors) / sizeof(kColors[0]))]; }

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
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

std::string Num(double v) {
  if (std::isnan(v)) return "n/a";
  if (v != 0 && (std::abs(v) >= 1e6 || std::abs(v) < 1e-3)) return absl::StrFormat("%.3g", v);
  return absl::StrFormat("%.4g", v);
}

struct Series {
  std::string name;
  std::string color;
  std::vector<std::pair<double, double>> points;  // (x, y); NaN y breaks the line
  bool dashed = false;
  double width = 1.5;
};

struct Axes {
  double x0, x1, y0, y1;
};

constexpr int kW = 560, kH = 260, kL = 64, kR = 150, kT = 28, kB = 36;

// Width of a chart whose legend names run to `chars` characters: the plot keeps
// its size and the legend its room (about 6.5 px a character at 11 px, after
// the 28 px swatch), so long tuned names such as
// "track+fleet+damped[fleet_level=0.95]" are not cut at the edge.
int ChartWidth(std::size_t chars) {
  const int legend = 28 + static_cast<int>(std::ceil(6.5 * static_cast<double>(chars))) + 8;
  return kW + std::max(0, legend - kR);
}

std::string LineChart(const std::string& title, const std::string& xlabel,
                      const std::vector<Series>& series, Axes a, bool step_lines = false,
                      double shade_until = std::numeric_limits<double>::quiet_NaN(),
                      std::size_t legend_chars = 0) {
  if (!(a.x1 > a.x0)) a.x1 = a.x0 + 1;
  if (!(a.y1 > a.y0)) a.y1 = a.y0 + 1;
  for (const Series& se : series) legend_chars = std::max(legend_chars, se.name.size());
  const double pw = kW - kL - kR, ph = kH - kT - kB;
  auto X = [&](double x) { return kL + (x - a.x0) / (a.x1 - a.x0) * pw; };
  auto Y = [&](double y) { return kT + ph - (y - a.y0) / (a.y1 - a.y0) * ph; };
  std::string s = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "font-family=\"sans-serif\" "
      "font-size=\"11\"><text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>",
      ChartWidth(legend_chars), kH, kL, Escape(title));
  if (!std::isnan(shade_until) && shade_until > a.x0) {
    absl::StrAppendFormat(&s,
                          "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#eee\"/>"
                          "<text x=\"%.1f\" y=\"%d\" fill=\"#888\">warm-up</text>",
                          X(a.x0), kT, X(std::min(shade_until, a.x1)) - X(a.x0), ph, X(a.x0) + 3,
                          kT + 12);
  }
  absl::StrAppendFormat(&s,
                        "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
                        "stroke=\"#999\"/>",
                        kL, kT, pw, ph);
  for (int i = 0; i <= 4; ++i) {
    const double fx = a.x0 + (a.x1 - a.x0) * i / 4, fy = a.y0 + (a.y1 - a.y0) * i / 4;
    absl::StrAppendFormat(&s,
                          "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>"
                          "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>"
                          "<line x1=\"%d\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>",
                          X(fx), kH - kB + 14, Num(fx), kL - 4, Y(fy) + 4, Num(fy), kL, kL + pw,
                          Y(fy), Y(fy));
  }
  absl::StrAppendFormat(&s, "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                        kL + pw / 2, kH - 6, Escape(xlabel));
  for (std::size_t i = 0; i < series.size(); ++i) {
    const Series& se = series[i];
    std::string d;
    bool pen = false;
    double last_y = 0;
    for (const auto& [x, y] : se.points) {
      if (std::isnan(y)) {
        pen = false;
        continue;
      }
      const double cy = std::clamp(y, a.y0, a.y1);
      if (pen && step_lines) absl::StrAppendFormat(&d, "L%.1f %.1f", X(x), Y(last_y));
      absl::StrAppendFormat(&d, "%s%.1f %.1f", pen ? "L" : "M", X(x), Y(cy));
      pen = true;
      last_y = cy;
    }
    absl::StrAppendFormat(&s,
                          "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>"
                          "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
                          "stroke-width=\"2\"%s/><text x=\"%.0f\" y=\"%d\">%s</text>",
                          d, se.color, se.width, se.dashed ? " stroke-dasharray=\"4 3\"" : "",
                          kL + pw + 8, kL + pw + 24, kT + 10 + 14 * static_cast<int>(i),
                          kT + 10 + 14 * static_cast<int>(i), se.color,
                          se.dashed ? " stroke-dasharray=\"4 3\"" : "", kL + pw + 28,
                          kT + 14 + 14 * static_cast<int>(i), Escape(se.name));
  }
  s += "</svg>\n";
  return s;
}

std::string BarChart(const std::string& title,
                     const std::vector<std::pair<std::string, double>>& bars) {
  // Labels right-aligned before the bars, with room for the longest name.
  std::size_t chars = 0;
  for (const auto& [name, v] : bars) chars = std::max(chars, name.size());
  const int bar_h = 18, gap = 6;
  const int label_w = std::max(150, 10 + static_cast<int>(std::ceil(6.5 * static_cast<double>(chars))));
  const int width = 410 + label_w;
  const int height = 28 + static_cast<int>(bars.size()) * (bar_h + gap) + 8;
  double hi = 0.0, lo = 0.0;
  for (const auto& [name, v] : bars) {
    if (std::isnan(v)) continue;
    hi = std::max(hi, v);
    lo = std::min(lo, v);
  }
  if (hi - lo <= 0) hi = lo + 1;
  const double pw = width - label_w - 80;
  auto X = [&](double v) { return label_w + (v - lo) / (hi - lo) * pw; };
  std::string s = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "font-family=\"sans-serif\" "
      "font-size=\"11\"><text x=\"4\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>",
      width, height, Escape(title));
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const int y = 28 + static_cast<int>(i) * (bar_h + gap);
    const double v = bars[i].second;
    const double x0 = X(std::min(0.0, std::isnan(v) ? 0.0 : v));
    const double x1 = X(std::max(0.0, std::isnan(v) ? 0.0 : v));
    absl::StrAppendFormat(&s,
                          "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                          "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                          "<text x=\"%.1f\" y=\"%d\">%s</text>",
                          label_w - 6, y + 13, Escape(bars[i].first), x0, y, std::max(0.5, x1 - x0),
                          bar_h, Color(i), x1 + 4, y + 13, Num(v));
  }
  s += "</svg>\n";
  return s;
}

std::string ScatterChart(const ReportScatter& sc) {
  Axes a{0, 0, 0, 0};
  bool first = true;
  auto widen = [&](double x, double y) {
    if (std::isnan(x) || std::isnan(y)) return;
    if (first) {
      a = {x, x, y, y};
      first = false;
    }
    a.x0 = std::min(a.x0, x);
    a.x1 = std::max(a.x1, x);
    a.y0 = std::min(a.y0, y);
    a.y1 = std::max(a.y1, y);
  };
  for (const auto& [name, xy] : sc.points) widen(xy.first, xy.second);
  for (const auto& [x, y] : sc.tunings) widen(x, y);
  widen(std::isnan(sc.target_x0) ? a.x0 : sc.target_x0,
        std::isnan(sc.target_y0) ? a.y0 : sc.target_y0);
  widen(std::isnan(sc.target_x1) ? a.x1 : sc.target_x1,
        std::isnan(sc.target_y1) ? a.y1 : sc.target_y1);
  const double px = std::max(1e-9, (a.x1 - a.x0) * 0.08), py = std::max(1e-9, (a.y1 - a.y0) * 0.08);
  a = {std::max(0.0, a.x0 - px), a.x1 + px, std::max(0.0, a.y0 - py), a.y1 + py};
  std::size_t legend_chars = sc.tunings_label.size();
  for (const auto& [name, xy] : sc.points) legend_chars = std::max(legend_chars, name.size());
  std::string s = LineChart(sc.title, sc.xlabel, {}, a, false,
                            std::numeric_limits<double>::quiet_NaN(), legend_chars);
  s.resize(s.rfind("</svg>"));
  const double pw = kW - kL - kR, ph = kH - kT - kB;
  auto X = [&](double x) { return kL + (x - a.x0) / (a.x1 - a.x0) * pw; };
  auto Y = [&](double y) { return kT + ph - (y - a.y0) / (a.y1 - a.y0) * ph; };
  if (!std::isnan(sc.target_x0) || !std::isnan(sc.target_x1)) {
    const double x0 = X(std::isnan(sc.target_x0) ? a.x0 : sc.target_x0);
    const double x1 = X(std::isnan(sc.target_x1) ? a.x1 : sc.target_x1);
    const double y0 = Y(std::isnan(sc.target_y1) ? a.y1 : sc.target_y1);
    const double y1 = Y(std::isnan(sc.target_y0) ? a.y0 : sc.target_y0);
    absl::StrAppendFormat(&s,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"#2ca02c\" fill-opacity=\"0.12\"/><text x=\"%.1f\" y=\"%.1f\" "
                          "fill=\"#2ca02c\">target</text>",
                          x0, y0, x1 - x0, y1 - y0, x0 + 3, y0 + 12);
  }
  absl::StrAppendFormat(&s,
                        "<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" "
                        "text-anchor=\"middle\">%s</text>",
                        kT + ph / 2, kT + ph / 2, Escape(sc.ylabel));
  if (!sc.tunings.empty()) {
    // Every tuning a small grey point; the ones no other beats on both axes
    // joined by a dashed line (the baseline's frontier).
    std::vector<std::pair<double, double>> sorted;
    for (const auto& xy : sc.tunings) {
      if (std::isnan(xy.first) || std::isnan(xy.second)) continue;
      sorted.push_back(xy);
      absl::StrAppendFormat(&s, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#999\"/>",
                            X(xy.first), Y(xy.second));
    }
    std::sort(sorted.begin(), sorted.end(), [&](const auto& p, const auto& q) {
      if (p.first != q.first) return p.first < q.first;
      return sc.higher_y_better ? p.second > q.second : p.second < q.second;
    });
    std::string path;
    bool have = false;
    double best = 0;
    for (const auto& [x, y] : sorted) {
      if (have && (sc.higher_y_better ? y <= best : y >= best)) continue;
      absl::StrAppendFormat(&path, "%s%.1f,%.1f", path.empty() ? "" : " ", X(x), Y(y));
      best = y;
      have = true;
    }
    // The legend entry goes under the policies'.
    const int ly = kT + 10 + 14 * static_cast<int>(sc.points.size());
    absl::StrAppendFormat(&s,
                          "<polyline points=\"%s\" fill=\"none\" stroke=\"#999\" "
                          "stroke-dasharray=\"4 3\"/><circle cx=\"%.0f\" cy=\"%d\" r=\"2.5\" "
                          "fill=\"#999\"/><text x=\"%.0f\" y=\"%d\" fill=\"#777\">"
                          "%s (%d)</text>",
                          path, kL + pw + 14, ly, kL + pw + 28, ly + 4, Escape(sc.tunings_label),
                          static_cast<int>(sorted.size()));
  }
  for (std::size_t i = 0; i < sc.points.size(); ++i) {
    const auto& [name, xy] = sc.points[i];
    if (std::isnan(xy.first) || std::isnan(xy.second)) continue;
    absl::StrAppendFormat(&s,
                          "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%s</text>"
                          "<circle cx=\"%.0f\" cy=\"%d\" r=\"4\" fill=\"%s\"/>"
                          "<text x=\"%.0f\" y=\"%d\">%s</text>",
                          X(xy.first), Y(xy.second), Color(i), X(xy.first) + 7, Y(xy.second) - 4,
                          Escape(name), kL + pw + 14, kT + 10 + 14 * static_cast<int>(i), Color(i),
                          kL + pw + 28, kT + 14 + 14 * static_cast<int>(i), Escape(name));
  }
  s += "</svg>\n";
  return s;
}

// Empirical CDF as (value, fraction) points, at most ~400 of them.
std::vector<std::pair<double, double>> Cdf(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  std::sort(v.begin(), v.end());
  std::vector<std::pair<double, double>> out;
  if (v.empty()) return out;
  const std::size_t stride = std::max<std::size_t>(1, v.size() / 400);
  for (std::size_t i = 0; i < v.size(); i += stride) {
    out.emplace_back(v[i], static_cast<double>(i + 1) / static_cast<double>(v.size()));
  }
  out.emplace_back(v.back(), 1.0);
  return out;
}

std::string CdfChart(const std::string& title, const std::string& xlabel,
                     const std::vector<std::pair<std::string, std::vector<double>>>& sets,
                     double clip_hi = std::numeric_limits<double>::quiet_NaN()) {
  std::vector<Series> series;
  Axes a{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(), 0, 1};
  for (std::size_t i = 0; i < sets.size(); ++i) {
    Series se{sets[i].first, Color(i), Cdf(sets[i].second)};
    for (auto& [x, y] : se.points) {
      if (!std::isnan(clip_hi)) x = std::min(x, clip_hi);
      a.x0 = std::min(a.x0, x);
      a.x1 = std::max(a.x1, x);
    }
    series.push_back(std::move(se));
  }
  if (!std::isfinite(a.x0)) a = {0, 1, 0, 1};
  return LineChart(title, xlabel, series, a, /*step_lines=*/true);
}

}  // namespace

std::vector<double> EntitySlack(const Workload& w, const std::vector<std::size_t>& users,
                                const DemandTable& allocation, Resource r, absl::Time from) {
  std::vector<double> out(users.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t j = 0; j < users.size(); ++j) {
    double sum = 0.0;
    std::size_t n = 0;
    const StepWindow& window = w.demand.window(users[j]);  // present only inside it
    for (std::size_t t = window.first; window.Contains(t); ++t) {
      if (w.time(t) < from || !w.Present(users[j], t)) continue;
      const double limit = allocation(j, t, Index(r));
      const double use = w.Demand(users[j], t, r);
      if (!(limit > 0) || std::isnan(use)) continue;
      sum += (limit - std::min(use, limit)) / limit;
      ++n;
    }
    if (n > 0) out[j] = sum / static_cast<double>(n);
  }
  return out;
}

std::vector<double> EntityUnderprovisioned(const Workload& w, const std::vector<std::size_t>& users,
                                           const DemandTable& allocation,
                                           const PerResource<bool>& measured, absl::Time from) {
  std::vector<double> out(users.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t j = 0; j < users.size(); ++j) {
    std::size_t n = 0, under = 0;
    const StepWindow& window = w.demand.window(users[j]);  // present only inside it
    for (std::size_t t = window.first; window.Contains(t); ++t) {
      if (w.time(t) < from || !w.Present(users[j], t)) continue;
      ++n;
      for (Resource r : kAllResources) {
        if (!measured[r]) continue;
        const double limit = allocation(j, t, Index(r));
        if (w.Demand(users[j], t, r) > limit + 1e-9 * std::max(1.0, limit)) {
          ++under;
          break;
        }
      }
    }
    if (n > 0) out[j] = static_cast<double>(under) / static_cast<double>(n);
  }
  return out;
}

std::string RenderTraceReport(const ReportData& data) {
  std::string h = absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", Escape(data.title),
      "</title><style>body{font-family:sans-serif;margin:24px;max-width:1200px}"
      "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;"
      "text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}"
      ".grid{display:flex;flex-wrap:wrap;gap:8px}</style></head><body>\n<h1>",
      Escape(data.title), "</h1>\n");
  for (const std::string& line : data.summary) absl::StrAppend(&h, "<p>", Escape(line), "</p>\n");

  // Metrics table and bars.
  if (!data.policies.empty()) {
    const auto& labels = data.policies.front().metrics;
    h += "<h2>Metrics per policy</h2>\n<table><tr><th>policy</th>";
    for (const auto& [label, v] : labels) absl::StrAppend(&h, "<th>", Escape(label), "</th>");
    h += "</tr>\n";
    for (const ReportPolicy& p : data.policies) {
      absl::StrAppend(&h, "<tr><td>", Escape(p.name), "</td>");
      for (const auto& [label, v] : p.metrics) absl::StrAppend(&h, "<td>", Num(v), "</td>");
      h += "</tr>\n";
    }
    h += "</table>\n<div class=\"grid\">\n";
    for (std::size_t m = 0; m < labels.size(); ++m) {
      std::vector<std::pair<std::string, double>> bars;
      for (const ReportPolicy& p : data.policies) {
        bars.emplace_back(p.name, m < p.metrics.size() ? p.metrics[m].second
                                                       : std::numeric_limits<double>::quiet_NaN());
      }
      h += BarChart(labels[m].first, bars);
    }
    h += "</div>\n";
  }
  if (!data.scatters.empty()) {
    h += "<h2>Trade-offs</h2>\n<div class=\"grid\">\n";
    for (const ReportScatter& sc : data.scatters) h += ScatterChart(sc);
    h += "</div>\n";
  }

  const Workload* w = data.workload;
  if (w != nullptr && !data.users.empty()) {
    h += absl::StrFormat(
        "<h2>Relative slack per entity</h2>\n<p>CDF over %d entities of the mean of "
        "(allocation &minus; usage) / allocation over the scored steps.</p>\n<div "
        "class=\"grid\">\n",
        static_cast<int>(data.users.size()));
    for (Resource r : {Resource::kMemory, Resource::kCpu}) {
      if (!data.measured[r]) continue;
      std::vector<std::pair<std::string, std::vector<double>>> sets;
      for (const ReportPolicy& p : data.policies) {
        if (p.allocation.users() == 0) continue;
        sets.emplace_back(p.name, EntitySlack(*w, data.users, p.allocation, r, data.metrics_start));
      }
      h += CdfChart(absl::StrCat("slack CDF: ", Sv(ResourceName(r))), "relative slack", sets);
    }
    h += "</div>\n";
  }

  bool any_error = false;
  for (Resource r : kAllResources) any_error |= !data.forecast_error[r].empty();
  if (any_error) {
    h += "<h2>Forecast error</h2>\n<p>CDF over entity-steps of the one-step-ahead absolute "
         "error divided by the entity's mean demand (clipped at 3).</p>\n<div class=\"grid\">\n";
    std::vector<std::pair<std::string, std::vector<double>>> sets;
    for (Resource r : kAllResources) {
      if (data.forecast_error[r].empty() || !data.measured[r]) continue;
      sets.emplace_back(std::string(ResourceName(r)), data.forecast_error[r]);
    }
    h += CdfChart("forecast error CDF", "|error| / mean demand", sets, 3.0);
    h += "</div>\n";
  }

  // Calibration in nines: x = -log10(1 - level), y = -log10(1 - observed share).
  bool any_coverage = false;
  for (const ReportPolicy& p : data.policies) any_coverage |= !p.coverage.empty();
  if (any_coverage) {
    constexpr double kMaxNines = 6.0;
    auto nines = [&](double p) { return std::min(kMaxNines, -std::log10(std::max(1.0 - p, 1e-300))); };
    h += "<h2>Forecast calibration</h2>\n<p>At each quantile level the allocator planned on "
         "(each resource's at its lead time), the share of demand that came in at or below "
         "it. Both axes in nines, &minus;log<sub>10</sub>(1 &minus; p): 1 is P90, 2 P99, 4 "
         "P99.99; a share of 1 is drawn at 6. A calibrated forecaster lies on the dashed "
         "diagonal; above it, its quantiles are wider than their level (room paid for); "
         "below, narrower (misses it did not expect).</p>\n<div class=\"grid\">\n";
    for (Resource r : {Resource::kCpu, Resource::kMemory}) {
      if (!data.measured[r]) continue;
      std::vector<Series> series;
      Series diagonal;
      diagonal.name = "calibrated";
      diagonal.color = "#999";
      diagonal.dashed = true;
      diagonal.points = {{0.0, 0.0}, {kMaxNines, kMaxNines}};
      series.push_back(diagonal);
      for (std::size_t i = 0; i < data.policies.size(); ++i) {
        const QuantileCoverage& c = data.policies[i].coverage;
        if (c.scored(r) == 0) continue;
        Series se;
        se.name = data.policies[i].name;
        se.color = Color(i);
        for (std::size_t k = 0; k < c.levels().size(); ++k) {
          se.points.emplace_back(nines(c.levels()[k]), nines(c.Coverage(r, k)));
        }
        series.push_back(std::move(se));
      }
      h += LineChart(absl::StrCat("calibration: ", Sv(ResourceName(r))), "level, in nines",
                     series, Axes{0.0, kMaxNines, 0.0, kMaxNines});
    }
    h += "</div>\n";
  }

  if (w != nullptr && !data.highlights.empty()) {
    h += "<h2>Demand and allocations</h2>\n<div class=\"grid\">\n";
    const double step_days = absl::ToDoubleHours(w->step) / 24.0;
    const double shade = data.metrics_start > w->start
                             ? absl::ToDoubleHours(data.metrics_start - w->start) / 24.0
                             : std::numeric_limits<double>::quiet_NaN();
    const std::size_t steps = w->num_steps();
    const std::size_t bucket = std::max<std::size_t>(1, (steps + 799) / 800);
    for (const ReportHighlight& hl : data.highlights) {
      const std::size_t u = data.users[hl.row];
      for (Resource r : {Resource::kCpu, Resource::kMemory}) {
        if (!data.measured[r]) continue;
        // Per bucket of steps, the max (peaks are what matter for provisioning).
        auto reduce = [&](auto value) {
          std::vector<std::pair<double, double>> pts;
          for (std::size_t b = 0; b < steps; b += bucket) {
            double m = std::numeric_limits<double>::quiet_NaN();
            for (std::size_t t = b; t < std::min(steps, b + bucket); ++t) {
              const double v = value(t);
              if (!std::isnan(v)) m = std::isnan(m) ? v : std::max(m, v);
            }
            pts.emplace_back(static_cast<double>(b) * step_days, m);
          }
          return pts;
        };
        const double scale = r == Resource::kMemory ? 1.0 / (1024.0 * 1024 * 1024) : 1.0;
        std::vector<Series> series;
        series.push_back(Series{"demand", "#000",
                                reduce([&](std::size_t t) { return w->Demand(u, t, r) * scale; }),
                                false, 1.2});
        for (std::size_t i = 0; i < data.policies.size(); ++i) {
          const ReportPolicy& p = data.policies[i];
          if (p.allocation.users() == 0) continue;
          series.push_back(Series{p.name, Color(i), reduce([&](std::size_t t) {
                                    return p.allocation(hl.row, t, Index(r)) * scale;
                                  }),
                                  true, 1.5});
        }
        Axes a{0, static_cast<double>(steps) * step_days, 0, 0};
        for (const Series& se : series) {
          for (const auto& [x, y] : se.points) {
            if (!std::isnan(y)) a.y1 = std::max(a.y1, y);
          }
        }
        a.y1 *= 1.05;
        const std::string unit = r == Resource::kMemory ? "GiB" : "cores";
        h += LineChart(absl::StrCat(hl.label, " entity '", w->users[u].name,
                                    "': ", Sv(ResourceName(r)), " (", unit, ")"),
                       "days", series, a, false, shade);
      }
    }
    h += "</div>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace foresight
