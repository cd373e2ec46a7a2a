// -----------------------------------------------------------------------------
// File: internal/unit_root.hpp
// -----------------------------------------------------------------------------
//
// How many differences a series needs, as forecast::auto.arima decides it:
//
//   KpssStatistic  urca::ur.kpss(type = "mu", use.lag = l): level-stationarity
//                  statistic with a Bartlett-weighted long-run variance.
//   Ndiffs         forecast::ndiffs(test = "kpss", alpha = 0.05): difference
//                  while the KPSS p-value (interpolated in the table 0.347,
//                  0.463, 0.574, 0.739 for 10/5/2.5/1 %) is below alpha, with
//                  l = trunc(3 sqrt(n) / 13), at most max_d times.
//   SeasonalStrength / Nsdiffs
//                  forecast::nsdiffs(test = "seas"): one seasonal difference
//                  when the seasonal strength 1 - var(R) / var(R + S) > 0.64.
//                  R and S come from STL with s.window = 11, as forecast's
//                  mstl() (internal/decompose_stl.hpp).
#ifndef FORESIGHT_FORECAST_INTERNAL_UNIT_ROOT_HPP_
#define FORESIGHT_FORECAST_INTERNAL_UNIT_ROOT_HPP_

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "foresight/forecast/internal/decompose.hpp"
#include "foresight/forecast/internal/stats.hpp"
#include "foresight/forecast/internal/decompose_stl.hpp"

namespace foresight::internal {

inline double KpssStatistic(std::span<const double> x, int lag) {
  const std::size_t n = x.size();
  if (n < 2) return 0.0;
  const double m = Mean(x);
  double cum = 0.0, num = 0.0, s2 = 0.0;
  for (double v : x) {
    const double e = v - m;
    cum += e;
    num += cum * cum;
    s2 += e * e;
  }
  const double nn = static_cast<double>(n);
  num /= nn * nn;
  s2 /= nn;
  for (int i = 1; i <= lag && static_cast<std::size_t>(i) < n; ++i) {
    double c = 0.0;
    for (std::size_t t = static_cast<std::size_t>(i); t < n; ++t) c += (x[t] - m) * (x[t - i] - m);
    s2 += 2.0 * (1.0 - i / (lag + 1.0)) * c / nn;
  }
  return s2 > 0 ? num / s2 : 0.0;
}

// KPSS p-value by linear interpolation in urca's table, clamped to [0.01, 0.1].
inline double KpssPValue(double stat) {
  static constexpr double cval[] = {0.347, 0.463, 0.574, 0.739};
  static constexpr double pval[] = {0.10, 0.05, 0.025, 0.01};
  if (stat <= cval[0]) return pval[0];
  if (stat >= cval[3]) return pval[3];
  int i = 0;
  while (stat > cval[i + 1]) ++i;
  const double w = (stat - cval[i]) / (cval[i + 1] - cval[i]);
  return pval[i] + w * (pval[i + 1] - pval[i]);
}

inline int Ndiffs(std::span<const double> x_in, double alpha = 0.05, int max_d = 2) {
  std::vector<double> x(x_in.begin(), x_in.end());
  int d = 0;
  if (x.size() < 2 || IsConstant(x)) return 0;
  auto needs = [&](std::span<const double> v) {
    const int lag = static_cast<int>(3.0 * std::sqrt(static_cast<double>(v.size())) / 13.0);
    return KpssPValue(KpssStatistic(v, lag)) < alpha;
  };
  bool dodiff = needs(x);
  while (dodiff && d < max_d) {
    ++d;
    x = Diff(x);
    if (x.size() < 2 || IsConstant(x)) return d;
    dodiff = needs(x);
  }
  return d;
}

// Strength of seasonality in [0, 1] from an STL decomposition (s.window = 11,
// as forecast's mstl), or 0 when the series is too short (n <= 2 m).
inline double SeasonalStrength(std::span<const double> x, int m) {
  if (m < 2 || x.size() <= 2 * static_cast<std::size_t>(m)) return 0.0;
  const StlResult stl = Stl(x, m, {.s_window = 11});
  std::vector<double> rem, rs;
  rem.reserve(x.size());
  rs.reserve(x.size());
  for (std::size_t t = 0; t < x.size(); ++t) {
    rem.push_back(stl.remainder[t]);
    rs.push_back(stl.remainder[t] + stl.seasonal[t]);
  }
  const double vr = Variance(rs);
  if (!(vr > 0)) return 0.0;
  return std::clamp(1.0 - Variance(rem) / vr, 0.0, 1.0);
}

inline int Nsdiffs(std::span<const double> x, int m, int max_D = 1) {
  if (m < 2 || IsConstant(x) || static_cast<std::size_t>(m) >= x.size()) return 0;
  std::vector<double> v(x.begin(), x.end());
  int D = 0;
  bool dodiff = SeasonalStrength(v, m) > 0.64;
  while (dodiff && D < max_D) {
    ++D;
    v = Diff(v, m);
    if (IsConstant(v)) return D;
    dodiff = v.size() >= 2 * static_cast<std::size_t>(m) && D < max_D && SeasonalStrength(v, m) > 0.64;
  }
  return D;
}

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_UNIT_ROOT_HPP_
