// Agreement of Arima (fixed orders) with R's forecast::Arima on the fixtures,
// plus the Forecaster contract and online updates.
#include "foresight/forecast/arima.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "stat_fixtures.hpp"

namespace foresight {
namespace {

using testing::LoadFixture;
using testing::LoadSeries;
using testing::RelErr;

TEST_CASE("FitArima matches forecast::Arima on the reference fixtures") {
  const nlohmann::json cases = LoadFixture("arima_fixed.json");
  for (const auto& c : cases) {
    const std::string name = c.at("series");
    const auto series = LoadSeries(name);
    const auto ord = c.at("order").get<std::vector<int>>();
    const auto sea = c.at("seasonal").get<std::vector<int>>();
    ArimaOrder order{ord[0], ord[1], ord[2], sea[0], sea[1], sea[2], c.at("m").get<int>()};
    CAPTURE(name);
    CAPTURE(order.ToString());
    const auto fit = FitArima(series.values, order,
                              {.include_mean = c.at("include_mean").get<bool>(),
                               .include_drift = c.at("include_drift").get<bool>()});
    REQUIRE(fit.ok());
    CHECK(RelErr(fit->loglik, c.at("loglik").get<double>()) < 1e-4);
    CHECK(RelErr(fit->aicc, c.at("aicc").get<double>()) < 1e-4);
    CHECK(RelErr(fit->sigma2, c.at("sigma2").get<double>()) < 2e-3);
    const auto coefs = fit->Coefficients();
    REQUIRE(coefs.size() == c.at("coef").size());
    for (const auto& [cname, value] : coefs) {
      CAPTURE(cname);
      const double want = c.at("coef").at(cname).get<double>();
      CHECK(std::abs(value - want) < 1e-3 * std::max(1.0, std::abs(want)));
    }
    ArimaState state = MakeArimaState(*fit, series.values);
    const auto& fc = c.at("forecast");
    const auto mean = fc.at("mean").get<std::vector<double>>();
    const auto up95 = fc.at("upper95").get<std::vector<double>>();
    std::vector<double> m(mean.size()), sd(mean.size());
    ArimaPredictMoments(state, m, sd);
    for (std::size_t h = 0; h < mean.size(); ++h) {
      CAPTURE(h);
      const double scale = std::max(std::abs(mean[h]), up95[h] - mean[h]);
      CHECK(std::abs(m[h] - mean[h]) < 1e-3 * scale);
      CHECK(RelErr(1.959963984540054 * sd[h], up95[h] - mean[h]) < 5e-3);
    }
  }
}

}  // namespace
}  // namespace foresight
