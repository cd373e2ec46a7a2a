// -----------------------------------------------------------------------------
// File: svg.hpp
// -----------------------------------------------------------------------------
//
// Minimal SVG charts for the CLI's reports (no JavaScript, one file):
// `LineChart` (several named series over a shared x axis) and `BarChart`
// (one value per named bar). Text is XML-escaped.
#ifndef FORESIGHT_SRC_SIM_SVG_HPP_
#define FORESIGHT_SRC_SIM_SVG_HPP_

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace foresight::report {

inline std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

inline const char* SeriesColor(std::size_t i) {
  static const char* kColors[] = {"#222222", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                  "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"};
  return kColors[i % 10];
}

struct Series {
  std::string name;
  std::vector<double> y;  // NaN = gap
};

inline std::string LineChart(const std::string& title, const std::string& y_label,
                             const std::vector<Series>& series, double width = 900,
                             double height = 260) {
  const double left = 70, right = 170, top = 30, bottom = 30;
  std::size_t n = 0;
  double ymax = 0;
  for (const Series& s : series) {
    n = std::max(n, s.y.size());
    for (double v : s.y) {
      if (std::isfinite(v)) ymax = std::max(ymax, v);
    }
  }
  if (ymax <= 0) ymax = 1;
  const double pw = width - left - right, ph = height - top - bottom;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n<text x=\"%.0f\" y=\"18\" "
      "font-size=\"13\">%s</text>\n",
      width, height, left, XmlEscape(title));
  absl::StrAppendFormat(&svg,
                        "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
                        "stroke=\"#aaa\"/>\n",
                        left, top, pw, ph);
  for (int k = 0; k <= 4; ++k) {
    const double v = ymax * k / 4, y = top + ph - ph * k / 4;
    absl::StrAppendFormat(&svg, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n",
                          left - 4, y + 4, v);
  }
  absl::StrAppendFormat(&svg,
                        "<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" "
                        "text-anchor=\"middle\">%s</text>\n",
                        top + ph / 2, top + ph / 2, XmlEscape(y_label));
  for (std::size_t i = 0; i < series.size(); ++i) {
    std::string path;
    bool pen = false;
    const auto& y = series[i].y;
    for (std::size_t t = 0; t < y.size(); ++t) {
      if (!std::isfinite(y[t])) {
        pen = false;
        continue;
      }
      const double px = left + pw * static_cast<double>(t) / std::max<std::size_t>(n - 1, 1);
      const double py = top + ph - ph * std::min(y[t], ymax) / ymax;
      absl::StrAppendFormat(&path, "%s%.1f %.1f ", pen ? "L" : "M", px, py);
      pen = true;
    }
    absl::StrAppendFormat(&svg,
                          "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"/>\n",
                          path, SeriesColor(i), i == 0 ? "1.5" : "1");
    absl::StrAppendFormat(&svg,
                          "<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                          "<text x=\"%.0f\" y=\"%.0f\">%s</text>\n",
                          width - right + 10, top + 16.0 * i, SeriesColor(i), width - right + 24,
                          top + 16.0 * i + 9, XmlEscape(series[i].name));
  }
  svg += "</svg>\n";
  return svg;
}

inline std::string BarChart(const std::string& title, const std::vector<std::string>& names,
                            const std::vector<double>& values, double width = 440,
                            double height = 40) {
  const double bar = 18, left = 150, right = 80;
  const double h = height + bar * static_cast<double>(names.size());
  double vmax = 0;
  for (double v : values) {
    if (std::isfinite(v)) vmax = std::max(vmax, std::abs(v));
  }
  if (vmax <= 0) vmax = 1;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n<text x=\"4\" y=\"16\" "
      "font-size=\"13\">%s</text>\n",
      width, h, XmlEscape(title));
  for (std::size_t i = 0; i < names.size(); ++i) {
    const double y = 28 + bar * static_cast<double>(i);
    const double v = std::isfinite(values[i]) ? values[i] : 0.0;
    const double w = (width - left - right) * std::abs(v) / vmax;
    absl::StrAppendFormat(&svg,
                          "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%s</text>"
                          "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" "
                          "fill=\"%s\"/><text x=\"%.1f\" y=\"%.0f\">%.4g</text>\n",
                          left - 6, y + 12, XmlEscape(names[i]), left, y + 2, w, bar - 4,
                          SeriesColor(i + 1), left + w + 4, y + 12, values[i]);
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace foresight::report

#endif  // FORESIGHT_SRC_SIM_SVG_HPP_
