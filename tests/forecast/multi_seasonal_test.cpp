#include "foresight/forecast/multi_seasonal.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/period.hpp"

namespace foresight {
namespace {

double Mae(const Forecast& f, std::span<const double> truth) {
  double s = 0;
  for (int h = 1; h <= f.horizon(); ++h) s += std::abs(f.mean(h) - truth[static_cast<std::size_t>(h - 1)]);
  return s / f.horizon();
}

TEST_CASE("MultiSeasonal beats single-season Holt-Winters on daily+weekly 5-minute data") {
  const auto y = internal::SyntheticSeries({.n = 2016 * 4 + 576, .season1 = 288, .amp1 = 20,
                                            .season2 = 2016, .amp2 = 15, .noise = 3, .ar = 0.5});
  const std::size_t n = 2016 * 4;
  const std::span<const double> train = std::span(y).first(n), test = std::span(y).subspan(n, 576);
  MultiSeasonal ms({.season1 = 288, .season2 = 2016});
  HoltWinters hw({.season = 288});
  auto sm = ms.Fit(train);
  auto sh = hw.Fit(train);
  REQUIRE(sm.ok());
  REQUIRE(sh.ok());
  const double e_ms = Mae(ms.Predict(*sm, 576), test);
  const double e_hw = Mae(hw.Predict(*sh, 576), test);
  INFO("multi " << e_ms << " hw " << e_hw);
  CHECK(e_ms < 0.7 * e_hw);
  CHECK(e_ms < 8.0);
}

TEST_CASE("MultiSeasonal with detected periods, and its contract") {
  const auto y = internal::SyntheticSeries(
      {.n = 2016 * 3, .season1 = 288, .amp1 = 20, .season2 = 2016, .amp2 = 15, .noise = 3});
  auto periods = DetectPeriods(y, {.max_period = 2100});
  REQUIRE(periods.ok());
  REQUIRE(periods->size() >= 2);
  const int m1 = std::min((*periods)[0].period, (*periods)[1].period);
  const int m2 = std::max((*periods)[0].period, (*periods)[1].period);
  MultiSeasonal ms({.season1 = m1, .season2 = m2, .tune = false});
  auto s = ms.Fit(y);
  REQUIRE(s.ok());
  const Forecast f = ms.Predict(*s, 12);
  for (int h = 1; h <= 12; ++h) {
    CHECK(std::isfinite(f.mean(h)));
    CHECK(f.Quantile(h, 0.05) <= f.Quantile(h, 0.95));
  }
  CHECK_FALSE(ms.Fit(std::vector<double>{1, NAN}).ok());
  auto cold = ms.Fit({});
  REQUIRE(cold.ok());
  CHECK(ms.Predict(*cold, 3).horizon() == 3);
}

}  // namespace
}  // namespace foresight
