// The foundation forecasters: LastValue, SeasonalNaive, HoltWinters.
#include <cmath>
#include <vector>

#include <doctest/doctest.h>

#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/seasonal_naive.hpp"
#include "foresight/testing/conformance.hpp"

namespace foresight {

TEST_CASE_TEMPLATE("foundation forecasters pass the Forecaster conformance test", F, LastValue,
                   SeasonalNaive, HoltWinters) {
  const absl::Status s = testing::ForecasterConformance(F{});
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE("LastValue repeats the latest sample") {
  LastValue f;
  auto st = f.Fit(std::vector<double>{1, 2, 3});
  REQUIRE(st.ok());
  Forecast p = f.Predict(*st, 4);
  for (int s = 1; s <= 4; ++s) CHECK(p.mean(s) == 3.0);
}

TEST_CASE("SeasonalNaive repeats the last season") {
  SeasonalNaive f(4);
  auto st = f.Fit(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8});
  REQUIRE(st.ok());
  Forecast p = f.Predict(*st, 6);
  CHECK(p.mean(1) == 5);
  CHECK(p.mean(4) == 8);
  CHECK(p.mean(5) == 5);
  CHECK(p.mean(6) == 6);
}

TEST_CASE("HoltWinters learns a clean seasonal pattern") {
  HoltWinters hw({.season = 24, .alpha = 0.3, .beta = 0.01, .gamma = 0.3, .phi = 0.98});
  std::vector<double> y;
  for (int t = 0; t < 24 * 20; ++t) y.push_back(10 + 5 * std::sin(2 * M_PI * (t % 24) / 24.0));
  auto st = hw.Fit(y);
  REQUIRE(st.ok());
  Forecast p = hw.Predict(*st, 24);
  for (int s = 1; s <= 24; ++s) {
    const int t = 24 * 20 + s - 1;
    CHECK(p.mean(s) == doctest::Approx(10 + 5 * std::sin(2 * M_PI * (t % 24) / 24.0)).epsilon(0.02));
  }
}

TEST_CASE("HoltWinters beats LastValue on a noisy seasonal series one season ahead") {
  const std::vector<double> y = testing::SeasonalSeries(24 * 30, 11);
  const std::size_t train = 24 * 25;
  HoltWinters hw;
  LastValue naive;
  auto a = hw.Fit(std::span<const double>(y).first(train));
  auto b = naive.Fit(std::span<const double>(y).first(train));
  double err_hw = 0, err_naive = 0;
  for (std::size_t t = train; t + 12 < y.size(); ++t) {
    err_hw += std::abs(hw.Predict(*a, 12).mean(12) - y[t + 11]);
    err_naive += std::abs(naive.Predict(*b, 12).mean(12) - y[t + 11]);
    hw.Update(*a, y[t]);
    naive.Update(*b, y[t]);
  }
  CHECK(err_hw < 0.5 * err_naive);
}

TEST_CASE("empirical error quantiles cover about as often as they claim") {
  // Gaussian noise around a constant: the 10%..90% band should hold ~80%.
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise(0.0, 1.0);
  LastValue f;
  auto st = f.Fit({});
  REQUIRE(st.ok());
  int inside = 0, total = 0;
  for (int t = 0; t < 6000; ++t) {
    const double y = 50 + noise(rng);
    if (t > 1000) {
      Forecast p = f.Predict(*st, 1);
      inside += (y >= p.Quantile(1, 0.1) && y <= p.Quantile(1, 0.9)) ? 1 : 0;
      ++total;
    }
    f.Update(*st, y);
  }
  const double coverage = static_cast<double>(inside) / total;
  CHECK(coverage == doctest::Approx(0.8).epsilon(0.06));
}

TEST_CASE("Forecast::Quantile interpolates and clamps") {
  Forecast f(1, std::vector<double>{0.1, 0.5, 0.9});
  auto q = f.quantiles(1);
  q[0] = 1;
  q[1] = 2;
  q[2] = 4;
  CHECK(f.Quantile(1, 0.3) == doctest::Approx(1.5));
  CHECK(f.Quantile(1, 0.7) == doctest::Approx(3.0));
  CHECK(f.Quantile(1, 0.01) == 1);
  CHECK(f.Quantile(1, 0.99) == 4);
}

TEST_CASE("Forecasts are equal only in every mean, quantile, level and confidence") {
  const std::vector<double> levels = {0.1, 0.5, 0.9};
  Forecast a(2, levels);
  a.mean(2) = 3.0;
  a.quantile(2, 1) = 3.0;
  a.set_confidence(0.5);
  Forecast b = a;
  CHECK(a == b);
  b.quantile(1, 2) = 1e-12;
  CHECK_FALSE(a == b);
  b = a;
  b.mean(1) = -1.0;
  CHECK_FALSE(a == b);
  b = a;
  b.set_confidence(0.25);
  CHECK_FALSE(a == b);
  CHECK_FALSE(a == Forecast(2, std::vector<double>{0.1, 0.5, 0.95}));
  CHECK_FALSE(a == Forecast(3, levels));
}

TEST_CASE("internal::NormalQuantile matches known values") {
  CHECK(internal::NormalQuantile(0.5) == doctest::Approx(0.0));
  CHECK(internal::NormalQuantile(0.975) == doctest::Approx(1.959964).epsilon(1e-6));
  CHECK(internal::NormalQuantile(0.01) == doctest::Approx(-2.326348).epsilon(1e-6));
}

}  // namespace foresight
