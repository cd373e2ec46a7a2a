// Theta against forecast::thetaf (seasonal adjustment, drift, forecasts, intervals).
#include "foresight/forecast/theta.hpp"

#include <doctest/doctest.h>

#include <string>

#include "stat_fixtures.hpp"

namespace foresight {
namespace {

TEST_CASE("Theta matches forecast::thetaf") {
  for (const auto& c : testing::LoadFixture("theta.json")) {
    const std::string name = c.at("series");
    CAPTURE(name);
    const auto s = testing::LoadSeries(name);
    Theta theta({.season = s.m, .nonnegative = false});
    const auto st = theta.Fit(s.values);
    REQUIRE(st.ok());
    CHECK(std::abs(st->alpha - c.at("alpha").get<double>()) < 1e-3);
    CHECK(testing::RelErr(st->drift, c.at("drift").get<double>()) < 1e-9);
    const auto mean = c.at("forecast").at("mean").get<std::vector<double>>();
    const auto up95 = c.at("forecast").at("upper95").get<std::vector<double>>();
    std::vector<double> m(mean.size()), sd(mean.size());
    Theta::Moments(*st, m, sd);
    for (std::size_t h = 0; h < mean.size(); ++h) {
      CAPTURE(h);
      CHECK(testing::RelErr(m[h], mean[h]) < 1e-4);
      CHECK(testing::RelErr(1.959963984540054 * sd[h], up95[h] - mean[h]) < 1e-3);
    }
    const Forecast f = theta.Predict(*st, 3);
    CHECK(f.mean(1) == doctest::Approx(m[0]));
  }
}

TEST_CASE("Theta: cold start and update") {
  Theta theta({.season = 4});
  auto st = theta.Fit({});
  REQUIRE(st.ok());
  CHECK(theta.Predict(*st, 2).confidence() == 0.0);
  theta.Update(*st, 5.0);
  CHECK(theta.Predict(*st, 1).mean(1) == doctest::Approx(5.0));
}

}  // namespace
}  // namespace foresight
