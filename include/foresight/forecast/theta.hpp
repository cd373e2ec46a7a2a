// -----------------------------------------------------------------------------
// File: theta.hpp
// -----------------------------------------------------------------------------
//
// `Theta` ("theta") is the standard Theta method of Assimakopoulos &
// Nikolopoulos (2000) as forecast::thetaf computes it (Hyndman & Billah 2003:
// SES with drift equal to half the slope of a linear trend):
//
//   1. if m > 1, n > 2 m and |r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n),
//      the series is divided by its classical multiplicative seasonal
//      indices (unless an index is ~0);
//   2. SES (alpha, l0 by one-step MSE) on the adjusted series; b = slope / 2
//      of the least-squares line through it;
//   3. yhat_h = l_n + b (h - 1 + (1 - (1 - alpha)^n) / alpha), reseasonalised;
//   4. sd_h = sigma_SES sqrt(1 + (h - 1) alpha^2) (thetaf's intervals).
// Update advances the SES level on the adjusted sample; alpha, b and the
// seasonal indices stay as fitted (refit periodically for long runs).
//
//   Theta theta({.season = 24});
//   auto state = theta.Fit(history);
//   Forecast f = theta.Predict(*state, 48);
//
// | type | name        | description                         | default |
// |------|-------------|-------------------------------------|---------|
// | int  | season      | samples per season m (1 = none)     | 1       |
// | bool | nonnegative | floor forecasts and quantiles at 0  | true    |
//
// Cold start: empty history -> zeros with confidence 0; fewer than 4 samples
// -> naive level without drift (`ThetaState::fallback`).
#ifndef FORESIGHT_FORECAST_THETA_HPP_
#define FORESIGHT_FORECAST_THETA_HPP_

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>
#include <vector>

#include "foresight/forecast/ets.hpp"
#include "foresight/forecast/internal/decompose.hpp"
#include "foresight/forecast/internal/stats.hpp"

namespace foresight {

struct ThetaOptions {
  int season = 1;
  bool nonnegative = true;
};

struct ThetaState {
  double alpha = 1.0;          // SES smoothing (>= 1e-10)
  double level = 0.0;          // SES level of the adjusted series
  double drift = 0.0;          // b = slope / 2
  double sigma2 = 0.0;         // SES residual variance
  std::vector<double> figure;  // multiplicative seasonal indices (empty = none)
  long long n = 0;             // samples seen
  double magnitude = 0.0;      // typical |y| (confidence score)
  bool fallback = false;
  bool cold = true;
};

class Theta {
 public:
  using State = ThetaState;
  Theta() = default;
  explicit Theta(ThetaOptions options) : options_(options) {}
  static std::string_view Name() { return "theta"; }
  const ThetaOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    if (absl::Status s = internal::CheckFinite(history, "theta"); !s.ok()) return s;
    State st;
    const std::size_t n = history.size();
    if (n == 0) return st;
    const int m = std::max(options_.season, 1);
    std::vector<double> x(history.begin(), history.end());
    if (internal::SeasonalityTest(history, m, internal::SeasonalityRule::kThetaf)) {
      const internal::Decomposition dec = internal::ClassicalDecompose(history, m, true);
      bool ok = !dec.figure.empty();
      for (double v : dec.figure) ok &= std::abs(v) >= 1e-4;
      if (ok) {
        st.figure = dec.figure;
        for (std::size_t t = 0; t < n; ++t) x[t] /= dec.seasonal[t];
      }
    }
    double mag = 0.0;
    for (double v : history) mag += std::abs(v);
    st.magnitude = mag / static_cast<double>(n);
    st.cold = false;
    absl::StatusOr<EtsFit> ses = FitEtsModel(x, 'A', 'N', 'N', false, 1, EtsCriterion::kMse);
    if (!ses.ok()) {
      st.fallback = true;
      st.figure.clear();
      st.alpha = 1.0;
      st.level = history.back();
      st.n = static_cast<long long>(n);
      const EtsState naive = EtsFallbackState(history);
      st.sigma2 = naive.fit.sigma2;
      return st;
    }
    st.alpha = std::max(1e-10, ses->alpha);
    st.sigma2 = ses->sigma2;
    st.drift = internal::FitLine(x, 0.0).slope / 2.0;
    st.level = ses->initial_state[0];
    for (double v : x) st.level += ses->alpha * (v - st.level);
    st.n = static_cast<long long>(n);
    return st;
  }

  void Update(State& st, double y) const {
    if (!std::isfinite(y)) return;
    const std::size_t m = st.figure.size();
    const double x = m > 0 ? y / st.figure[static_cast<std::size_t>(st.n) % m] : y;
    if (st.cold) {
      st.level = x;
      st.cold = false;
      st.fallback = true;
    } else {
      st.level += st.alpha * (x - st.level);
    }
    ++st.n;
    st.magnitude += (std::abs(y) - st.magnitude) / static_cast<double>(std::min<long long>(st.n, 1000));
  }

  // Point forecasts and standard deviations (thetaf's) for steps 1..h.
  static void Moments(const State& st, std::span<double> mean, std::span<double> sd) {
    const std::size_t m = st.figure.size();
    const double a = st.alpha;
    const double tail = (1.0 - std::pow(1.0 - a, static_cast<double>(st.n))) / a;
    for (std::size_t i = 0; i < mean.size(); ++i) {
      double f = st.cold ? 0.0 : st.level + st.drift * (static_cast<double>(i) + tail);
      if (m > 0) f *= st.figure[(static_cast<std::size_t>(st.n) + i) % m];
      mean[i] = f;
      sd[i] = std::sqrt(std::max(st.sigma2, 0.0) * (static_cast<double>(i) * a * a + 1.0));
    }
  }

  Forecast Predict(const State& st, int horizon) const {
    return internal::GaussianForecast(
        horizon, options_.nonnegative, [&st](auto mean, auto sd) { Moments(st, mean, sd); },
        static_cast<double>(st.n), st.magnitude, st.fallback, st.cold);
  }

 private:
  ThetaOptions options_;
};
static_assert(Forecaster<Theta>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_THETA_HPP_
