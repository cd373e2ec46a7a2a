// MarkovChain (and the other fc-ml forecasters): one update + predict step.
#include <benchmark/benchmark.h>

#include <vector>

#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/ensemble.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/markov_chain.hpp"
#include "foresight/forecast/multi_seasonal.hpp"
#include "foresight/forecast/seasonal_naive.hpp"

namespace foresight {
namespace {

template <typename F>
void UpdatePredict(benchmark::State& state, const F& f, int horizon) {
  const auto y = internal::SyntheticSeries({.n = 2000, .season1 = 24, .noise = 3});
  auto s = *f.Fit(y);
  std::size_t i = 0;
  for (auto _ : state) {
    f.Update(s, y[i]);
    benchmark::DoNotOptimize(f.Predict(s, horizon).mean(horizon));
    i = (i + 1) % y.size();
  }
}

void BM_MarkovChain_UpdatePredict(benchmark::State& state) {
  UpdatePredict(state, MarkovChain({.states = static_cast<int>(state.range(0)), .season = 24, .phases = 24}),
                static_cast<int>(state.range(1)));
}
BENCHMARK(BM_MarkovChain_UpdatePredict)->Args({12, 1})->Args({12, 24})->Args({32, 24});

void BM_MarkovChain_Fit(benchmark::State& state) {
  const MarkovChain mc({.states = 12, .season = 24, .phases = 24});
  const auto y = internal::SyntheticSeries({.n = static_cast<int>(state.range(0)), .noise = 3});
  for (auto _ : state) benchmark::DoNotOptimize(mc.Fit(y)->t);
}
BENCHMARK(BM_MarkovChain_Fit)->Arg(960)->Arg(4096);

void BM_MultiSeasonal_UpdatePredict(benchmark::State& state) {
  UpdatePredict(state, MultiSeasonal({.season1 = 24, .season2 = 168}), 24);
}
BENCHMARK(BM_MultiSeasonal_UpdatePredict);

void BM_ConformalHoltWinters_UpdatePredict(benchmark::State& state) {
  UpdatePredict(state, Conformal<HoltWinters>(HoltWinters(), {.horizon = 24}), 24);
}
BENCHMARK(BM_ConformalHoltWinters_UpdatePredict);

// Predicts 24 steps. First arg: `quantile_stride` (0: quantiles weighted as
// the means, the baseline; 1: every member's quantiles scored at every
// update; 24: at one in 24). Second: the ensemble's `horizon`; at 24 (as the
// registry's ensembles set it for 24 steps) Predict reuses the member
// forecasts a scoring update issued, at 12 it forecasts them again.
void BM_Ensemble_UpdatePredict(benchmark::State& state) {
  EnsembleOptions o;
  o.quantile_stride = static_cast<int>(state.range(0));
  o.horizon = static_cast<int>(state.range(1));
  UpdatePredict(state,
                Ensemble({AnyForecaster(SeasonalNaive(24)), AnyForecaster(HoltWinters()),
                          AnyForecaster(MultiSeasonal({.season1 = 24, .season2 = 168}))},
                         o),
                24);
}
BENCHMARK(BM_Ensemble_UpdatePredict)
    ->Args({0, 12})
    ->Args({1, 12})
    ->Args({24, 12})
    ->Args({0, 24})
    ->Args({1, 24})
    ->Args({24, 24});

// Fit on 26 days of hourly samples (a Taylor block's training hours): the
// members are fitted twice and the replay scores them. Arg: `cycle`. 0 replays
// `validation` (96 hours); 168 replays a week, as the registry's ensembles do.
// Second arg: `quantile_stride` (0: the members' quantiles are not scored).
void BM_Ensemble_Fit(benchmark::State& state) {
  const auto y = internal::SyntheticSeries(
      {.n = 624, .season1 = 24, .amp1 = 30, .season2 = 168, .amp2 = 40, .noise = 2});
  EnsembleOptions o;
  o.horizon = 24;
  o.validation = 96;
  o.cycle = static_cast<int>(state.range(0));
  o.quantile_stride = static_cast<int>(state.range(1));
  const Ensemble ens({AnyForecaster(SeasonalNaive(24)), AnyForecaster(HoltWinters({.season = 24})),
                      AnyForecaster(MultiSeasonal({.season1 = 24, .season2 = 168}))},
                     o);
  for (auto _ : state) benchmark::DoNotOptimize(ens.Fit(y)->t);
}
BENCHMARK(BM_Ensemble_Fit)
    ->Args({0, 0})
    ->Args({168, 0})
    ->Args({168, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace foresight
