// -----------------------------------------------------------------------------
// File: forecaster.hpp
// -----------------------------------------------------------------------------
//
// `Forecaster` is the role a forecasting policy plays: fit on a history, update
// online one sample at a time, and predict steps 1..H as a `Forecast` (mean,
// quantiles, confidence). Parameters live in the policy object, which is
// immutable once built; fitted state lives in `F::State`, a copyable value the
// caller owns (one per series), so one policy object serves any number of series.
//
// Requirements:   typename F::State;                      // copyable
//                 absl::StatusOr<F::State> Fit(std::span<const double> history) const;
//                 void Update(F::State&, double y) const;  // append one sample
//                 Forecast Predict(const F::State&, int horizon) const;
//                 static std::string_view Name();
// Optional:       void PredictMean(const F::State&, std::span<double> out) const;
//                 Predict's means alone, exactly (`MeanForecaster`).
//                 absl::StatusOr<F::State> FitFor(Resource r, history) const;
//                 a *resource-aware* forecaster (`ResourceAwareForecaster`)
//                 fits a state for resource r, which may use a different
//                 model per resource (`ByResource`). Callers that know the
//                 resource fit through `FitForResource`, which falls back to
//                 `Fit` for resource-blind forecasters.
//                 int WarmHistory() const;
//                 the fewest history samples from which Fit starts the
//                 model warm (`WarmStartForecaster`): a seasonal model's
//                 seasonal start. `Conformal::Fit` fits its calibration
//                 model on at least that many.
// Contract:       Fit({}) succeeds and yields a cold state that still predicts
//                 (possibly zeros with confidence 0); Fit rejects NaN/inf with
//                 InvalidArgumentError; Predict(s, h) has horizon h, finite
//                 values, non-decreasing quantiles per step, confidence in
//                 [0, 1]; Update(y) after Fit(x) continues the model with y
//                 (purely online models forecast exactly as after Fit(x ++ y)).
//                 testing/conformance.hpp checks all of this.
// Shipped:        LastValue, SeasonalNaive, HoltWinters (foundation); the
//                 forecasting module adds ARIMA/SARIMA, ETS, Theta, Markov chain,
//                 small LSTM, ensemble and the Conformal<F> wrapper.
#ifndef FORESIGHT_FORECAST_FORECASTER_HPP_
#define FORESIGHT_FORECAST_FORECASTER_HPP_

#include <algorithm>
#include <concepts>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "foresight/core/resources.hpp"
#include "foresight/forecast/forecast.hpp"

namespace foresight {

template <typename F>
concept Forecaster = std::copy_constructible<typename F::State> &&
    requires(const F f, std::span<const double> history, typename F::State& state,
             const typename F::State& cstate, double y, int horizon) {
  { f.Fit(history) } -> std::same_as<absl::StatusOr<typename F::State>>;
  { f.Update(state, y) } -> std::same_as<void>;
  { f.Predict(cstate, horizon) } -> std::same_as<Forecast>;
  { F::Name() } -> std::convertible_to<std::string_view>;
};

// A forecaster that can fit a state for a named resource. `FitFor(r, h)` must
// satisfy everything `Fit(h)` does; the state it returns forecasts resource r.
template <typename F>
concept ResourceAwareForecaster =
    Forecaster<F> && requires(const F f, Resource r, std::span<const double> history) {
      { f.FitFor(r, history) } -> std::same_as<absl::StatusOr<typename F::State>>;
    };

// A forecaster that learns from how series end. `End(state)` is called once,
// when the entity behind the series is gone for good (a VM deleted, a job
// done); nothing is called on the state after it. `YoungHeadroom` files what
// a series deleted young went on to do; `ByResource` passes it on.
template <typename F>
concept EndAwareForecaster =
    Forecaster<F> && requires(const F f, typename F::State& state) {
      { f.End(state) } -> std::same_as<void>;
    };

// A forecaster whose means can be had without its quantiles.
// `PredictMean(state, out)` writes exactly `Predict(state, out.size())`'s
// means for steps 1..out.size(), at less cost. The point forecasters
// (`internal::PointForecaster`: LastValue, Ewma, AdaptiveEwma, SeasonalNaive,
// HoltWinters, MultiSeasonal, PeakEnvelope) skip their error quantiles;
// `Conformal`, `Ensemble` and `AnyForecaster` pass it on to what they wrap.
// Callers that keep only means (`Conformal` once its residual windows are
// full, `PeakHeadroom`, `Ensemble`'s scoring) go through `PredictMeans`. The
// conformance tests check the equality bit for bit.
template <typename F>
concept MeanForecaster =
    Forecaster<F> && requires(const F f, const typename F::State& state, std::span<double> out) {
      { f.PredictMean(state, out) } -> std::same_as<void>;
    };

// A forecaster that says how much history its Fit needs to start warm
// (`WarmHistory`): two seasons for Holt-Winters' classical start, two weekly
// cycles for the double-seasonal model's, one season for the seasonal naive
// (before that it forecasts the last value), the warmest member's plus the
// scored replay for an ensemble. Fitted on less, such a model starts cold or
// falls back, and its errors are not the model's own.
template <typename F>
concept WarmStartForecaster = Forecaster<F> && requires(const F f) {
  { f.WarmHistory() } -> std::convertible_to<int>;
};

// `f.WarmHistory()` for a `WarmStartForecaster`, else 0 (no such need).
template <Forecaster F>
int WarmHistoryOf(const F& f) {
  if constexpr (WarmStartForecaster<F>) {
    return std::max(0, static_cast<int>(f.WarmHistory()));
  } else {
    return 0;
  }
}

// `Predict(state, out.size())`'s means into `out`: through `PredictMean` when
// `f` is a `MeanForecaster`, else from a full `Predict`.
template <Forecaster F>
void PredictMeans(const F& f, const typename F::State& state, std::span<double> out) {
  if constexpr (MeanForecaster<F>) {
    f.PredictMean(state, out);
  } else {
    const Forecast full = f.Predict(state, static_cast<int>(out.size()));
    std::copy(full.means().begin(), full.means().end(), out.begin());
  }
}

// Tells `f` that the series of `state` has ended: `End` when `f` is
// end-aware, else nothing.
template <Forecaster F>
void EndSeries(const F& f, typename F::State& state) {
  if constexpr (EndAwareForecaster<F>) f.End(state);
}

// Fits `f` for resource `r`: `FitFor` when `f` is resource-aware, else `Fit`.
template <Forecaster F>
absl::StatusOr<typename F::State> FitForResource(const F& f, Resource r,
                                                 std::span<const double> history) {
  if constexpr (ResourceAwareForecaster<F>) {
    return f.FitFor(r, history);
  } else {
    (void)r;
    return f.Fit(history);
  }
}

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_FORECASTER_HPP_
