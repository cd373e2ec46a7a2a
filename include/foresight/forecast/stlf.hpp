// -----------------------------------------------------------------------------
// File: stlf.hpp
// -----------------------------------------------------------------------------
//
// `Stlf` ("stlf") is forecast::stlf: seasonal decomposition by STL, then ETS on
// the seasonally adjusted series, for seasons ETS cannot take itself (`Ets`
// allows 2..24, as forecast::ets does; 5-minute data has a daily season of
// 288). R's recipe, step by step:
//
//   1. STL (mstl with one period: stl(y, s.window = 11), non-robust) splits
//      y into seasonal + trend + remainder (internal/decompose_stl.hpp);
//   2. ETS "ZZN" (error and trend chosen by AICc, no season) is fitted to the
//      adjusted series y - seasonal;
//   3. the forecast is ETS's forecast of the adjusted series plus the last
//      period of the seasonal component repeated; the quantiles are ETS's
//      shifted by the same amount (forecast.stl's intervals).
// Update removes the stored seasonal value of the sample's phase and steps the
// ETS state; the seasonal component stays as fitted (refit periodically, e.g.
// with `Refitting`, as `proactive(stlf)` does).
//
//   Stlf stlf({.season = 288});
//   auto state = stlf.Fit(week_of_5min);   // state->ets.fit.Method() == "ETS(A,N,N)"
//   stlf.Update(*state, y);
//   Forecast f = stlf.Predict(*state, 36);
//
// | type        | name        | description                                        | default |
// |-------------|-------------|----------------------------------------------------|---------|
// | int         | season      | samples per season m (>= 2 for a seasonal fit)     | 1       |
// | int         | s_window    | STL's seasonal loess window (odd, >= 7)            | 11      |
// | int         | damped      | -1 choose, 0 never, 1 always (ETS trend)           | -1      |
// | bool        | nonnegative | floor forecasts and quantiles at zero              | true    |
//
// Cold start and short histories: an empty history predicts zeros with
// confidence 0. With m < 2 or at most two seasons of history (STL needs more,
// R's stlf stops there) there is no seasonal component and Stlf is ETS "ZZN"
// on the series itself (`StlfState::seasonal` is empty).
#ifndef FORESIGHT_FORECAST_STLF_HPP_
#define FORESIGHT_FORECAST_STLF_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/forecast/ets.hpp"
#include "foresight/forecast/internal/decompose_stl.hpp"
#include "foresight/forecast/internal/stats.hpp"

namespace foresight {

struct StlfOptions {
  int season = 1;
  int s_window = 11;
  int damped = -1;
  bool nonnegative = true;
};

struct StlfState {
  EtsState ets;                  // ETS of the seasonally adjusted series
  std::vector<double> seasonal;  // last fitted period, by phase: seasonal[t % m]
  long long n = 0;               // samples seen (Fit's history included)
};

class Stlf {
 public:
  using State = StlfState;
  Stlf() : Stlf(StlfOptions{}) {}
  explicit Stlf(StlfOptions options)
      : options_(options),
        ets_({.season = 1, .model = "ZZN", .damped = options.damped, .nonnegative = false}) {}
  static std::string_view Name() { return "stlf"; }
  const StlfOptions& options() const { return options_; }

  // InvalidArgument for non-finite history, or for s_window < 7 or even.
  absl::StatusOr<State> Fit(std::span<const double> history) const {
    if (absl::Status s = internal::CheckFinite(history, "stlf"); !s.ok()) return s;
    if (options_.s_window < 7 || options_.s_window % 2 == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("stlf: s_window must be odd and at least 7, got ", options_.s_window));
    }
    State st;
    const std::size_t n = history.size();
    st.n = static_cast<long long>(n);
    const int m = options_.season;
    std::vector<double> adjusted(history.begin(), history.end());
    if (m >= 2 && n > 2 * static_cast<std::size_t>(m)) {
      const internal::StlResult dec = internal::Stl(history, m, {.s_window = options_.s_window});
      const std::size_t mm = static_cast<std::size_t>(m);
      st.seasonal.assign(mm, 0.0);
      for (std::size_t t = n - mm; t < n; ++t) st.seasonal[t % mm] = dec.seasonal[t];
      for (std::size_t t = 0; t < n; ++t) adjusted[t] -= dec.seasonal[t];
    }
    absl::StatusOr<EtsState> fit = ets_.Fit(adjusted);
    if (!fit.ok()) return fit.status();
    st.ets = *std::move(fit);
    return st;
  }

  void Update(State& st, double y) const {
    if (!std::isfinite(y)) return;
    EtsStep(st.ets, y - SeasonalAt(st, 0));
    ++st.n;
  }

  // Means and standard deviations for steps 1..h.
  static void Moments(const State& st, std::span<double> mean, std::span<double> sd) {
    EtsPredictMoments(st.ets, mean, sd);
    for (std::size_t i = 0; i < mean.size(); ++i) {
      mean[i] += SeasonalAt(st, i);
      sd[i] = std::sqrt(std::max(sd[i], 0.0));
    }
  }

  Forecast Predict(const State& st, int horizon) const {
    return internal::GaussianForecast(
        horizon, options_.nonnegative, [&st](auto mean, auto sd) { Moments(st, mean, sd); },
        static_cast<double>(st.ets.t), st.ets.level, st.ets.fallback, st.ets.cold);
  }

  // Predict's means alone (`MeanForecaster`).
  void PredictMean(const State& st, std::span<double> out) const {
    ets_.PredictMean(st.ets, out);
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] += SeasonalAt(st, i);
      if (options_.nonnegative) out[i] = std::max(out[i], 0.0);
    }
  }

 private:
  // The seasonal value of the sample `ahead` steps after the last one seen.
  static double SeasonalAt(const State& st, std::size_t ahead) {
    if (st.seasonal.empty()) return 0.0;
    return st.seasonal[(static_cast<std::size_t>(st.n) + ahead) % st.seasonal.size()];
  }

  StlfOptions options_;
  Ets ets_;  // "ZZN" on y - seasonal, with options_.damped
};
static_assert(Forecaster<Stlf>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_STLF_HPP_
