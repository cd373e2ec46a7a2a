// Conformal over a point model, one tick per series as a replay gives it:
// Update (the residual swapped into its step's sorted window, the next means
// recorded) then Predict one step ahead. The series are many so that, as in a
// fleet, their windows do not all stay in cache. ns_per_series is one series'
// tick. BM_Conformal_Tick/<window>/<series>: 288 is the track policies' CPU,
// IO and network window (a day of 5-minute residuals), 2016 memory's (a week).
// /tail:<percent> sets `tail_fraction`: 2 (0.02) is what every track policy
// uses, 0 the same windows without the fitted tail, as a baseline in the same
// run.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/last_value.hpp"

namespace foresight {
namespace {

void BM_Conformal_Tick(benchmark::State& state) {
  const int window = static_cast<int>(state.range(0));
  const std::size_t series = static_cast<std::size_t>(state.range(1));
  const double tail_fraction = static_cast<double>(state.range(2)) / 100.0;
  internal::ErrorQuantiles::Options errors;
  errors.horizon = 1;  // as the replay's WrappedErrorOptions
  ConformalOptions options;
  options.horizon = 1;
  options.window = window;
  options.calibration = 0;
  options.tail_fraction = tail_fraction;
  const Conformal<LastValue> model(LastValue({}, errors), options, kTailQuantileLevels);

  constexpr int kTicks = 256;
  std::vector<double> samples(static_cast<std::size_t>(kTicks) * series);
  internal::SeededNormal rng(3);
  for (std::size_t k = 0; k < samples.size(); ++k) {
    samples[k] = 100.0 + 10.0 * std::sin(static_cast<double>(k % 97)) + 5.0 * rng();
  }
  std::vector<Conformal<LastValue>::State> states;
  states.reserve(series);
  for (std::size_t i = 0; i < series; ++i) states.push_back(*model.Fit({}));
  // Fill every window, so that each Update swaps a residual.
  for (int t = 0; t < window + 8; ++t) {
    for (std::size_t i = 0; i < series; ++i) {
      model.Update(states[i], samples[(static_cast<std::size_t>(t % kTicks)) * series + i]);
    }
  }
  int t = 0;
  for (auto _ : state) {
    const double* tick = samples.data() + static_cast<std::size_t>(t) * series;
    for (std::size_t i = 0; i < series; ++i) {
      model.Update(states[i], tick[i]);
      benchmark::DoNotOptimize(model.Predict(states[i], 1));
    }
    t = (t + 1) % kTicks;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long long>(series));
  state.counters["ns_per_series"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(series),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Conformal_Tick)
    ->ArgsProduct({{288, 2016}, {10, 1000}, {0, 2}})
    ->ArgNames({"window", "series", "tail"})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace foresight
