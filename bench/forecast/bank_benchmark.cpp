// ForecastBank: one controller tick over many series (UpdateAll + PredictAll).
// items/s counts series, so ns/series = 1e9 / items_per_second.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "foresight/forecast/bank.hpp"
#include "foresight/forecast/internal/synthetic.hpp"

namespace foresight {
namespace {

template <typename BankT>
void TickBench(benchmark::State& state, BankT bank, bool quantiles) {
  const std::size_t n = bank.size();
  constexpr int kHorizon = 12;
  constexpr int kTicks = 64;
  // Pre-generated ticks (series-contiguous), replayed cyclically.
  std::vector<double> ticks(kTicks * n);
  internal::SeededNormal rng(1);
  for (int t = 0; t < kTicks; ++t) {
    for (std::size_t i = 0; i < n; ++i) {
      ticks[t * n + i] = 100 + 20 * std::sin(6.283185307 * t / 24 + static_cast<double>(i % 7)) + rng();
    }
  }
  for (int t = 0; t < kTicks; ++t) (void)bank.UpdateAll(std::span<const double>(ticks).subspan(t * n, n));
  std::vector<double> means(kHorizon * n);
  std::vector<double> q(quantiles ? kHorizon * bank.levels().size() * n : 0);
  int t = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(bank.UpdateAll(std::span<const double>(ticks).subspan(t * n, n)));
    benchmark::DoNotOptimize(bank.PredictAll(kHorizon, means, q));
    benchmark::ClobberMemory();
    t = (t + 1) % kTicks;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long long>(n));
  state.counters["ns_per_series"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(n), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_HoltWintersBank_UpdatePredictMeans(benchmark::State& state) {
  TickBench(state, HoltWintersBank(static_cast<std::size_t>(state.range(0)), {.season = 24}), false);
}
BENCHMARK(BM_HoltWintersBank_UpdatePredictMeans)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_HoltWintersBank_UpdatePredictQuantiles(benchmark::State& state) {
  TickBench(state, HoltWintersBank(static_cast<std::size_t>(state.range(0)), {.season = 24}), true);
}
BENCHMARK(BM_HoltWintersBank_UpdatePredictQuantiles)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_SeasonalNaiveBank_UpdatePredictMeans(benchmark::State& state) {
  TickBench(state, SeasonalNaiveBank(static_cast<std::size_t>(state.range(0)), {.season = 24}), false);
}
BENCHMARK(BM_SeasonalNaiveBank_UpdatePredictMeans)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace foresight
