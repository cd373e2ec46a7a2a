// Naive2 against the M4 competition's R benchmark code (run on R's decompose).
#include "foresight/forecast/naive2.hpp"

#include <doctest/doctest.h>

#include <string>

#include "stat_fixtures.hpp"

namespace foresight {
namespace {

TEST_CASE("Naive2 matches the M4 benchmark code") {
  for (const auto& c : testing::LoadFixture("naive2.json")) {
    const std::string name = c.at("series");
    CAPTURE(name);
    const auto s = testing::LoadSeries(name);
    Naive2 naive2({.season = s.m});
    const auto st = naive2.Fit(s.values);
    REQUIRE(st.ok());
    CHECK(st->figure.empty() == !c.at("seasonal").get<bool>());
    const auto mean = c.at("mean").get<std::vector<double>>();
    const Forecast f = naive2.Predict(*st, static_cast<int>(mean.size()));
    for (int h = 1; h <= f.horizon(); ++h) {
      CAPTURE(h);
      CHECK(testing::RelErr(f.mean(h), mean[static_cast<std::size_t>(h - 1)]) < 1e-10);
    }
  }
}

TEST_CASE("Naive2: non-seasonal data is plain naive; updates move the level") {
  Naive2 naive2({.season = 12});
  const double y[] = {1, 2, 3, 4, 5};
  auto st = naive2.Fit(y);
  REQUIRE(st.ok());
  CHECK(st->figure.empty());
  CHECK(naive2.Predict(*st, 3).mean(3) == doctest::Approx(5.0));
  naive2.Update(*st, 9.0);
  const Forecast f = naive2.Predict(*st, 2);
  CHECK(f.mean(1) == doctest::Approx(9.0));
  CHECK(f.Quantile(2, 0.95) > f.Quantile(1, 0.95));
  auto cold = naive2.Fit({});
  REQUIRE(cold.ok());
  CHECK(naive2.Predict(*cold, 1).confidence() == 0.0);
}

}  // namespace
}  // namespace foresight
