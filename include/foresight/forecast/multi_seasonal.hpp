// -----------------------------------------------------------------------------
// File: multi_seasonal.hpp
// -----------------------------------------------------------------------------
//
// `MultiSeasonal` is Taylor's (2003) double-seasonal Holt-Winters with an AR(1)
// correction of the one-step error, for series with two seasonalities such as
// daily (m1 = 288) and weekly (m2 = 2016) cycles of 5-minute data:
//
//   e_t = y_t - (l_{t-1} + b_{t-1} + d_{t-m1} + w_{t-m2})
//   l_t = l_{t-1} + b_{t-1} + alpha e_t
//   b_t = phi b_{t-1} + beta alpha e_t
//   d_t = d_{t-m1} + delta (1 - alpha) e_t      (error-correction form of Taylor's
//   w_t = w_{t-m2} + omega (1 - alpha) e_t       smoothing equations)
//   yhat_{t+k} = l_t + (phi + ... + phi^k) b_t + d_{t+k-m1} + w_{t+k-m2} + ar^k e_t
//
// Warm start (needs two weekly cycles, else two daily cycles, else cold):
// level = mean of the first cycle, daily profile = mean of the detrended first
// cycles by phase, weekly profile = mean remainder by weekly phase. When
// `tune` is set, Fit picks alpha, delta, omega and ar from a small grid by the
// in-sample one-step squared error (the chosen values live in the state).
// Quantiles come from the model's own recent errors (internal::ErrorQuantiles).
// Use `DetectPeriods` (period.hpp) to find m1 and m2 when they are unknown.
//
//   MultiSeasonal ms({.season1 = 288, .season2 = 2016});
//   auto state = ms.Fit(four_weeks_of_5min);
//   Forecast f = ms.Predict(*state, 288);   // the next day
//
// | type   | name    | description                                   | default |
// |--------|---------|-----------------------------------------------|---------|
// | int    | season1 | shorter period (e.g. daily)                   | 288     |
// | int    | season2 | longer period, a multiple of season1 (weekly) | 2016    |
// | double | alpha   | level smoothing                               | 0.1     |
// | double | beta    | trend smoothing                               | 0.0     |
// | double | phi     | trend damping                                 | 0.98    |
// | double | delta   | season1 smoothing                             | 0.1     |
// | double | omega   | season2 smoothing                             | 0.1     |
// | double | ar      | AR(1) coefficient of the one-step error       | 0.5     |
// | bool   | tune    | grid-search alpha, delta, omega, ar in Fit    | true    |
#ifndef FORESIGHT_FORECAST_MULTI_SEASONAL_HPP_
#define FORESIGHT_FORECAST_MULTI_SEASONAL_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {

struct MultiSeasonalOptions {
  int season1 = 288;
  int season2 = 2016;
  double alpha = 0.1;
  double beta = 0.0;
  double phi = 0.98;
  double delta = 0.1;
  double omega = 0.1;
  double ar = 0.5;
  bool tune = true;
};

namespace internal {

struct MultiSeasonalModel {
  MultiSeasonalOptions options;

  struct State {
    double alpha = 0.1, delta = 0.1, omega = 0.1, ar = 0.5;  // possibly tuned
    double level = 0.0, trend = 0.0, last_error = 0.0;
    std::vector<double> d, w;  // season rings indexed by t mod m
    long long t = 0;
    bool started = false;
  };
  static std::string_view Name() { return "multi_seasonal"; }
  std::size_t M1() const { return static_cast<std::size_t>(std::max(options.season1, 1)); }
  std::size_t M2() const { return static_cast<std::size_t>(std::max(options.season2, 1)); }

  State Start() const {
    State s;
    s.alpha = options.alpha;
    s.delta = options.delta;
    s.omega = options.omega;
    s.ar = options.ar;
    s.d.assign(M1(), 0.0);
    s.w.assign(M2(), 0.0);
    return s;
  }

  void Warm(State& s, std::span<const double> y) const {
    const std::size_t m1 = M1(), m2 = M2();
    const std::size_t block = y.size() >= 2 * m2 ? 2 * m2 : (y.size() >= 2 * m1 ? 2 * m1 : 0);
    if (block == 0) return;
    double mean = 0.0;
    for (std::size_t i = 0; i < block; ++i) mean += y[i];
    mean /= static_cast<double>(block);
    std::vector<double> cnt(m1, 0.0);
    for (std::size_t i = 0; i < block; ++i) {
      s.d[i % m1] += y[i] - mean;
      cnt[i % m1] += 1.0;
    }
    for (std::size_t i = 0; i < m1; ++i) s.d[i] /= std::max(cnt[i], 1.0);
    if (block >= 2 * m2 && m2 > m1) {
      std::vector<double> c2(m2, 0.0);
      for (std::size_t i = 0; i < block; ++i) {
        s.w[i % m2] += y[i] - mean - s.d[i % m1];
        c2[i % m2] += 1.0;
      }
      for (std::size_t i = 0; i < m2; ++i) s.w[i] /= std::max(c2[i], 1.0);
    }
    s.level = mean;
    s.started = true;
    if (!options.tune) return;
    // Grid search on the in-sample one-step squared error.
    static constexpr double kAlpha[] = {0.02, 0.1, 0.3, 0.6};
    static constexpr double kSeason[] = {0.01, 0.1, 0.3};
    static constexpr double kAr[] = {0.0, 0.5, 0.9};
    double best = INFINITY;
    State chosen = s;
    for (double a : kAlpha) {
      for (double g : kSeason) {
        for (double r : kAr) {
          State trial = s;
          trial.alpha = a;
          trial.delta = trial.omega = g;
          trial.ar = r;
          double sse = 0.0;
          for (double v : y) sse += Step(trial, v);
          if (sse < best) {
            best = sse;
            chosen.alpha = a;
            chosen.delta = chosen.omega = g;
            chosen.ar = r;
          }
        }
      }
    }
    s = chosen;
  }

  // Learns y; returns the squared one-step error (0 for the cold first sample).
  double Step(State& s, double y) const {
    const std::size_t i1 = static_cast<std::size_t>(s.t % static_cast<long long>(M1()));
    const std::size_t i2 = static_cast<std::size_t>(s.t % static_cast<long long>(M2()));
    ++s.t;
    if (!s.started) {
      s.level = y;
      s.started = true;
      return 0.0;
    }
    const double w2 = M2() > M1() ? s.w[i2] : 0.0;
    const double e = y - (s.level + s.trend + s.d[i1] + w2);
    s.level += s.trend + s.alpha * e;
    s.trend = options.phi * s.trend + options.beta * s.alpha * e;
    s.d[i1] += s.delta * (1 - s.alpha) * e;
    if (M2() > M1()) s.w[i2] += s.omega * (1 - s.alpha) * e;
    s.last_error = e;
    return e * e;
  }

  void Point(const State& s, std::span<double> out) const {
    double damp = 0.0, phik = 1.0, ark = 1.0;
    const long long m1 = static_cast<long long>(M1()), m2 = static_cast<long long>(M2());
    for (std::size_t k = 0; k < out.size(); ++k) {
      phik *= options.phi;
      damp += phik;
      ark *= s.ar;
      const long long at = s.t + static_cast<long long>(k);
      const double w2 = m2 > m1 ? s.w[static_cast<std::size_t>(at % m2)] : 0.0;
      out[k] = s.level + damp * s.trend + s.d[static_cast<std::size_t>(at % m1)] + w2 +
               ark * s.last_error;
    }
  }
  double Level(const State& s) const { return s.level; }
};

}  // namespace internal

class MultiSeasonal : public internal::PointForecaster<internal::MultiSeasonalModel> {
 public:
  explicit MultiSeasonal(MultiSeasonalOptions options = {},
                         internal::ErrorQuantiles::Options errors = {})
      : PointForecaster(internal::MultiSeasonalModel{options}, errors) {}
  const MultiSeasonalOptions& options() const { return model().options; }
  // The warm start with a weekly profile needs two longer cycles
  // (`WarmStartForecaster`); with one season, two of it.
  int WarmHistory() const {
    const int m1 = std::max(options().season1, 1), m2 = std::max(options().season2, 1);
    return 2 * std::max(m1, m2);
  }
};
static_assert(Forecaster<MultiSeasonal>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_MULTI_SEASONAL_HPP_
