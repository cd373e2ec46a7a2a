#include "foresight/forecast/period.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "foresight/forecast/internal/synthetic.hpp"

namespace foresight {
namespace {

TEST_CASE("DetectPeriod finds the daily period of hourly data") {
  const auto y = internal::SyntheticSeries({.n = 24 * 40, .season1 = 24, .amp1 = 10, .noise = 4});
  CHECK(DetectPeriod(y, {.max_period = 200}) == 24);
  const auto y12 = internal::SyntheticSeries({.n = 600, .trend = 0.5, .season1 = 12, .amp1 = 10});
  CHECK(DetectPeriod(y12, {.max_period = 100}) == 12);
}

TEST_CASE("DetectPeriods finds daily and weekly periods of 5-minute data") {
  const auto y = internal::SyntheticSeries(
      {.n = 2016 * 4, .season1 = 288, .amp1 = 20, .season2 = 2016, .amp2 = 15, .noise = 4});
  auto p = DetectPeriods(y, {.max_period = 2100});
  REQUIRE(p.ok());
  REQUIRE(p->size() >= 2);
  std::vector<int> periods;
  for (const auto& d : *p) periods.push_back(d.period);
  CHECK(std::find(periods.begin(), periods.end(), 288) != periods.end());
  CHECK(std::find(periods.begin(), periods.end(), 2016) != periods.end());
  // Harmonics of the day (576, 864, ...) are not reported.
  CHECK(std::find(periods.begin(), periods.end(), 576) == periods.end());
}

TEST_CASE("A purely daily series has no weekly period") {
  const auto y = internal::SyntheticSeries({.n = 2016 * 3, .season1 = 288, .amp1 = 20, .noise = 4});
  auto p = DetectPeriods(y, {.max_period = 2100});
  REQUIRE(p.ok());
  REQUIRE(!p->empty());
  CHECK(p->front().period == 288);
  for (const auto& d : *p) CHECK(d.period != 2016);
}

TEST_CASE("White noise has no period; bad input is rejected") {
  const auto y = internal::SyntheticSeries({.n = 1000, .season1 = 0, .noise = 5});
  CHECK(DetectPeriod(y, {.max_period = 200}) == 1);
  CHECK_FALSE(DetectPeriods(std::vector<double>{1, NAN, 3}).ok());
  CHECK(DetectPeriod(std::vector<double>{}) == 1);
}

TEST_CASE("Autocorrelation of a pure sine matches cos(2 pi k / m)") {
  std::vector<double> y;
  for (int t = 0; t < 4800; ++t) y.push_back(std::sin(2 * 3.141592653589793 * t / 48));
  const auto acf = Autocorrelation(y, 48);
  CHECK(acf[0] == doctest::Approx(1.0));
  CHECK(acf[12] == doctest::Approx(0.0).epsilon(0.01));
  CHECK(acf[24] == doctest::Approx(-1.0).epsilon(0.01).scale(0));
  CHECK(acf[48] == doctest::Approx(0.99).epsilon(0.01).scale(0));
}

}  // namespace
}  // namespace foresight
