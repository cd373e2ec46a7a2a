// SmallLstm: one-step inference (Update + Predict(1)), and training.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/lstm.hpp"

namespace foresight {
namespace {

SmallLstm Policy(int hidden, int layers, int epochs, int patience = 5) {
  return SmallLstm({.hidden = hidden,
                    .layers = layers,
                    .horizon = 24,
                    .season = 24,
                    .epochs = epochs,
                    .patience = patience});
}

void BM_SmallLstm_UpdatePredict1(benchmark::State& state) {
  const SmallLstm lstm = Policy(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)), 2);
  const auto y = internal::SyntheticSeries({.n = 500, .noise = 3});
  auto s = *lstm.Fit(y);
  double v = 100;
  for (auto _ : state) {
    lstm.Update(s, v);
    const Forecast f = lstm.Predict(s, 1);
    v = 100 + 0.001 * f.mean(1);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_SmallLstm_UpdatePredict1)->Args({16, 1})->Args({16, 2})->Args({32, 1});

void BM_SmallLstm_Update(benchmark::State& state) {
  const SmallLstm lstm = Policy(16, 1, 2);
  const auto y = internal::SyntheticSeries({.n = 500, .noise = 3});
  auto s = *lstm.Fit(y);
  for (auto _ : state) {
    lstm.Update(s, 101.0);
    benchmark::DoNotOptimize(s.h.data());
  }
}
BENCHMARK(BM_SmallLstm_Update);

void BM_SmallLstm_Predict24(benchmark::State& state) {
  const SmallLstm lstm = Policy(16, 1, 2);
  const auto y = internal::SyntheticSeries({.n = 500, .noise = 3});
  const auto s = *lstm.Fit(y);
  for (auto _ : state) benchmark::DoNotOptimize(lstm.Predict(s, 24).mean(24));
}
BENCHMARK(BM_SmallLstm_Predict24);

// Per-series training on a 700-point hourly history (M4 hourly size), at most
// range(0) epochs, with early stopping's patience range(1) (0: every epoch on
// every target). The counter says how many epochs ran.
void BM_SmallLstm_Fit(benchmark::State& state) {
  const int patience = static_cast<int>(state.range(1));
  const SmallLstm lstm = Policy(16, 1, static_cast<int>(state.range(0)), patience);
  const auto y = internal::SyntheticSeries({.n = 700, .noise = 3});
  int kept = 0;
  for (auto _ : state) kept = lstm.Fit(y)->epochs_kept;
  state.counters["epochs_run"] =
      patience > 0 ? std::min(kept + patience, static_cast<int>(state.range(0))) : kept;
}
BENCHMARK(BM_SmallLstm_Fit)->Args({20, 0})->Args({20, 5})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace foresight
