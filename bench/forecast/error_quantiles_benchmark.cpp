// Holt-Winters with its error quantiles, one tick per series as a replay or a
// host loop gives it: Update (every tracked step's error scored, the next
// point forecasts recorded) then Predict `horizon` steps ahead. ns_per_series
// is one series' tick.
// BM_ErrorQuantiles_Tick/<horizon>/follow:<0|1>: follow 1 tracks the error
// quantiles in units of the running MAE (`follow_scale`, the default), 0 in
// the series' units (the replays' Holt-Winters), as a baseline in the same
// run. Horizon 1 is a replay's lead, 24 a day of hourly forecasts.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/internal/synthetic.hpp"

namespace foresight {
namespace {

void BM_ErrorQuantiles_Tick(benchmark::State& state) {
  const int horizon = static_cast<int>(state.range(0));
  internal::ErrorQuantiles::Options errors;
  errors.horizon = horizon;
  errors.follow_scale = state.range(1) != 0;
  const HoltWinters model({.season = 24}, errors);

  constexpr std::size_t kSeries = 256;
  constexpr int kTicks = 240;
  std::vector<double> samples(static_cast<std::size_t>(kTicks) * kSeries);
  internal::SeededNormal rng(5);
  for (std::size_t k = 0; k < samples.size(); ++k) {
    const double hour = static_cast<double>((k / kSeries) % 24);
    samples[k] = 100.0 + 20.0 * std::sin(hour / 24.0 * 6.283185307179586) + 5.0 * rng();
  }
  std::vector<HoltWinters::State> states;
  states.reserve(kSeries);
  for (std::size_t i = 0; i < kSeries; ++i) states.push_back(*model.Fit({}));
  // Past the warm-up, so every tracked step has errors.
  for (int t = 0; t < 2 * kTicks; ++t) {
    for (std::size_t i = 0; i < kSeries; ++i) {
      model.Update(states[i], samples[static_cast<std::size_t>(t % kTicks) * kSeries + i]);
    }
  }
  int t = 0;
  for (auto _ : state) {
    const double* tick = samples.data() + static_cast<std::size_t>(t) * kSeries;
    for (std::size_t i = 0; i < kSeries; ++i) {
      model.Update(states[i], tick[i]);
      benchmark::DoNotOptimize(model.Predict(states[i], horizon));
    }
    t = (t + 1) % kTicks;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long long>(kSeries));
  state.counters["ns_per_series"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kSeries,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ErrorQuantiles_Tick)
    ->ArgNames({"horizon", "follow"})
    ->ArgsProduct({{1, 24}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace foresight
