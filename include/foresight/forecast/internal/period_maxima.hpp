// -----------------------------------------------------------------------------
// File: internal/period_maxima.hpp
// -----------------------------------------------------------------------------
//
// The largest sample of each of a series' last `periods` whole periods, and of
// the current one: the "window peak" that PeakHeadroom's known-level rule for
// regime restarts and PeakCap's cap are measured against. Non-finite samples
// are skipped. Cost: `periods` doubles; O(periods) once a period.
#ifndef FORESIGHT_FORECAST_INTERNAL_PERIOD_MAXIMA_HPP_
#define FORESIGHT_FORECAST_INTERNAL_PERIOD_MAXIMA_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace foresight::internal {

struct PeriodMaxima {
  static constexpr double kNone = -std::numeric_limits<double>::infinity();

  std::vector<double> ring;  // the last `periods` whole periods' largest samples
  double window = kNone;     // the largest of them (cached once a period)
  double current = kNone;    // this period's so far
  long long ended = 0;       // whole periods seen

  explicit PeriodMaxima(int periods = 1)
      : ring(static_cast<std::size_t>(std::max(1, periods)), kNone) {}

  void Add(double y) {
    if (std::isfinite(y)) current = std::max(current, y);
  }
  // At a period's end, its largest sample joins the window.
  void EndPeriod() {
    ring[static_cast<std::size_t>(ended % static_cast<long long>(ring.size()))] = current;
    ++ended;
    current = kNone;
    window = *std::max_element(ring.begin(), ring.end());
  }
  // The largest sample of the window and the current period (kNone if none).
  double Max() const { return std::max(window, current); }

  bool operator==(const PeriodMaxima&) const = default;
};

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_PERIOD_MAXIMA_HPP_
