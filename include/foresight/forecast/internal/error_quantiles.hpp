// -----------------------------------------------------------------------------
// File: internal/error_quantiles.hpp
// -----------------------------------------------------------------------------
//
// Turns a point forecaster into a quantile forecaster from the empirical
// distribution of its own recent errors, per horizon step, in O(H * Q) memory
// and time per sample (no windows to sort, so it fits a bank of 100k series).
//
// For each step h it keeps the point forecasts issued h samples ago, and when a
// sample arrives it updates s_h, the running mean absolute error of step h,
// and, for each level tau, an exponentially weighted quantile z of the
// error in units of s_h, r = (y - yhat) / s_h, by stochastic approximation
//     z <- z + eta * (tau - 1{r < z}).
// The error quantile is q = z * s_h. Tracking the quantiles of r rather than
// of the error itself lets them follow the error's scale as fast as s_h does.
// The state keeps q in the series' units either way (z is recovered as q / s_h
// and the quantile re-scaled when s_h moves), so checkpoints mean one thing.
// With `follow_scale = false` the error is tracked in the series' units,
//     q <- q + eta * s_h * (tau - 1{e < q}),
// and a quantile moves down by at most eta * s_h * (1 - tau) a sample: after
// one season of large errors (a seasonal naive model's first season, a burst)
// a P99 takes tens of thousands of samples to come back. That long memory of
// bursts is what the replays' Holt-Winters memory limits rely on (see
// `DefaultReplayForecaster`).
// Until `warmup` errors have been seen the quantiles come from a Gaussian with
// standard deviation 1.25 * s_h (the MAE-to-sigma ratio of a normal).
// Steps beyond the tracked horizon H borrow a tracked step's errors, scaled by
// the growth of a naive forecast's standard deviation (Hyndman & Athanasopoulos,
// FPP3 table 5.2): a random walk's sqrt(h / H) from step H by default, or, for
// a seasonal naive forecast of season m (`extrapolation_season`), whole seasons'
// sqrt(k_h + 1) with k_h = floor((h - 1) / m), from the tracked step of the same
// phase when there is one.
// Optionally the errors are conditioned on the phase of a period (hour of day).
#ifndef FORESIGHT_FORECAST_INTERNAL_ERROR_QUANTILES_HPP_
#define FORESIGHT_FORECAST_INTERNAL_ERROR_QUANTILES_HPP_

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "foresight/forecast/forecast.hpp"

namespace foresight::internal {

// Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9).
inline double NormalQuantile(double p) {
  p = std::clamp(p, 1e-12, 1.0 - 1e-12);
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155692440e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double plow = 0.02425;
  if (p < plow) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - plow) {
    const double q = std::sqrt(-2 * std::log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

class ErrorQuantiles {
 public:
  struct Options {
    int horizon = 12;              // steps whose errors are tracked separately
    double learning_rate = 0.05;   // eta
    double mae_decay = 0.02;       // weight of a new |error| in the running MAE; for step h
                                   // at most 0.25 / h, so the MAE spans several times
                                   // the h samples two step-h errors share
    int warmup = 24;               // errors before the empirical quantiles are trusted
    // Phase-conditional errors: with period P > 0 and B > 1 buckets, errors are
    // tracked separately for each of B phases of the period (e.g. 24 hours of a
    // 288-sample day), since demand is much more predictable at night than at
    // nine in the morning. Memory is B times larger.
    int period = 0;
    int phase_buckets = 1;
    // How errors grow past `horizon` (see the file comment): 0 or 1 = as a
    // random walk's; m > 1 = as a seasonal naive forecast's of season m, whose
    // errors are alike at every step of a season and grow once per season.
    int extrapolation_season = 0;
    // Quantiles of the error in units of the running MAE (true), or of the
    // error itself (false: slower to forget a burst; see the file comment).
    bool follow_scale = true;
  };

  struct State {
    std::vector<double> pending;  // horizon x horizon: forecasts awaiting their target
    std::vector<double> q;        // buckets x horizon x levels: error quantiles
    std::vector<double> mae;      // buckets x horizon: running mean absolute error
    std::vector<int> count;       // buckets x horizon: errors seen
    long long t = 0;              // samples observed
  };

  ErrorQuantiles() : ErrorQuantiles(Options{}) {}
  explicit ErrorQuantiles(Options options,
                          std::span<const double> levels = kDefaultQuantileLevels)
      : options_(options), levels_(levels.begin(), levels.end()) {
    options_.horizon = std::max(options_.horizon, 1);
    if (options_.period <= 0 || options_.phase_buckets <= 1) {
      options_.period = 0;
      options_.phase_buckets = 1;
    }
    options_.phase_buckets = std::min(options_.phase_buckets, std::max(options_.period, 1));
    options_.extrapolation_season = std::max(options_.extrapolation_season, 0);
    z_.reserve(levels_.size());
    for (double p : levels_) z_.push_back(NormalQuantile(p));
  }

  const Options& options() const { return options_; }
  std::span<const double> levels() const { return levels_; }

  State MakeState() const {
    const std::size_t h = static_cast<std::size_t>(options_.horizon);
    const std::size_t b = static_cast<std::size_t>(options_.phase_buckets);
    State s;
    s.pending.assign(h * h, std::numeric_limits<double>::quiet_NaN());
    s.q.assign(b * h * levels_.size(), 0.0);
    s.mae.assign(b * h, 0.0);
    s.count.assign(b * h, 0);
    return s;
  }

  // A new sample `y` arrived: score every forecast that targeted it.
  void Observe(State& s, double y) const {
    const std::size_t H = static_cast<std::size_t>(options_.horizon);
    const std::size_t Q = levels_.size();
    s.t += 1;
    const std::size_t row = static_cast<std::size_t>(s.t % static_cast<long long>(H));
    const std::size_t bucket = Bucket(s.t);
    for (std::size_t h = 0; h < H; ++h) {
      double& yhat = s.pending[row * H + h];
      if (std::isnan(yhat)) continue;
      const double e = y - yhat;
      yhat = std::numeric_limits<double>::quiet_NaN();
      const std::size_t cell = bucket * H + h;
      int& n = s.count[cell];
      double& mae = s.mae[cell];
      const double issued = mae;  // the MAE the kept quantiles are expressed with
      const double decay = std::min(options_.mae_decay, 0.25 / static_cast<double>(h + 1));
      const double w = std::max(decay, 1.0 / (n + 1));
      mae += w * (std::abs(e) - mae);
      ++n;
      double* q = &s.q[cell * Q];
      if (options_.follow_scale) {
        ObserveScaled(q, e, issued, mae, n);
      } else {
        ObserveInUnits(q, e, mae, n);
      }
    }
  }

  // Records the point forecasts issued now for steps 1..n (n <= horizon used).
  void Record(State& s, std::span<const double> point) const {
    const std::size_t H = static_cast<std::size_t>(options_.horizon);
    const std::size_t n = std::min(point.size(), H);
    for (std::size_t h = 0; h < n; ++h) {
      const std::size_t row = static_cast<std::size_t>((s.t + 1 + static_cast<long long>(h)) %
                                                       static_cast<long long>(H));
      s.pending[row * H + h] = point[h];
    }
  }

  // Fills quantiles of `f` around its means and sets its confidence.
  // `level` is the series' typical magnitude, used to scale the confidence.
  void Fill(const State& s, Forecast& f, double level) const {
    const int H = options_.horizon;
    const std::size_t Q = levels_.size();
    for (int step = 1; step <= f.horizon(); ++step) {
      const auto [tracked, scale] = Borrow(step);
      const std::size_t cell = Bucket(s.t + step) * static_cast<std::size_t>(H) +
                               static_cast<std::size_t>(tracked - 1);
      const double* q = &s.q[cell * Q];
      std::span<double> out = f.quantiles(step);
      for (std::size_t k = 0; k < Q && k < out.size(); ++k) {
        out[k] = f.mean(step) + scale * q[k];
      }
    }
    f.Normalize();
    const std::size_t cell = Bucket(s.t + 1) * static_cast<std::size_t>(H);
    const double n = s.count.empty() ? 0.0 : static_cast<double>(s.count[cell]);
    const double warm = n / (n + options_.warmup);
    const double mae = s.mae.empty() ? 1.0 : s.mae[cell];
    f.set_confidence(warm / (1.0 + mae / (std::abs(level) + 1e-9)));
  }

  // The tracked step whose errors stand for `step`'s, and their scale: the
  // step itself within the horizon, else the growth rule of `Options`.
  std::pair<int, double> Borrow(int step) const {
    const int H = options_.horizon;
    if (step <= H) return {step, 1.0};
    const int m = options_.extrapolation_season;
    if (m <= 1) return {H, std::sqrt(static_cast<double>(step) / H)};
    // Same phase of the season when a tracked step has it, else step H.
    int tracked = step - m * ((step - H + m - 1) / m);
    if (tracked < 1) tracked = H;
    const auto seasons = [m](int h) { return static_cast<double>((h - 1) / m + 1); };
    return {tracked, std::sqrt(seasons(step) / seasons(tracked))};
  }

 private:
  // `follow_scale`: one cell's error quantiles `q` (in the series' units) as
  // z = q / issued (issued: the MAE before this error, with which q = z *
  // MAE was last formed), stepped on the error in those units, re-scaled by
  // the updated MAE: q <- (z + eta (tau - 1{e / issued < z})) * mae, which is
  // q * mae / issued + eta * mae * (tau - 1{e < q}) with no division per
  // level. The first error has no scale yet and only starts the MAE; a zero
  // scale (a constant series so far) restarts z from the Gaussian and steps it
  // on the error's sign.
  void ObserveScaled(double* q, double e, double issued, double mae, int n) const {
    const std::size_t Q = levels_.size();
    const double eta = options_.learning_rate;
    if (n > 1 && issued > 0) {
      const double ratio = mae / issued;
      const double step = eta * mae;
      const bool warm = n <= options_.warmup;
      for (std::size_t k = 0; k < Q; ++k) {
        double qk = q[k];
        if (warm) qk += (z_[k] * 1.25 * issued - qk) / n;  // blended toward the data
        q[k] = qk * ratio + step * (levels_[k] - (e < qk ? 1.0 : 0.0));
      }
      return;
    }
    for (std::size_t k = 0; k < Q; ++k) {
      double z = z_[k] * 1.25;
      if (n > 1) z += eta * (levels_[k] - ((e < 0 || (e == 0 && z > 0)) ? 1.0 : 0.0));
      q[k] = z * mae;
    }
  }

  // `follow_scale = false`: the error quantiles `q` of one cell, in units.
  void ObserveInUnits(double* q, double e, double mae, int n) const {
    const std::size_t Q = levels_.size();
    if (n <= options_.warmup) {
      for (std::size_t k = 0; k < Q; ++k) {
        const double gauss = z_[k] * 1.25 * mae;
        q[k] = n == 1 ? gauss : q[k] + (gauss - q[k]) / n;
      }
    }
    const double step = options_.learning_rate * std::max(mae, 1e-12);
    for (std::size_t k = 0; k < Q; ++k) q[k] += step * (levels_[k] - (e < q[k] ? 1.0 : 0.0));
  }

  // Phase bucket of the sample with 1-based index `i`.
  std::size_t Bucket(long long i) const {
    if (options_.phase_buckets <= 1) return 0;
    const long long phase = (i - 1) % options_.period;
    return static_cast<std::size_t>(phase * options_.phase_buckets / options_.period);
  }

  Options options_;
  std::vector<double> levels_;
  std::vector<double> z_;
};

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_ERROR_QUANTILES_HPP_
