#include "foresight/forecast/bank.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/seasonal_naive.hpp"

namespace foresight {
namespace {

TEST_CASE("HoltWintersBank matches the scalar HoltWinters series by series") {
  constexpr std::size_t kSeries = 5;
  constexpr int kSteps = 300;
  const HoltWintersOptions opts{.season = 24, .alpha = 0.3, .beta = 0.05, .gamma = 0.2, .phi = 0.95};
  std::vector<std::vector<double>> ys;
  for (std::size_t i = 0; i < kSeries; ++i) {
    ys.push_back(internal::SyntheticSeries({.n = kSteps, .level = 50.0 + 10 * i, .seed = 100 + i}));
  }
  HoltWintersBank bank(kSeries, opts);
  HoltWinters scalar(opts);
  std::vector<HoltWinters::State> states;
  for (std::size_t i = 0; i < kSeries; ++i) states.push_back(*scalar.Fit({}));
  std::vector<double> tick(kSeries);
  for (int t = 0; t < kSteps; ++t) {
    for (std::size_t i = 0; i < kSeries; ++i) {
      // Series 3 misses every 7th sample.
      tick[i] = (i == 3 && t % 7 == 0) ? NAN : ys[i][static_cast<std::size_t>(t)];
      if (!std::isnan(tick[i])) scalar.Update(states[i], tick[i]);
    }
    REQUIRE(bank.UpdateAll(tick).ok());
  }
  constexpr int kH = 30;
  std::vector<double> means(kH * kSeries), q(kH * bank.levels().size() * kSeries);
  REQUIRE(bank.PredictAll(kH, means, q).ok());
  for (std::size_t i = 0; i < kSeries; ++i) {
    if (i == 3) continue;  // missing samples shift its phase relative to the scalar model
    const Forecast f = scalar.Predict(states[i], kH);
    for (int h = 1; h <= kH; ++h) {
      CHECK(means[static_cast<std::size_t>(h - 1) * kSeries + i] == doctest::Approx(f.mean(h)).epsilon(1e-12));
    }
  }
  // Quantiles are ordered and bracket the mean.
  const std::size_t Q = bank.levels().size();
  for (int h = 1; h <= kH; ++h) {
    for (std::size_t i = 0; i < kSeries; ++i) {
      for (std::size_t k = 1; k < Q; ++k) {
        CHECK(q[((h - 1) * Q + k) * kSeries + i] >= q[((h - 1) * Q + k - 1) * kSeries + i]);
      }
    }
  }
  const Forecast one = bank.PredictOne(2, kH);
  CHECK(one.mean(5) == doctest::Approx(means[4 * kSeries + 2]));
  CHECK(one.Quantile(kH, 0.95) - one.Quantile(kH, 0.05) > one.Quantile(1, 0.95) - one.Quantile(1, 0.05));
}

TEST_CASE("SeasonalNaiveBank repeats the last season") {
  SeasonalNaiveBank bank(2, {.season = 3});
  for (double v : {1.0, 2.0, 3.0, 4.0}) REQUIRE(bank.UpdateAll(std::vector<double>{v, 10 * v}).ok());
  std::vector<double> means(4 * 2);
  REQUIRE(bank.PredictAll(4, means).ok());
  // Last season: 2, 3, 4 -> next: 2, 3, 4, 2.
  CHECK(means[0] == 2.0);
  CHECK(means[2] == 3.0);
  CHECK(means[4] == 4.0);
  CHECK(means[6] == 2.0);
  CHECK(means[1] == 20.0);
}

TEST_CASE("ForecastBank rejects wrong sizes and infinite values without changing state") {
  HoltWintersBank bank(3);
  CHECK_FALSE(bank.UpdateAll(std::vector<double>{1, 2}).ok());
  CHECK_FALSE(bank.UpdateAll(std::vector<double>{1, INFINITY, 2}).ok());
  CHECK(bank.ticks() == 0);
  std::vector<double> means(5);
  CHECK_FALSE(bank.PredictAll(2, means).ok());
}

}  // namespace
}  // namespace foresight
