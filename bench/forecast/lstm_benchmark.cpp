// SmallLstm: one-step inference (Update + Predict(1)), and training.
#include <benchmark/benchmark.h>

#include <vector>

#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/lstm.hpp"

namespace foresight {
namespace {

SmallLstm Policy(int hidden, int layers, int epochs) {
  return SmallLstm({.hidden = hidden, .layers = layers, .horizon = 24, .season = 24, .epochs = epochs});
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

// Per-series training on a 700-point hourly history (M4 hourly size).
void BM_SmallLstm_Fit(benchmark::State& state) {
  const SmallLstm lstm = Policy(16, 1, static_cast<int>(state.range(0)));
  const auto y = internal::SyntheticSeries({.n = 700, .noise = 3});
  for (auto _ : state) benchmark::DoNotOptimize(lstm.Fit(y)->t);
}
BENCHMARK(BM_SmallLstm_Fit)->Arg(20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace foresight
