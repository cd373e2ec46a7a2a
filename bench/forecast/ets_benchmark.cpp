// Speed of the exponential-smoothing family (ETS, SES, Theta, Naive2): ETS
// model selection on a 960-point hourly series, and one online update +
// 24-step prediction per method.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <span>
#include <vector>

#include "foresight/forecast/ets.hpp"
#include "foresight/forecast/naive2.hpp"
#include "foresight/forecast/ses.hpp"
#include "foresight/forecast/stlf.hpp"
#include "foresight/forecast/theta.hpp"

namespace {

std::vector<double> HourlySeries(std::size_t n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> y(n);
  double ar = 0.0;
  for (std::size_t t = 0; t < n; ++t) {
    ar = 0.7 * ar + normal(gen);
    const double hour = static_cast<double>(t % 24);
    y[t] =
        50.0 + 0.01 * static_cast<double>(t) + 15.0 * std::sin(2 * M_PI * hour / 24.0) + 3.0 * ar;
  }
  return y;
}

void BM_Ets_Fit(benchmark::State& state) {
  const auto y = HourlySeries(960, 1);
  foresight::Ets ets({.season = 24});
  for (auto _ : state) {
    auto fit = ets.Fit(y);
    benchmark::DoNotOptimize(fit);
  }
}
BENCHMARK(BM_Ets_Fit)->Unit(benchmark::kMillisecond);

// What `proactive(stlf)` and `proactive(ets)` do once a day per series: a
// fit on a week of 5-minute samples with a daily season of 288 (ETS chooses
// among the six non-seasonal models, "ZZN"; Stlf runs STL first).
std::vector<double> FiveMinuteWeek(unsigned seed) {
  std::vector<double> y = HourlySeries(7 * 288, seed);
  for (std::size_t t = 0; t < y.size(); ++t) {
    y[t] += 20.0 * std::sin(2 * M_PI * static_cast<double>(t % 288) / 288.0);
  }
  return y;
}

template <typename F>
void FitWeek(benchmark::State& state, const F& method) {
  const auto y = FiveMinuteWeek(5);
  for (auto _ : state) {
    auto fit = method.Fit(y);
    benchmark::DoNotOptimize(fit);
  }
}

void BM_Ets_FitZZN_Week(benchmark::State& state) {
  FitWeek(state, foresight::Ets({.season = 288}));
}
BENCHMARK(BM_Ets_FitZZN_Week)->Unit(benchmark::kMillisecond);

void BM_Stlf_Fit_Week(benchmark::State& state) { FitWeek(state, foresight::Stlf({.season = 288})); }
BENCHMARK(BM_Stlf_Fit_Week)->Unit(benchmark::kMillisecond);

template <typename F>
void UpdatePredict(benchmark::State& state, const F& method) {
  const auto y = HourlySeries(1200, 3);
  auto st = method.Fit(std::span<const double>(y).first(960));
  std::size_t t = 960;
  for (auto _ : state) {
    method.Update(*st, y[t]);
    t = t + 1 < y.size() ? t + 1 : 960;
    foresight::Forecast f = method.Predict(*st, 24);
    benchmark::DoNotOptimize(f);
  }
}

void BM_Ets_UpdatePredict(benchmark::State& state) {
  const foresight::Ets ets({.season = 24});
  UpdatePredict(state, ets);
}
BENCHMARK(BM_Ets_UpdatePredict);

// Predict against PredictMean (the means alone, what Conformal and Ensemble
// ask every sample) for a class-3 model (MAM: multiplicative error and
// season, whose variances take Eigen products of (trend x season)^2 matrices)
// and a class-1 model (AAA), 24 steps ahead. The Predict runs are each one's
// baseline in the same process.
void PredictOrMean(benchmark::State& state, const char* model, bool means_only) {
  const auto y = HourlySeries(960, 5);
  const foresight::Ets ets({.season = 24, .model = model});
  const auto st = ets.Fit(y);
  if (!st.ok()) {
    state.SkipWithError("fit failed");
    return;
  }
  std::vector<double> means(24);
  for (auto _ : state) {
    if (means_only) {
      ets.PredictMean(*st, means);
      benchmark::DoNotOptimize(means.data());
    } else {
      foresight::Forecast f = ets.Predict(*st, 24);
      benchmark::DoNotOptimize(f);
    }
  }
}
BENCHMARK_CAPTURE(PredictOrMean, MAM_Predict, "MAM", false);
BENCHMARK_CAPTURE(PredictOrMean, MAM_PredictMean, "MAM", true);
BENCHMARK_CAPTURE(PredictOrMean, AAA_Predict, "AAA", false);
BENCHMARK_CAPTURE(PredictOrMean, AAA_PredictMean, "AAA", true);

void BM_Ses_UpdatePredict(benchmark::State& state) { UpdatePredict(state, foresight::Ses()); }
BENCHMARK(BM_Ses_UpdatePredict);

void BM_Theta_UpdatePredict(benchmark::State& state) {
  UpdatePredict(state, foresight::Theta({.season = 24}));
}
BENCHMARK(BM_Theta_UpdatePredict);

void BM_Naive2_UpdatePredict(benchmark::State& state) {
  UpdatePredict(state, foresight::Naive2({.season = 24}));
}
BENCHMARK(BM_Naive2_UpdatePredict);

}  // namespace
