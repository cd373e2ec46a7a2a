// -----------------------------------------------------------------------------
// File: internal/stats.hpp
// -----------------------------------------------------------------------------
//
// Small numerical helpers shared by the statistical forecasters (ARIMA, ETS,
// Theta, Naive2): sample moments and autocorrelations as R computes them,
// differencing, least-squares lines, polynomial root moduli, and the lag-m
// seasonality test of the M4 competition / forecast::thetaf.
#ifndef FORESIGHT_FORECAST_INTERNAL_STATS_HPP_
#define FORESIGHT_FORECAST_INTERNAL_STATS_HPP_

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "foresight/forecast/forecast.hpp"
#include "foresight/forecast/internal/error_quantiles.hpp"  // NormalQuantile
#include "foresight/forecast/internal/linalg.hpp"

namespace foresight::internal {

inline double Mean(std::span<const double> x) {
  if (x.empty()) return 0.0;
  double s = 0.0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

// Sample variance with denominator n - 1 (R's var).
inline double Variance(std::span<const double> x) {
  if (x.size() < 2) return 0.0;
  const double m = Mean(x);
  double s = 0.0;
  for (double v : x) s += (v - m) * (v - m);
  return s / static_cast<double>(x.size() - 1);
}

// True when every value equals the first (forecast's is.constant).
inline bool IsConstant(std::span<const double> x) {
  for (double v : x) {
    if (v != x.front()) return false;
  }
  return true;
}

// Autocorrelations r_1..r_max_lag as R's acf(): demeaned, normalised by the
// lag-0 sum (so denominators are n, not n - k). Returns zeros for constant x.
inline std::vector<double> Acf(std::span<const double> x, int max_lag) {
  std::vector<double> r(static_cast<std::size_t>(std::max(max_lag, 0)), 0.0);
  const std::size_t n = x.size();
  if (n < 2) return r;
  const double m = Mean(x);
  double c0 = 0.0;
  for (double v : x) c0 += (v - m) * (v - m);
  if (c0 <= 0.0) return r;
  for (int k = 1; k <= max_lag && static_cast<std::size_t>(k) < n; ++k) {
    double c = 0.0;
    for (std::size_t t = static_cast<std::size_t>(k); t < n; ++t) c += (x[t] - m) * (x[t - k] - m);
    r[static_cast<std::size_t>(k - 1)] = c / c0;
  }
  return r;
}

// y_t - y_{t-lag}, applied `times` times.
inline std::vector<double> Diff(std::span<const double> x, int lag = 1, int times = 1) {
  std::vector<double> out(x.begin(), x.end());
  for (int d = 0; d < times; ++d) {
    const std::size_t l = static_cast<std::size_t>(lag);
    if (out.size() <= l) return {};
    for (std::size_t t = out.size() - 1; t >= l; --t) {
      out[t] -= out[t - l];
      if (t == l) break;
    }
    out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(l));
  }
  return out;
}

// Least-squares line y = intercept + slope * x over x = x0, x0 + 1, ...
struct Line {
  double intercept = 0.0;
  double slope = 0.0;
};
inline Line FitLine(std::span<const double> y, double x0 = 0.0) {
  const std::size_t n = y.size();
  if (n == 0) return {};
  if (n == 1) return {y[0], 0.0};
  const double xm = x0 + (static_cast<double>(n) - 1.0) / 2.0;
  const double ym = Mean(y);
  double sxy = 0.0, sxx = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = x0 + static_cast<double>(i) - xm;
    sxy += dx * (y[i] - ym);
    sxx += dx * dx;
  }
  const double slope = sxx > 0 ? sxy / sxx : 0.0;
  return {ym - slope * xm, slope};
}

// Roots of c_0 + c_1 z + ... + c_k z^k (c_k != 0) via the companion matrix.
inline std::vector<std::complex<double>> PolyRoots(std::span<const double> c) {
  const int k = static_cast<int>(c.size()) - 1;
  if (k < 1) return {};
  Eigen::MatrixXd comp = Eigen::MatrixXd::Zero(k, k);
  for (int j = 0; j < k; ++j)
    comp(0, j) = -c[static_cast<std::size_t>(k - 1 - j)] / c[static_cast<std::size_t>(k)];
  for (int i = 1; i < k; ++i) comp(i, i - 1) = 1.0;
  const Eigen::VectorXcd ev = Eigenvalues(comp);
  return std::vector<std::complex<double>>(ev.data(), ev.data() + k);
}

// Smallest modulus among the roots of 1 + c_1 z + ... + c_k z^k (trailing
// near-zero coefficients dropped); +inf when the polynomial is constant.
inline double MinRootModulus(std::span<const double> c) {
  int k = static_cast<int>(c.size());
  while (k > 0 && std::abs(c[static_cast<std::size_t>(k - 1)]) <= 1e-8) --k;
  if (k == 0) return std::numeric_limits<double>::infinity();
  // Roots of the polynomial are 1 / eigenvalues of the companion matrix of
  // z^k + c_1 z^{k-1} + ... + c_k (the reciprocal polynomial).
  Eigen::MatrixXd comp = Eigen::MatrixXd::Zero(k, k);
  for (int j = 0; j < k; ++j) comp(0, j) = -c[static_cast<std::size_t>(j)];
  for (int i = 1; i < k; ++i) comp(i, i - 1) = 1.0;
  const Eigen::VectorXcd ev = Eigenvalues(comp);
  double max_ev = 0.0;
  for (int i = 0; i < k; ++i) max_ev = std::max(max_ev, std::abs(ev(i)));
  return max_ev > 0 ? 1.0 / max_ev : std::numeric_limits<double>::infinity();
}

// The lag-m seasonality test of forecast::thetaf and the M4 benchmarks:
// seasonal when |r_m| exceeds the one-sided 90% limit of Bartlett's formula,
// z * sqrt((1 + 2 sum_{k<m} r_k^2) / n).
//   kThetaf: n > 2m, z = qnorm(0.95) (forecast::thetaf);
//   kM4:     n >= 3m, z = 1.645, and m <= acf's default lag.max
//            floor(10 log10 n) (the M4 code's acf() returns NA beyond it).
enum class SeasonalityRule { kThetaf, kM4 };
inline bool SeasonalityTest(std::span<const double> x, int m,
                            SeasonalityRule rule = SeasonalityRule::kThetaf) {
  const std::size_t n = x.size();
  const std::size_t mm = static_cast<std::size_t>(std::max(m, 0));
  if (m <= 1 || IsConstant(x)) return false;
  if (rule == SeasonalityRule::kThetaf && n <= 2 * mm) return false;
  if (rule == SeasonalityRule::kM4 &&
      (n < 3 * mm || m > static_cast<int>(std::floor(10.0 * std::log10(static_cast<double>(n)))))) {
    return false;
  }
  const std::vector<double> r = Acf(x, m);
  double s = 1.0;
  for (std::size_t k = 0; k + 1 < mm; ++k) s += 2.0 * r[k] * r[k];
  const double z = rule == SeasonalityRule::kM4 ? 1.645 : NormalQuantile(0.95);
  return std::abs(r[mm - 1]) > z * std::sqrt(s / static_cast<double>(n));
}

// Fills a Forecast from Gaussian predictive moments: quantile = mean + z * sd
// at each of the forecast's levels, then Normalize(nonnegative).
inline void FillGaussianForecast(Forecast& fc, std::span<const double> mean,
                                 std::span<const double> sd, bool nonnegative) {
  const std::span<const double> levels = fc.levels();
  double z[32];
  const std::size_t nl = std::min<std::size_t>(levels.size(), 32);
  for (std::size_t k = 0; k < nl; ++k) z[k] = NormalQuantile(levels[k]);
  for (int step = 1; step <= fc.horizon(); ++step) {
    const std::size_t i = static_cast<std::size_t>(step - 1);
    const double mu = std::isfinite(mean[i]) ? mean[i] : 0.0;
    const double s = std::isfinite(sd[i]) ? std::max(sd[i], 0.0) : 0.0;
    fc.mean(step) = mu;
    for (std::size_t k = 0; k < nl; ++k) fc.quantile(step, k) = mu + z[k] * s;
  }
  fc.Normalize(nonnegative);
}

// Confidence of a fitted statistical model: grows with the samples it has
// seen (n / (n + 24)), shrinks with the one-step spread relative to the
// series' level, and is halved for fallback models; 0 when cold.
inline double StatConfidence(double n, double sd1, double level, bool fallback, bool cold) {
  if (cold) return 0.0;
  const double rel = sd1 / (std::abs(level) + 1e-9);
  return (n / (n + 24.0)) / (1.0 + rel) * (fallback ? 0.5 : 1.0);
}

// A statistical model's Gaussian forecast for steps 1..horizon: `moments`
// (a callable (span<double> mean, span<double> sd)) fills the per-step means
// and standard deviations; the confidence is StatConfidence of the given state.
template <typename MomentsFn>
Forecast GaussianForecast(int horizon, bool nonnegative, MomentsFn&& moments, double n,
                          double level, bool fallback, bool cold) {
  Forecast fc(std::max(horizon, 0));
  if (horizon <= 0) return fc;
  std::vector<double> mean(static_cast<std::size_t>(horizon)), sd(mean.size());
  moments(std::span<double>(mean), std::span<double>(sd));
  FillGaussianForecast(fc, mean, sd, nonnegative);
  fc.set_confidence(StatConfidence(n, sd[0], level, fallback, cold));
  return fc;
}

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_STATS_HPP_
