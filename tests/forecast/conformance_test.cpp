// The Forecaster role's shared conformance test: every shipped policy (and the
// type-erased and decorated forms) must honour the contract in forecaster.hpp.
#include <doctest/doctest.h>

#include <cmath>
#include <utility>
#include <vector>

#include "foresight/forecast/arima.hpp"
#include "foresight/forecast/auto_arima.hpp"
#include "foresight/forecast/by_resource.hpp"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/ensemble.hpp"
#include "foresight/forecast/envelope.hpp"
#include "foresight/forecast/ewma.hpp"
#include "foresight/forecast/fleet_peaks.hpp"
#include "foresight/forecast/headroom.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/internal/any_forecaster.hpp"
#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/lstm.hpp"
#include "foresight/forecast/markov_chain.hpp"
#include "foresight/forecast/multi_seasonal.hpp"
#include "foresight/forecast/peak_cap.hpp"
#include "foresight/forecast/peak_headroom.hpp"
#include "foresight/forecast/refit.hpp"
#include "foresight/forecast/running_peak.hpp"
#include "foresight/forecast/seasonal_naive.hpp"
#include "foresight/forecast/stlf.hpp"
#include "foresight/forecast/young_headroom.hpp"

namespace foresight {
namespace {

// How to build each policy for the test, and whether Fit(x) + Update(y) must
// equal Fit(x + y) exactly (policies that retrain or replay a calibration
// window in Fit only approximate it).
template <typename F>
struct Policy {
  static F Make() { return F(); }
  static constexpr bool kExactUpdate = true;
};
template <>
struct Policy<MultiSeasonal> {
  static MultiSeasonal Make() { return MultiSeasonal({.season1 = 12, .season2 = 48}); }
  static constexpr bool kExactUpdate = false;  // parameters tuned in Fit
};
template <>
struct Policy<Stlf> {
  static Stlf Make() { return Stlf({.season = 24}); }
  static constexpr bool kExactUpdate = false;  // Fit decomposes and refits ETS
};
template <>
struct Policy<MarkovChain> {
  static MarkovChain Make() {
    return MarkovChain({.states = 6, .season = 24, .phases = 4, .calibration = 150});
  }
  static constexpr bool kExactUpdate = true;
};
template <>
struct Policy<SmallLstm> {
  static SmallLstm Make() {
    return SmallLstm({.hidden = 4, .horizon = 4, .epochs = 2, .min_train = 100});
  }
  static constexpr bool kExactUpdate = false;  // Fit trains
};
template <>
struct Policy<Conformal<HoltWinters>> {
  static Conformal<HoltWinters> Make() {
    return Conformal<HoltWinters>(HoltWinters(), {.horizon = 6});
  }
  static constexpr bool kExactUpdate = false;  // calibration split moves
};
template <>
struct Policy<PeakEnvelope> {
  static PeakEnvelope Make() {
    return PeakEnvelope({.recent = 4, .season = 24, .seasons = 2, .width = 2, .ramp_season = 72});
  }
  static constexpr bool kExactUpdate = true;
};
template <>
struct Policy<Conformal<PeakEnvelope>> {
  static Conformal<PeakEnvelope> Make() {
    return Conformal<PeakEnvelope>(PeakEnvelope({.season = 24}),
                                   {.horizon = 3, .window = 100, .tail_fraction = 0.05});
  }
  static constexpr bool kExactUpdate = false;  // calibration split moves
};
template <>
struct Policy<Headroom<Conformal<PeakEnvelope>>> {
  static Headroom<Conformal<PeakEnvelope>> Make() {
    return *Headroom<Conformal<PeakEnvelope>>::Create(
        Conformal<PeakEnvelope>(PeakEnvelope({.season = 24}), {.horizon = 3, .window = 100}),
        {.fraction = 0.2});
  }
  static constexpr bool kExactUpdate = false;  // calibration split moves (Conformal)
};
template <>
struct Policy<PeakHeadroom<Conformal<PeakEnvelope>>> {
  static PeakHeadroom<Conformal<PeakEnvelope>> Make() {
    return *PeakHeadroom<Conformal<PeakEnvelope>>::Create(
        Conformal<PeakEnvelope>(PeakEnvelope({.season = 24}), {.horizon = 3, .window = 100}),
        {.period = 24,
         .periods = 7,
         .lag = 2,
         .min_fraction = 0.1,
         .phase_floor_periods = 3,
         .phase_floor_width = 1,
         .phase_floor_fraction = 0.03});
  }
  static constexpr bool kExactUpdate = false;  // calibration splits move
};
// The track+peak family's memory stack: the peak margin, capped by a cap
// learned with a fleet shared across every series the test fits.
template <>
struct Policy<PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>>> {
  static PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>> Make() {
    return *PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>>::Create(
        Policy<PeakHeadroom<Conformal<PeakEnvelope>>>::Make(),
        {.period = 24,
         .periods = 7,
         .min_periods = 2,
         .min_fraction = 0.05,
         .max_fraction = 0.5,
         .fleet = *FleetPeaks::Create({.capacity = 200, .min_samples = 5})});
  }
  static constexpr bool kExactUpdate = false;  // calibration splits move (the wrapped models)
};
// track+fleet+damped's memory stack: the capped peak margin, floored while a
// series is young by the young records of a fleet shared across the test's
// series.
template <>
struct Policy<YoungHeadroom<PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>>>> {
  static YoungHeadroom<PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>>> Make() {
    FleetPeaksOptions young = YoungFleetOptions(1);
    young.min_samples = 3;
    return *YoungHeadroom<PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>>>::Create(
        Policy<PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>>>::Make(),
        {.youth = 24, .refresh = 2, .fleet = *FleetPeaks::Create(young)});
  }
  static constexpr bool kExactUpdate = false;  // calibration splits move (the wrapped models)
};
template <>
struct Policy<PeakCap<PeakEnvelope>> {
  static PeakCap<PeakEnvelope> Make() {
    return *PeakCap<PeakEnvelope>::Create(PeakEnvelope({.season = 24}),
                                          {.period = 24, .periods = 7, .min_periods = 1});
  }
  static constexpr bool kExactUpdate = true;  // the records depend on the samples alone
};
// PeakHeadroom sharing a FleetPeaks across every series the test fits (a type
// of its own so that it gets its own entry below).
struct FleetPeakHeadroom : PeakHeadroom<Conformal<PeakEnvelope>> {
  explicit FleetPeakHeadroom(PeakHeadroom<Conformal<PeakEnvelope>> base)
      : PeakHeadroom<Conformal<PeakEnvelope>>(std::move(base)) {}
};
template <>
struct Policy<FleetPeakHeadroom> {
  static FleetPeakHeadroom Make() {
    return FleetPeakHeadroom(*PeakHeadroom<Conformal<PeakEnvelope>>::Create(
        Conformal<PeakEnvelope>(PeakEnvelope({.season = 24}), {.horizon = 3, .window = 100}),
        {.period = 24,
         .periods = 7,
         .lag = 2,
         .fleet = *FleetPeaks::Create({.capacity = 200, .min_samples = 5})}));
  }
  static constexpr bool kExactUpdate = false;  // calibration splits move
};
// ByResource's resource-blind Fit is its CPU model; by_resource_test.cpp checks
// that FitFor(r) gives each resource's model.
using SplitForecaster = ByResource<LastValue, PeakEnvelope>;
template <>
struct Policy<SplitForecaster> {
  static SplitForecaster Make() {
    return *SplitForecaster::Create(LastValue(), PeakEnvelope({.season = 24}));
  }
  static constexpr bool kExactUpdate = true;
};
template <>
struct Policy<Ensemble> {
  static Ensemble Make() {
    return Ensemble({AnyForecaster(SeasonalNaive(24)), AnyForecaster(HoltWinters())},
                    {.horizon = 6});
  }
  static constexpr bool kExactUpdate = false;  // validation split moves
};
template <>
struct Policy<AutoArima> {
  static AutoArima Make() { return AutoArima({.season = 1}); }  // non-seasonal: quick search
  static constexpr bool kExactUpdate = false;  // Fit selects and estimates the model
};
template <>
struct Policy<Arima> {
  static Arima Make() { return Arima({.order = {.p = 1, .d = 0, .q = 1}}); }
  static constexpr bool kExactUpdate = false;  // Fit estimates the coefficients
};
template <>
struct Policy<Refitting<HoltWinters>> {
  static Refitting<HoltWinters> Make() {
    return *Refitting<HoltWinters>::Create(HoltWinters(), {.every = 24, .window = 96});
  }
  static constexpr bool kExactUpdate = false;  // a refit restarts the model on its window
};
template <>
struct Policy<Refitting<AutoArima>> {
  static Refitting<AutoArima> Make() {
    return *Refitting<AutoArima>::Create(AutoArima({.season = 1}), {.every = 50, .window = 120});
  }
  static constexpr bool kExactUpdate = false;
};
template <>
struct Policy<RunningPeak<HoltWinters>> {
  static RunningPeak<HoltWinters> Make() {
    return *RunningPeak<HoltWinters>::Create(HoltWinters(), {.width = 6});
  }
  static constexpr bool kExactUpdate = true;  // the peaks of x ++ y continue those of x
};
template <>
struct Policy<AnyForecaster> {
  static AnyForecaster Make() { return AnyForecaster(HoltWinters()); }
  static constexpr bool kExactUpdate = true;
};

void CheckWellFormed(const Forecast& f, int horizon) {
  REQUIRE(f.horizon() == horizon);
  CHECK(f.confidence() >= 0.0);
  CHECK(f.confidence() <= 1.0);
  for (int s = 1; s <= horizon; ++s) {
    CHECK(std::isfinite(f.mean(s)));
    const auto q = f.quantiles(s);
    for (std::size_t k = 0; k < q.size(); ++k) {
      CHECK(std::isfinite(q[k]));
      if (k > 0) CHECK(q[k] >= q[k - 1]);
    }
  }
}

// A `MeanForecaster`'s PredictMean writes Predict's means bit for bit, at
// every horizon, including where the model forecasts below zero and Predict
// floors its means.
template <typename F>
void CheckMeans(const F& f, const typename F::State& state) {
  if constexpr (MeanForecaster<F>) {
    for (int h : {1, 3, 30}) {
      const Forecast full = f.Predict(state, h);
      std::vector<double> means(static_cast<std::size_t>(h), -1.0);
      f.PredictMean(state, means);
      for (int s = 1; s <= h; ++s) CHECK(means[static_cast<std::size_t>(s - 1)] == full.mean(s));
    }
  }
}
static_assert(MeanForecaster<LastValue> && MeanForecaster<AdaptiveEwma> &&
              MeanForecaster<HoltWinters> && MeanForecaster<PeakEnvelope> &&
              MeanForecaster<Conformal<PeakEnvelope>> && MeanForecaster<AnyForecaster> &&
              MeanForecaster<Ensemble>);

#define FORESIGHT_FORECASTERS                                                                 \
  LastValue, Ewma, AdaptiveEwma, SeasonalNaive, HoltWinters, MarkovChain, SmallLstm,          \
      MultiSeasonal, Conformal<HoltWinters>, PeakEnvelope, Conformal<PeakEnvelope>, Ensemble, \
      AnyForecaster, Arima, AutoArima, SplitForecaster, Headroom<Conformal<PeakEnvelope>>,    \
      PeakHeadroom<Conformal<PeakEnvelope>>, FleetPeakHeadroom,                               \
      PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>>, PeakCap<PeakEnvelope>,                  \
      YoungHeadroom<PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>>>, Refitting<HoltWinters>,  \
      Refitting<AutoArima>, RunningPeak<HoltWinters>, Stlf

TEST_CASE_TEMPLATE("Forecaster conformance", F, FORESIGHT_FORECASTERS) {
  static_assert(Forecaster<F>);
  const F f = Policy<F>::Make();
  CHECK_FALSE(std::string_view(F::Name()).empty());

  // Cold start.
  absl::StatusOr<typename F::State> cold = f.Fit({});
  REQUIRE(cold.ok());
  CheckWellFormed(f.Predict(*cold, 5), 5);
  CHECK(f.Predict(*cold, 0).horizon() == 0);
  CheckMeans(f, *cold);

  // Bad input.
  for (double bad : {NAN, INFINITY, -INFINITY}) {
    const std::vector<double> y = {1.0, 2.0, bad, 3.0};
    CHECK(f.Fit(y).status().code() == absl::StatusCode::kInvalidArgument);
  }

  // Fitted, then updated; NaN updates are ignored.
  const auto y =
      internal::SyntheticSeries({.n = 400, .season1 = 24, .amp1 = 10, .noise = 2, .seed = 5});
  absl::StatusOr<typename F::State> state = f.Fit(y);
  REQUIRE(state.ok());
  for (int h : {1, 7, 30}) CheckWellFormed(f.Predict(*state, h), h);
  const Forecast before = f.Predict(*state, 3);
  f.Update(*state, NAN);
  CHECK(f.Predict(*state, 3).mean(3) == before.mean(3));
  CheckMeans(f, *state);
  f.Update(*state, 123.0);
  CheckWellFormed(f.Predict(*state, 12), 12);
  CheckMeans(f, *state);

  // A series falling through zero: trend models forecast below it.
  {
    std::vector<double> falling(300);
    for (std::size_t i = 0; i < falling.size(); ++i)
      falling[i] = 60.0 - 0.4 * static_cast<double>(i);
    absl::StatusOr<typename F::State> down = f.Fit(falling);
    REQUIRE(down.ok());
    CheckMeans(f, *down);
  }

  // The state is a copyable value: a copy evolves independently.
  const double mean_before = f.Predict(*state, 2).mean(1);
  typename F::State copy = *state;
  for (int i = 0; i < 5; ++i) f.Update(copy, 1e3);
  CHECK(f.Predict(*state, 2).mean(1) == mean_before);
  CHECK(f.Predict(copy, 2).mean(1) != mean_before);

  // Fit(x) then Update(y) == Fit(x + y).
  if constexpr (Policy<F>::kExactUpdate) {
    absl::StatusOr<typename F::State> part = f.Fit(std::span(y).first(250));
    REQUIRE(part.ok());
    for (std::size_t i = 250; i < y.size(); ++i) f.Update(*part, y[i]);
    absl::StatusOr<typename F::State> whole = f.Fit(y);
    const Forecast a = f.Predict(*part, 6), b = f.Predict(*whole, 6);
    for (int s = 1; s <= 6; ++s) {
      CHECK(a.mean(s) == doctest::Approx(b.mean(s)).epsilon(1e-9));
      CHECK(a.Quantile(s, 0.9) == doctest::Approx(b.Quantile(s, 0.9)).epsilon(1e-9));
    }
  }
}

}  // namespace
}  // namespace foresight
