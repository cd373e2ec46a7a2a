// -----------------------------------------------------------------------------
// File: period.hpp
// -----------------------------------------------------------------------------
//
// Automatic detection of seasonal periods from the autocorrelation function,
// computed in O(n log n) through the periodogram (Wiener-Khinchin: the ACF is
// the inverse FFT of |FFT(x)|^2, zero-padded to avoid circular wrap).
//
// After removing a least-squares linear trend, a lag L is a candidate period
// when the ACF has a local maximum there (over +-max(2, L/10) lags) above
// `min_acf`. Candidates are taken in increasing lag; a candidate that is a
// near multiple k*P of an accepted period P is kept only when it stands out of
// P's harmonic comb, i.e. ACF(L) exceeds ACF((k-1)P) and ACF((k+1)P) by
// `comb_margin` (a weekly pattern on top of a daily one does, the 2-day lag of
// a purely daily series does not). The result is ordered by ACF strength.
//
//   std::vector<DetectedPeriod> p = DetectPeriods(five_minute_usage, {.max_period = 2100});
//   // -> {2016, 0.93}, {288, 0.81}: weekly and daily
//   int m = DetectPeriod(hourly, {.max_period = 200});   // 24, or 1 when none
#ifndef FORESIGHT_FORECAST_PERIOD_HPP_
#define FORESIGHT_FORECAST_PERIOD_HPP_

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {

struct PeriodOptions {
  int min_period = 2;
  int max_period = 0;         // 0: n / 2
  double min_acf = 0.2;       // a candidate's ACF must exceed this
  double comb_margin = 0.05;  // how far a multiple must stand above its comb neighbours
  int max_count = 3;          // periods returned at most
};

struct DetectedPeriod {
  int period = 1;
  double acf = 0.0;  // autocorrelation at that lag
};

namespace internal {

// In-place iterative radix-2 FFT; `a.size()` must be a power of two.
inline void Fft(std::vector<std::complex<double>>& a, bool inverse) {
  const std::size_t n = a.size();
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const double ang = 2 * std::numbers::pi / static_cast<double>(len) * (inverse ? 1 : -1);
    const std::complex<double> wl(std::cos(ang), std::sin(ang));
    for (std::size_t i = 0; i < n; i += len) {
      std::complex<double> w(1.0, 0.0);
      for (std::size_t k = 0; k < len / 2; ++k) {
        const std::complex<double> u = a[i + k], v = a[i + k + len / 2] * w;
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
        w *= wl;
      }
    }
  }
  if (inverse) {
    for (auto& x : a) x /= static_cast<double>(n);
  }
}

}  // namespace internal

// Sample autocorrelation at lags 0..max_lag after removing a linear trend.
inline std::vector<double> Autocorrelation(std::span<const double> y, std::size_t max_lag) {
  const std::size_t n = y.size();
  std::vector<double> acf(max_lag + 1, 0.0);
  if (n < 2) return acf;
  // Least-squares line through (i, y_i).
  const double tm = (static_cast<double>(n) - 1.0) / 2.0;
  double ym = 0.0;
  for (double v : y) ym += v;
  ym /= static_cast<double>(n);
  double sxy = 0.0, sxx = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    sxy += (static_cast<double>(i) - tm) * (y[i] - ym);
    sxx += (static_cast<double>(i) - tm) * (static_cast<double>(i) - tm);
  }
  const double slope = sxx > 0 ? sxy / sxx : 0.0;
  std::size_t size = 1;
  while (size < 2 * n) size <<= 1;
  std::vector<std::complex<double>> a(size);
  for (std::size_t i = 0; i < n; ++i) a[i] = y[i] - ym - slope * (static_cast<double>(i) - tm);
  internal::Fft(a, false);
  for (auto& x : a) x = std::norm(x);
  internal::Fft(a, true);
  const double c0 = a[0].real();
  if (!(c0 > 0.0)) return acf;
  for (std::size_t k = 0; k <= max_lag && k < n; ++k) acf[k] = a[k].real() / c0;
  return acf;
}

inline absl::StatusOr<std::vector<DetectedPeriod>> DetectPeriods(std::span<const double> y,
                                                                  PeriodOptions options = {}) {
  if (absl::Status s = internal::CheckFinite(y, "period detection"); !s.ok()) return s;
  const int n = static_cast<int>(y.size());
  const int max_p = std::min(options.max_period > 0 ? options.max_period : n / 2, n / 2);
  std::vector<DetectedPeriod> accepted;
  if (max_p < options.min_period || max_p < 2) return accepted;
  // Look a little past max_p so a peak at max_p can be judged against its right side.
  const int span_max = std::min(n - 1, max_p + std::max(2, max_p / 10));
  const std::vector<double> acf = Autocorrelation(y, static_cast<std::size_t>(span_max));
  auto at = [&](int lag) { return lag >= 0 && lag <= span_max ? acf[static_cast<std::size_t>(lag)] : -1.0; };
  for (int lag = std::max(options.min_period, 2); lag <= max_p; ++lag) {
    const double v = at(lag);
    if (v <= options.min_acf) continue;
    const int w = std::max(2, lag / 10);
    bool peak = true;
    for (int d = 1; d <= w && peak; ++d) {
      if (at(lag - d) > v || (lag + d <= span_max && at(lag + d) >= v)) peak = false;
    }
    if (!peak) continue;
    // Other components can shift an ACF peak by a few lags; refine to the lag
    // whose multiples line up best (mean ACF over up to 4 multiples).
    int best = lag;
    double best_score = -2.0;
    for (int c = std::max(2, lag - w); c <= std::min(max_p, lag + w); ++c) {
      double score = 0.0;
      int terms = 0;
      for (int k = 1; k <= 4 && k * c <= span_max; ++k, ++terms) score += at(k * c);
      score /= std::max(terms, 1);
      if (score > best_score) {
        best_score = score;
        best = c;
      }
    }
    const double vb = at(best);
    bool keep = vb > options.min_acf;
    for (const DetectedPeriod& p : accepted) {
      const int k = static_cast<int>(std::lround(static_cast<double>(best) / p.period));
      if (k < 1 || std::abs(best - k * p.period) > std::max(2, best / 20)) continue;
      if (k == 1) {
        keep = false;  // the same period again
        continue;
      }
      const double comb = std::max(at((k - 1) * p.period), at((k + 1) * p.period));
      if (vb < comb + options.comb_margin) keep = false;
    }
    if (keep) accepted.push_back({best, vb});
  }
  std::sort(accepted.begin(), accepted.end(),
            [](const DetectedPeriod& a, const DetectedPeriod& b) { return a.acf > b.acf; });
  if (static_cast<int>(accepted.size()) > options.max_count) {
    accepted.resize(static_cast<std::size_t>(std::max(options.max_count, 0)));
  }
  return accepted;
}

// The strongest period, or 1 when none is found (or on bad input).
inline int DetectPeriod(std::span<const double> y, PeriodOptions options = {}) {
  absl::StatusOr<std::vector<DetectedPeriod>> p = DetectPeriods(y, options);
  return p.ok() && !p->empty() ? p->front().period : 1;
}

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_PERIOD_HPP_
