// -----------------------------------------------------------------------------
// File: holt_winters.hpp
// -----------------------------------------------------------------------------
//
// `HoltWinters` is additive Holt-Winters exponential smoothing (level, damped
// trend, additive season) updated online in O(1) per sample:
//
//   l_t = alpha (y_t - s_{t-m}) + (1 - alpha)(l_{t-1} + phi b_{t-1})
//   b_t = beta (l_t - l_{t-1}) + (1 - beta) phi b_{t-1}
//   s_t = gamma (y_t - l_t) + (1 - gamma) s_{t-m}
//   yhat_{t+h} = l_t + (phi + ... + phi^h) b_t + s_{t+h-m(k+1)}
//
// When the history holds two full seasons, level, trend and season start from
// the classical decomposition of the first two seasons; otherwise the model
// starts cold (level = first sample, zero trend and season) and learns online.
// Quantiles come from its own recent errors (see internal/error_quantiles.hpp).
// Parameters are fixed smoothing constants; the forecasting module's `Ets`
// estimates them by maximum likelihood.
//
//   HoltWinters hw({.season = 288, .alpha = 0.2, .gamma = 0.3});
//   auto state = hw.Fit(history);
//   hw.Update(*state, y);
//   Forecast f = hw.Predict(*state, 12);
//
// | type   | name   | description                         | default |
// |--------|--------|-------------------------------------|---------|
// | int    | season | samples per season (1 = no season)  | 24      |
// | double | alpha  | level smoothing in (0, 1)           | 0.2     |
// | double | beta   | trend smoothing in [0, 1)           | 0.01    |
// | double | gamma  | season smoothing in [0, 1)          | 0.25    |
// | double | phi    | trend damping in (0, 1]             | 0.98    |
#ifndef FORESIGHT_FORECAST_HOLT_WINTERS_HPP_
#define FORESIGHT_FORECAST_HOLT_WINTERS_HPP_

#include <algorithm>
#include <span>
#include <string_view>
#include <vector>

#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {

struct HoltWintersOptions {
  int season = 24;
  double alpha = 0.2;
  double beta = 0.01;
  double gamma = 0.25;
  double phi = 0.98;
};

namespace internal {

struct HoltWintersModel {
  HoltWintersOptions options;

  struct State {
    double level = 0.0;
    double trend = 0.0;
    std::vector<double> season;
    long long t = 0;
    bool started = false;
  };
  static std::string_view Name() { return "holt_winters"; }
  std::size_t M() const { return static_cast<std::size_t>(std::max(options.season, 1)); }

  State Start() const { return State{0.0, 0.0, std::vector<double>(M(), 0.0), 0, false}; }

  // Classical start from the first two seasons; the replay then re-learns them.
  void Warm(State& s, std::span<const double> y) const {
    const std::size_t m = M();
    if (m < 2 || y.size() < 2 * m) return;
    double a = 0.0, b = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      a += y[i];
      b += y[m + i];
    }
    a /= static_cast<double>(m);
    b /= static_cast<double>(m);
    s.trend = (b - a) / static_cast<double>(m);
    // Level just before the first sample, so the replay's first step is consistent.
    s.level = a - s.trend * (static_cast<double>(m) + 1.0) / 2.0;
    for (std::size_t i = 0; i < m; ++i) {
      const double pos = static_cast<double>(i) - (static_cast<double>(m) - 1.0) / 2.0;
      s.season[i] = 0.5 * ((y[i] - (a + s.trend * pos)) + (y[m + i] - (b + s.trend * pos)));
    }
    s.started = true;
  }

  void Step(State& s, double y) const {
    const std::size_t i = static_cast<std::size_t>(s.t % static_cast<long long>(M()));
    if (!s.started) {
      s.level = y;
      s.started = true;
      ++s.t;
      return;
    }
    const double a = options.alpha, b = options.beta, g = options.gamma, phi = options.phi;
    const double old_level = s.level;
    const double old_season = M() > 1 ? s.season[i] : 0.0;
    s.level = a * (y - old_season) + (1 - a) * (old_level + phi * s.trend);
    s.trend = b * (s.level - old_level) + (1 - b) * phi * s.trend;
    if (M() > 1) s.season[i] = g * (y - s.level) + (1 - g) * old_season;
    ++s.t;
  }

  void Point(const State& s, std::span<double> out) const {
    const long long m = static_cast<long long>(M());
    double damp = 0.0, phik = 1.0;
    for (std::size_t h = 0; h < out.size(); ++h) {
      phik *= options.phi;
      damp += phik;
      const double season =
          m > 1 ? s.season[static_cast<std::size_t>((s.t + static_cast<long long>(h)) % m)] : 0.0;
      out[h] = s.level + damp * s.trend + season;
    }
  }
  double Level(const State& s) const { return s.level; }
};

}  // namespace internal

class HoltWinters : public internal::PointForecaster<internal::HoltWintersModel> {
 public:
  explicit HoltWinters(HoltWintersOptions options = {},
                       internal::ErrorQuantiles::Options errors = {})
      : PointForecaster(internal::HoltWintersModel{options}, errors) {}
  const HoltWintersOptions& options() const { return model().options; }
  // The classical start needs two seasons (`WarmStartForecaster`).
  int WarmHistory() const { return model().M() >= 2 ? 2 * static_cast<int>(model().M()) : 0; }
};
static_assert(Forecaster<HoltWinters>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_HOLT_WINTERS_HPP_
