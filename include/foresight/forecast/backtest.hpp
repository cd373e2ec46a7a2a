// -----------------------------------------------------------------------------
// File: backtest.hpp
// -----------------------------------------------------------------------------
//
// `Backtest` scores any `Forecaster` on one series by rolling origin: it fits
// the first `start` samples, then at every origin t forecasts steps 1..horizon
// from what it has seen, scores each step against the series, and only then
// learns y[t] with `Update`, as a host loop would. For each step ahead it
// reports the point errors (MAE, RMSE) and, per quantile level, the share of
// actuals at or below the forecast quantile (a calibrated P90 covers 0.9) and
// the mean pinball loss, the proper score of a quantile:
//     pinball_tau(y, q) = tau (y - q)        if y >= q,
//                         (1 - tau) (q - y)  otherwise.
// The quantile counts are those `QuantileCoverage` keeps for the controller,
// per step ahead instead of per resource; `forecast-eval` scores one forecast
// per series from its end instead (the M4 way).
//
//   HoltWinters model({.season = 24});
//   absl::StatusOr<BacktestResult> r = Backtest(model, series, {.horizon = 12, .start = 48});
//   double p90_step1 = r->Coverage(1, r->LevelIndex(0.9));  // ~0.9 when calibrated
//   double mae_step12 = r->mae[11];
//
// An origin is scored only once the model has seen a sample (a forecast from
// no data is a cold guess); a step whose target lies past the series' end is
// not scored. The forecaster is copied into the backtest: the caller's state
// is not touched.
//
// Cost: one Predict(horizon) and one Update per sample, plus O(horizon x
// levels) to score it.
#ifndef FORESIGHT_FORECAST_BACKTEST_HPP_
#define FORESIGHT_FORECAST_BACKTEST_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/forecast/forecast.hpp"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {

struct BacktestOptions {
  int horizon = 1;        // steps ahead scored, 1..horizon
  std::size_t start = 0;  // samples given to Fit before the first origin
};

// Per step ahead h (index h - 1) and, for the quantile scores, per level k
// (row-major: [(h - 1) * levels.size() + k]).
struct BacktestResult {
  int horizon = 0;
  std::vector<double> levels;     // the forecaster's quantile levels
  std::vector<long long> scored;  // forecasts scored per step
  std::vector<double> mae;        // mean |y - mean|
  std::vector<double> rmse;       // sqrt(mean (y - mean)^2)
  std::vector<long long> covered; // y at or below the quantile (counts, to pool results)
  std::vector<double> coverage;   // covered / scored
  std::vector<double> pinball;    // mean pinball loss of the quantile

  // 1-based step; NaN where nothing was scored.
  double Coverage(int step, std::size_t k) const { return At(coverage, step, k); }
  double Pinball(int step, std::size_t k) const { return At(pinball, step, k); }
  // The index of level p (within 1e-12), or -1 (`Forecast::LevelIndex`).
  int LevelIndex(double p) const { return Forecast::LevelIndex(levels, p); }

 private:
  double At(const std::vector<double>& v, int step, std::size_t k) const {
    return v[static_cast<std::size_t>(step - 1) * levels.size() + k];
  }
};

inline double PinballLoss(double tau, double actual, double quantile) {
  return actual >= quantile ? tau * (actual - quantile) : (1.0 - tau) * (quantile - actual);
}

template <Forecaster F>
absl::StatusOr<BacktestResult> Backtest(const F& forecaster, std::span<const double> series,
                                        BacktestOptions options = {}) {
  if (options.horizon < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("backtest: horizon must be >= 1, got ", options.horizon));
  }
  if (static_cast<std::size_t>(options.horizon) > std::max<std::size_t>(series.size(), 1)) {
    // No step past the series' length can be scored; refusing it also keeps
    // a mistyped horizon from allocating its forecasts.
    return absl::InvalidArgumentError(absl::StrCat("backtest: horizon (", options.horizon,
                                                   ") exceeds the series' length (",
                                                   series.size(), " samples)"));
  }
  if (options.start > series.size()) {
    return absl::InvalidArgumentError(absl::StrCat("backtest: start (", options.start,
                                                   ") is past the series' end (", series.size(),
                                                   " samples)"));
  }
  if (absl::Status s = internal::CheckFinite(series, "backtest"); !s.ok()) return s;
  absl::StatusOr<typename F::State> state = forecaster.Fit(series.first(options.start));
  if (!state.ok()) return state.status();

  const std::size_t H = static_cast<std::size_t>(options.horizon);
  BacktestResult r;
  r.horizon = options.horizon;
  r.scored.assign(H, 0);
  std::vector<double> abs_sum(H, 0.0), sq_sum(H, 0.0);
  for (std::size_t t = options.start; t < series.size(); ++t) {
    if (t > 0) {
      const Forecast f = forecaster.Predict(*state, options.horizon);
      if (r.levels.empty()) {
        r.levels.assign(f.levels().begin(), f.levels().end());
        r.covered.assign(H * r.levels.size(), 0);
        r.pinball.assign(H * r.levels.size(), 0.0);
      } else if (f.levels().size() != r.levels.size()) {
        return absl::InternalError(absl::StrCat(Sv(F::Name()), ": forecast at origin ", t, " has ",
                                                f.levels().size(), " quantile levels, not ",
                                                r.levels.size()));
      }
      const std::size_t K = r.levels.size();
      for (std::size_t h = 0; h < H && t + h < series.size(); ++h) {
        const int step = static_cast<int>(h) + 1;
        const double y = series[t + h];
        const double e = y - f.mean(step);
        abs_sum[h] += std::abs(e);
        sq_sum[h] += e * e;
        r.scored[h] += 1;
        const std::span<const double> q = f.quantiles(step);
        for (std::size_t k = 0; k < K; ++k) {
          r.covered[h * K + k] += y <= q[k] ? 1 : 0;
          r.pinball[h * K + k] += PinballLoss(r.levels[k], y, q[k]);
        }
      }
    }
    forecaster.Update(*state, series[t]);
  }
  if (r.levels.empty()) {  // nothing scored: the levels are still the forecaster's
    const Forecast f = forecaster.Predict(*state, options.horizon);
    r.levels.assign(f.levels().begin(), f.levels().end());
    r.covered.assign(H * r.levels.size(), 0);
  }
  const std::size_t K = r.levels.size();
  r.mae.assign(H, NAN);
  r.rmse.assign(H, NAN);
  r.coverage.assign(H * K, NAN);
  r.pinball.resize(H * K, 0.0);
  for (std::size_t h = 0; h < H; ++h) {
    const double n = static_cast<double>(r.scored[h]);
    for (std::size_t k = 0; k < K; ++k) {
      r.coverage[h * K + k] = n > 0 ? static_cast<double>(r.covered[h * K + k]) / n : NAN;
      r.pinball[h * K + k] = n > 0 ? r.pinball[h * K + k] / n : NAN;
    }
    if (n == 0) continue;
    r.mae[h] = abs_sum[h] / n;
    r.rmse[h] = std::sqrt(sq_sum[h] / n);
  }
  return r;
}

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_BACKTEST_HPP_
