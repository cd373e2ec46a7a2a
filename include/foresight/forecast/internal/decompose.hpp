// -----------------------------------------------------------------------------
// File: internal/decompose.hpp
// -----------------------------------------------------------------------------
//
// Classical seasonal decomposition exactly as R's stats::decompose: a centred
// moving average of order m (2 x m for even m) as trend, the per-phase mean of
// the detrended series as seasonal figure (normalised to mean 0 / mean 1), and
// the rest as remainder. Phase 0 is the first sample. Used by Theta, Naive2,
// ETS initial states and the seasonal-strength heuristic.
#ifndef FORESIGHT_FORECAST_INTERNAL_DECOMPOSE_HPP_
#define FORESIGHT_FORECAST_INTERNAL_DECOMPOSE_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace foresight::internal {

struct Decomposition {
  std::vector<double> trend;     // NaN where the moving average is undefined
  std::vector<double> seasonal;  // figure repeated over the series
  std::vector<double> figure;    // m seasonal indices (phase 0 = first sample)
  std::vector<double> remainder; // NaN where the trend is
};

// Requires m >= 2 and x.size() >= 2 m; returns an empty result otherwise.
inline Decomposition ClassicalDecompose(std::span<const double> x, int m, bool multiplicative) {
  Decomposition out;
  const std::size_t n = x.size();
  const std::size_t f = static_cast<std::size_t>(std::max(m, 0));
  if (m < 2 || n < 2 * f) return out;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.trend.assign(n, nan);
  const std::size_t half = f / 2;
  for (std::size_t t = half; t + half < n; ++t) {
    double s = 0.0;
    if (f % 2 == 0) {
      s = 0.5 * (x[t - half] + x[t + half]);
      for (std::size_t j = t - half + 1; j < t + half; ++j) s += x[j];
    } else {
      for (std::size_t j = t - half; j <= t + half; ++j) s += x[j];
    }
    out.trend[t] = s / static_cast<double>(f);
  }
  out.figure.assign(f, 0.0);
  for (std::size_t i = 0; i < f; ++i) {
    double s = 0.0;
    int c = 0;
    for (std::size_t t = i; t < n; t += f) {
      if (std::isnan(out.trend[t])) continue;
      s += multiplicative ? x[t] / out.trend[t] : x[t] - out.trend[t];
      ++c;
    }
    out.figure[i] = c > 0 ? s / c : (multiplicative ? 1.0 : 0.0);
  }
  double mean = 0.0;
  for (double v : out.figure) mean += v;
  mean /= static_cast<double>(f);
  for (double& v : out.figure) v = multiplicative ? v / mean : v - mean;
  out.seasonal.resize(n);
  out.remainder.resize(n);
  for (std::size_t t = 0; t < n; ++t) {
    out.seasonal[t] = out.figure[t % f];
    out.remainder[t] = multiplicative ? x[t] / (out.trend[t] * out.seasonal[t])
                                      : x[t] - out.trend[t] - out.seasonal[t];
  }
  return out;
}

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_DECOMPOSE_HPP_
