#include "foresight/forecast/conformal.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "foresight/forecast/by_resource.hpp"
#include "foresight/forecast/envelope.hpp"
#include "foresight/forecast/ets.hpp"
#include "foresight/forecast/ewma.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/internal/any_forecaster.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/multi_seasonal.hpp"
#include "foresight/forecast/seasonal_naive.hpp"
#include "decorator_checks.hpp"

namespace foresight {
namespace {

// Streams `test` after fitting on `train`; returns the 90% coverage at `step`.
template <typename F>
double HeldOutCoverage(const Conformal<F>& model, const std::vector<double>& train,
                       const std::vector<double>& test, int step) {
  auto state = model.Fit(train);
  REQUIRE(state.ok());
  std::vector<std::pair<double, double>> pending(test.size() + static_cast<std::size_t>(step));
  int hits = 0, total = 0;
  for (std::size_t i = 0; i < test.size(); ++i) {
    const Forecast f = model.Predict(*state, step);
    pending[i + static_cast<std::size_t>(step) - 1] = {f.Quantile(step, 0.05), f.Quantile(step, 0.95)};
    if (i + 1 >= static_cast<std::size_t>(step)) {
      const auto [lo, hi] = pending[i];
      hits += test[i] >= lo && test[i] <= hi;
      ++total;
    }
    model.Update(*state, test[i]);
  }
  return static_cast<double>(hits) / total;
}

TEST_CASE("Conformal 90% intervals cover ~90% of held-out data") {
  // Seasonal series with AR(1) noise: HoltWinters' own errors are autocorrelated,
  // conformal calibration must still deliver nominal coverage.
  const auto y = internal::SyntheticSeries(
      {.n = 7000, .season1 = 24, .amp1 = 30, .noise = 4, .ar = 0.6, .seed = 11});
  const std::vector<double> train(y.begin(), y.begin() + 2000), test(y.begin() + 2000, y.end());
  Conformal<HoltWinters> model(HoltWinters({.season = 24}), {.horizon = 12, .window = 300});
  for (int step : {1, 6, 12}) {
    const double cov = HeldOutCoverage(model, train, test, step);
    INFO("step " << step << " coverage " << cov);
    CHECK(cov > 0.865);
    CHECK(cov < 0.935);
  }
}

TEST_CASE("Conformal coverage holds for heavy-tailed noise around a seasonal naive") {
  internal::SeededNormal rng(5);
  std::vector<double> y;
  for (int t = 0; t < 6000; ++t) {
    const double z = rng();
    y.push_back(50 + 10 * std::sin(t * 2 * 3.14159265 / 24) + z * z * z);  // skewed, heavy tails
  }
  const std::vector<double> train(y.begin(), y.begin() + 1500), test(y.begin() + 1500, y.end());
  Conformal<SeasonalNaive> model(SeasonalNaive(24), {.horizon = 4, .window = 400});
  const double cov = HeldOutCoverage(model, train, test, 1);
  INFO("coverage " << cov);
  CHECK(cov > 0.865);
  CHECK(cov < 0.935);
}

TEST_CASE("Conformal measures its own coverage per step and scores confidence") {
  const auto y = internal::SyntheticSeries({.n = 3000, .noise = 3, .seed = 2});
  Conformal<HoltWinters> model(HoltWinters({.season = 24}), {.horizon = 6, .calibration = 1000});
  auto state = model.Fit(y);
  REQUIRE(state.ok());
  for (int step = 1; step <= 6; ++step) {
    CHECK(model.Coverage(*state, step) > 0.8);
    CHECK(model.Coverage(*state, step) < 0.97);
  }
  const Forecast f = model.Predict(*state, 30);
  CHECK(f.horizon() == 30);
  CHECK(f.confidence() > 0.5);
  CHECK(f.Quantile(30, 0.95) - f.Quantile(30, 0.05) > f.Quantile(6, 0.95) - f.Quantile(6, 0.05));
  // A noisier series gets lower confidence.
  const auto noisy = internal::SyntheticSeries({.n = 3000, .noise = 30, .seed = 2});
  auto ns = model.Fit(noisy);
  REQUIRE(ns.ok());
  CHECK(model.Predict(*ns, 1).confidence() < f.confidence());
}

TEST_CASE("Conformal rank follows the finite-sample rule") {
  const std::vector<double> r = {1, 2, 3, 4, 5, 6, 7, 8, 9};  // n = 9
  CHECK(internal::ConformalRank(r, 0.9) == 9.0);   // ceil(10 * 0.9) = 9
  CHECK(internal::ConformalRank(r, 0.5) == 5.0);   // ceil(5) = 5
  CHECK(internal::ConformalRank(r, 0.1) == 1.0);   // floor(1) = 1
  CHECK(internal::ConformalRank(r, 0.25) == 2.0);  // floor(2.5) = 2
  CHECK(internal::ConformalRank(r, 0.99) == 9.0);  // clamped
}

TEST_CASE("Conformal does not score the guess a cold state makes before any sample") {
  // Started from nothing (as a controller starts a new user), the wrapped
  // model's first forecast is 0; its residual, the whole first sample, must
  // not sit in the window as if the model had missed by that much.
  Conformal<LastValue> model(LastValue{}, {.horizon = 2, .window = 50, .min_residuals = 5});
  auto state = model.Fit({});
  REQUIRE(state.ok());
  for (int i = 0; i < 30; ++i) model.Update(*state, 100.0);
  const Forecast f = model.Predict(*state, 2);
  for (int step = 1; step <= 2; ++step) {
    CHECK(f.mean(step) == doctest::Approx(100.0));
    CHECK(f.Quantile(step, 0.99) == doctest::Approx(100.0));  // every scored residual is 0
  }
}

// `F` with its PredictMean hidden, so that Conformal takes the wrapped
// model's full Predict every time, as it did before it used the means alone.
template <typename F>
struct MeansHidden {
  using State = typename F::State;
  F f;
  absl::StatusOr<State> Fit(std::span<const double> history) const { return f.Fit(history); }
  void Update(State& state, double y) const { f.Update(state, y); }
  Forecast Predict(const State& state, int horizon) const { return f.Predict(state, horizon); }
  static std::string_view Name() { return F::Name(); }
};

// Streams `y` through Conformal<F> and Conformal<MeansHidden<F>> (from a cold
// state and from a short fit) and counts forecasts that differ in any mean,
// quantile or confidence.
template <typename F>
int MeansAloneMismatches(F inner, ConformalOptions options, const std::vector<double>& y) {
  static_assert(MeanForecaster<F> && !MeanForecaster<MeansHidden<F>>);
  const Conformal<F> fast(inner, options, kTailQuantileLevels);
  const Conformal<MeansHidden<F>> full(MeansHidden<F>{inner}, options, kTailQuantileLevels);
  int mismatches = 0;
  for (std::size_t fit : {std::size_t{0}, std::size_t{7}}) {
    auto a = fast.Fit(std::span(y).first(fit));
    auto b = full.Fit(std::span(y).first(fit));
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    for (std::size_t t = fit; t < y.size(); ++t) {
      for (int h : {1, options.horizon, options.horizon + 3}) {
        const Forecast fa = fast.Predict(*a, h), fb = full.Predict(*b, h);
        if (!(fa == fb) && mismatches++ == 0) MESSAGE("first mismatch at t=", t, " h=", h);
      }
      fast.Update(*a, y[t]);
      full.Update(*b, y[t]);
    }
  }
  return mismatches;
}

TEST_CASE("Conformal forecasts the same from its wrapped model's means alone") {
  // Once every step asked for has min_residuals residuals, Predict takes only
  // the wrapped means; before that, the wrapped quantiles and confidence. The
  // steps' windows fill one sample apart, so the switch is crossed per step.
  // The falling series takes HoltWinters below zero, where means are floored.
  auto series = internal::SyntheticSeries({.n = 200, .level = 30, .trend = -0.25, .noise = 3, .seed = 3});
  CHECK(MeansAloneMismatches(AdaptiveEwma(), {.horizon = 3, .window = 40, .min_residuals = 10}, series) == 0);
  CHECK(MeansAloneMismatches(PeakEnvelope({.recent = 2, .season = 24}),
                             {.horizon = 4, .window = 30, .min_residuals = 6, .tail_fraction = 0.05}, series) == 0);
  CHECK(MeansAloneMismatches(HoltWinters(), {.horizon = 2, .window = 50, .min_residuals = 12}, series) == 0);
}

TEST_CASE("Conformal's tail levels are the fitted tail's, to the bit, before and after the window fills") {
  // Once a window is full, Predict reads ln(exceed / (1 - level)) from a table
  // made at construction instead of taking a logarithm per level and forecast.
  // The replays' limits (memory at the 0.9999 level) must not move by an ulp.
  const std::vector<double> levels = {0.5, 0.9, 0.97, 0.99, 0.999, 0.99999};
  const ConformalOptions options{.horizon = 1, .window = 60, .calibration = 0, .tail_fraction = 0.05};
  const Conformal<LastValue> model(LastValue{}, options, levels);
  auto state = model.Fit({});
  REQUIRE(state.ok());
  std::uint64_t x = 5;
  int compared = 0, wrong = 0;
  for (int t = 0; t < 200; ++t) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    model.Update(*state, 100.0 + static_cast<double>(x >> 40) / 1e4);
    const std::size_t n = static_cast<std::size_t>(state->filled[0]);
    if (n < static_cast<std::size_t>(options.min_residuals)) continue;
    const std::span<const double> sorted(state->sorted.data(), n);
    const internal::ExponentialTail tail = internal::FitTail(sorted, options.tail_fraction);
    REQUIRE(tail.valid);
    const Forecast f = model.Predict(*state, 1);
    std::vector<double> mean(1);  // step 1
    model.PredictMean(*state, mean);
    for (std::size_t k = 0; k < levels.size(); ++k) {
      if (levels[k] <= 1.0 - options.tail_fraction) continue;
      const double expected =
          mean[0] + std::max(internal::ConformalRank(sorted, levels[k]), tail.Quantile(levels[k]));
      ++compared;
      wrong += f.quantile(1, k) == expected ? 0 : 1;
    }
  }
  CHECK(state->filled[0] == 60);
  CHECK(compared > 500);
  CHECK(wrong == 0);
}

TEST_CASE("Conformal keeps each step's residual window sorted as residuals come and go") {
  // Small integer samples give many equal residuals; the window wraps many times.
  Conformal<LastValue> model(LastValue{}, {.horizon = 3, .window = 16, .calibration = 0});
  auto state = model.Fit({});
  REQUIRE(state.ok());
  std::uint64_t x = 11;
  int wrong = 0;
  for (int t = 0; t < 600; ++t) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double y = t % 3 == 0 ? static_cast<double>(x >> 61) : static_cast<double>(x >> 40) / 1e6;
    model.Update(*state, y);
    for (std::size_t h = 0; h < 3; ++h) {
      const std::size_t n = static_cast<std::size_t>(state->filled[h]);
      std::vector<double> ring(state->residuals.begin() + static_cast<std::ptrdiff_t>(h * 16),
                               state->residuals.begin() + static_cast<std::ptrdiff_t>(h * 16 + n));
      std::sort(ring.begin(), ring.end());
      const std::vector<double> sorted(state->sorted.begin() + static_cast<std::ptrdiff_t>(h * 16),
                                       state->sorted.begin() + static_cast<std::ptrdiff_t>(h * 16 + n));
      wrong += sorted == ring ? 0 : 1;
    }
  }
  CHECK(wrong == 0);
  CHECK(state->filled[0] == 16);
}

TEST_CASE("Conformal's means after Fit are the wrapped model's fitted on the whole history") {
  // ETS estimates its parameters in Fit. Before session 21 Conformal fitted it
  // on the first half of a short history and only filtered the rest, so its
  // means were another model's: twice ets's sMAPE on M4-style monthly series.
  std::vector<double> y;
  for (int t = 0; t < 144; ++t) {
    y.push_back(100.0 + 0.8 * t + 12.0 * std::sin(2 * M_PI * t / 12.0) + 3.0 * std::sin(0.7 * t));
  }
  const Ets ets({.season = 12, .model = "AAA"});
  const Conformal<Ets> model(ets, {.horizon = 18});
  auto wrapped = model.Fit(y);
  auto alone = ets.Fit(y);
  REQUIRE(wrapped.ok());
  REQUIRE(alone.ok());
  const Forecast a = model.Predict(*wrapped, 18), b = ets.Predict(*alone, 18);
  for (int h = 1; h <= 18; ++h) CHECK(a.mean(h) == b.mean(h));
  // The residuals were still scored out of sample, on the replayed half.
  CHECK(model.Coverage(*wrapped, 1) >= 0.0);
  CHECK(a.Quantile(1, 0.95) > a.mean(1));
  CHECK(a.Quantile(1, 0.05) < a.mean(1));
  // Updates after Fit keep tracking the same model.
  model.Update(*wrapped, 220.0);
  ets.Update(*alone, 220.0);
  CHECK(model.Predict(*wrapped, 1).mean(1) == ets.Predict(*alone, 1).mean(1));
}

TEST_CASE("seasonal models say how much history starts them warm") {
  CHECK(WarmHistoryOf(SeasonalNaive(24)) == 24);
  CHECK(WarmHistoryOf(HoltWinters({.season = 12})) == 24);
  CHECK(WarmHistoryOf(HoltWinters({.season = 1})) == 0);
  CHECK(WarmHistoryOf(MultiSeasonal({.season1 = 24, .season2 = 168})) == 336);
  CHECK(WarmHistoryOf(AnyForecaster(MultiSeasonal({.season1 = 24, .season2 = 168}))) == 336);
  CHECK(WarmHistoryOf(LastValue()) == 0);
  CHECK(WarmHistoryOf(AnyForecaster(LastValue())) == 0);
}

TEST_CASE("Conformal calibrates a model fitted on at least its warm history") {
  // 624 hourly samples, as a Taylor block's training part: the default split
  // (300 replayed, at most half) would leave the double-seasonal model 324,
  // under the two weeks its weekly profile starts from, and calibrate it on a
  // cold model's errors. Fitted on 336 it is calibrated on its own.
  // A daily shape, and weekends 56 lower than weekdays.
  const auto y = internal::SyntheticSeries({.n = 624 + 480, .season1 = 24, .amp1 = 30,
                                            .season2 = 168, .amp2 = 40, .noise = 3, .seed = 5});
  const std::vector<double> train(y.begin(), y.begin() + 624), test(y.begin() + 624, y.end());
  Conformal<MultiSeasonal> model(MultiSeasonal({.season1 = 24, .season2 = 168}),
                                 {.horizon = 24, .window = 300});
  auto state = model.Fit(train);
  REQUIRE(state.ok());
  const Forecast f = model.Predict(*state, 24);
  for (int step : {1, 24}) {
    const double cov = HeldOutCoverage(model, train, test, step);
    const double width = f.Quantile(step, 0.95) - f.Quantile(step, 0.05);
    INFO("step " << step << " coverage " << cov << " width " << width);
    CHECK(cov > 0.8);
    CHECK(cov < 0.97);
    // The noise alone needs 2 x 1.645 x 3 = 9.9. Calibrated on the cold
    // prefix model's errors, the interval was 14.2 wide at step 1 and 128.0
    // at step 24 (covering 92 % and 96 %).
    CHECK(width < 13.0);
  }
}

TEST_CASE("Conformal's min_prefix shortens the calibration replay") {
  // 400 noisy samples, then 100 flat ones. Replaying the default 250 scores
  // noisy errors; with min_prefix 400 only the flat tail is replayed.
  std::vector<double> y;
  internal::SeededNormal noise(3);
  for (int i = 0; i < 400; ++i) y.push_back(10.0 + noise());
  for (int i = 0; i < 100; ++i) y.push_back(5.0);
  auto width = [&](int min_prefix) {
    const Conformal<LastValue> model(LastValue(), {.horizon = 1, .min_prefix = min_prefix});
    auto state = model.Fit(y);
    REQUIRE(state.ok());
    const Forecast f = model.Predict(*state, 1);
    return f.Quantile(1, 0.95) - f.Quantile(1, 0.05);
  };
  CHECK(width(0) > 0.5);
  CHECK(width(400) == 0.0);
  CHECK(width(600) > 0.5);  // a history shorter than min_prefix keeps the default split
}

TEST_CASE("Conformal rejects NaN history") {
  Conformal<SeasonalNaive> model;
  CHECK_FALSE(model.Fit(std::vector<double>{1, 2, INFINITY}).ok());
}

TEST_CASE("Conformal forwards FitFor when the wrapped forecaster is resource-aware") {
  // Without it Conformal<ByResource<...>> would fit every resource with the CPU model.
  testing::CheckForwardsFitFor([](const ByResource<LastValue, PeakEnvelope>& split) {
    return absl::StatusOr<Conformal<ByResource<LastValue, PeakEnvelope>>>(
        Conformal<ByResource<LastValue, PeakEnvelope>>(split, {.horizon = 2}));
  });
}

}  // namespace
}  // namespace foresight
