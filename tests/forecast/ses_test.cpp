// Ses against forecast::ses (alpha, initial level, forecasts and intervals).
#include "foresight/forecast/ses.hpp"

#include <doctest/doctest.h>

#include <string>

#include "stat_fixtures.hpp"

namespace foresight {
namespace {

TEST_CASE("Ses matches forecast::ses") {
  for (const auto& c : testing::LoadFixture("ses.json")) {
    const std::string name = c.at("series");
    CAPTURE(name);
    const auto s = testing::LoadSeries(name);
    Ses ses({.nonnegative = false});
    const auto state = ses.Fit(s.values);
    REQUIRE(state.ok());
    CHECK(!state->fallback);
    CHECK(std::abs(state->fit.alpha - c.at("alpha").get<double>()) < 1e-3);
    CHECK(testing::RelErr(state->fit.initial_state[0], c.at("l0").get<double>()) < 1e-3);
    CHECK(testing::RelErr(state->fit.mse, c.at("mse").get<double>()) < 1e-6);
    CHECK(testing::RelErr(state->fit.sigma2, c.at("sigma2").get<double>()) < 1e-4);
    const auto mean = c.at("forecast").at("mean").get<std::vector<double>>();
    const auto up95 = c.at("forecast").at("upper95").get<std::vector<double>>();
    const Forecast f = ses.Predict(*state, static_cast<int>(mean.size()));
    for (int h = 1; h <= f.horizon(); ++h) {
      CAPTURE(h);
      CHECK(testing::RelErr(f.mean(h), mean[static_cast<std::size_t>(h - 1)]) < 1e-4);
      // 95% upper = 0.975 quantile: interpolated between the 0.95 and 0.98 levels
      // of kDefaultQuantileLevels, so compare through the Gaussian sd instead.
    }
    std::vector<double> m(mean.size()), var(mean.size());
    EtsPredictMoments(*state, m, var);
    for (std::size_t h = 0; h < mean.size(); ++h) {
      CHECK(testing::RelErr(1.959963984540054 * std::sqrt(var[h]), up95[h] - mean[h]) < 1e-3);
    }
  }
}

TEST_CASE("Ses: cold start, short history and online update") {
  Ses ses;
  auto cold = ses.Fit({});
  REQUIRE(cold.ok());
  CHECK(ses.Predict(*cold, 3).confidence() == 0.0);
  const double two[] = {5.0, 7.0};
  auto st = ses.Fit(two);
  REQUIRE(st.ok());
  CHECK(st->fallback);
  CHECK(ses.Predict(*st, 1).mean(1) == doctest::Approx(7.0).epsilon(1e-3));
  const double flat[] = {3, 3, 3, 3, 3, 3, 3, 3};
  st = ses.Fit(flat);
  REQUIRE(st.ok());
  ses.Update(*st, 10.0);
  CHECK(ses.Predict(*st, 1).mean(1) > 3.0);
  const double bad[] = {1.0, std::numeric_limits<double>::infinity()};
  CHECK(ses.Fit(bad).status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace foresight
