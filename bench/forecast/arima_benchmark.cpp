// Speed of the ARIMA family: auto.arima on a 960-point hourly series (m = 24),
// one fixed-order fit, and one online update + 24-step prediction.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "foresight/forecast/arima.hpp"
#include "foresight/forecast/auto_arima.hpp"

namespace {

// 40 days of hourly "CPU demand": daily shape, slow drift, AR(1) noise.
std::vector<double> HourlySeries(std::size_t n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> y(n);
  double ar = 0.0;
  for (std::size_t t = 0; t < n; ++t) {
    ar = 0.7 * ar + normal(gen);
    const double hour = static_cast<double>(t % 24);
    y[t] = 50.0 + 0.01 * static_cast<double>(t) + 15.0 * std::sin(2 * M_PI * hour / 24.0) +
           5.0 * std::cos(4 * M_PI * hour / 24.0) + 3.0 * ar;
  }
  return y;
}

void BM_AutoArima_Fit(benchmark::State& state) {
  const auto y = HourlySeries(960, 1);
  foresight::AutoArima arima({.season = 24});
  for (auto _ : state) {
    auto fit = arima.Fit(y);
    benchmark::DoNotOptimize(fit);
  }
}
BENCHMARK(BM_AutoArima_Fit)->Unit(benchmark::kMillisecond);

void BM_AutoArima_FitExact(benchmark::State& state) {
  const auto y = HourlySeries(960, 1);
  foresight::AutoArima arima(
      {.season = 24, .approximation = foresight::AutoArimaOptions::Approximation::kOff});
  for (auto _ : state) {
    auto fit = arima.Fit(y);
    benchmark::DoNotOptimize(fit);
  }
}
BENCHMARK(BM_AutoArima_FitExact)->Unit(benchmark::kMillisecond);

void BM_Arima_Fit(benchmark::State& state) {
  const auto y = HourlySeries(960, 2);
  foresight::Arima arima({.order = {.p = 1, .q = 1, .D = 1, .Q = 1, .m = 24}});
  for (auto _ : state) {
    auto fit = arima.Fit(y);
    benchmark::DoNotOptimize(fit);
  }
}
BENCHMARK(BM_Arima_Fit)->Unit(benchmark::kMillisecond);

void BM_Arima_UpdatePredict(benchmark::State& state) {
  const auto y = HourlySeries(1200, 3);
  foresight::AutoArima arima({.season = 24});
  auto st = arima.Fit(std::span<const double>(y).first(960));
  std::size_t t = 960;
  for (auto _ : state) {
    arima.Update(*st, y[t]);
    t = t + 1 < y.size() ? t + 1 : 960;
    foresight::Forecast f = arima.Predict(*st, 24);
    benchmark::DoNotOptimize(f);
  }
  state.SetLabel(st->fit.order.ToString());
}
BENCHMARK(BM_Arima_UpdatePredict);

}  // namespace
