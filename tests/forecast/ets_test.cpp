// Ets against forecast::ets on the reference fixtures: chosen model,
// likelihood, parameters and forecasts; plus the Forecaster contract.
#include "foresight/forecast/ets.hpp"

#include <doctest/doctest.h>

#include <string>

#include "stat_fixtures.hpp"

namespace foresight {
namespace {

using testing::LoadFixture;
using testing::LoadSeries;
using testing::RelErr;

TEST_CASE("Ets matches forecast::ets on the reference fixtures") {
  for (const auto& c : LoadFixture("ets.json")) {
    const std::string name = c.at("series");
    const std::string requested = c.at("requested");
    if (name.rfind("taylor", 0) == 0) continue;  // m = 24: in forecast_stat_slow
    const auto s = LoadSeries(name);
    CAPTURE(name);
    CAPTURE(requested);
    EtsOptions opt{.season = s.m};
    if (requested == "AAdN") {
      opt.model = "AAN";
      opt.damped = 1;
    } else {
      opt.model = requested;
    }
    const auto fit = FitEts(s.values, opt);
    REQUIRE(fit.ok());
    CAPTURE(fit->Method());
    CHECK(fit->Method() == c.at("method").get<std::string>());
    CHECK(RelErr(fit->loglik, c.at("loglik").get<double>()) < 1e-4);
    CHECK(RelErr(fit->aicc, c.at("aicc").get<double>()) < 1e-4);
    const auto& par = c.at("par");
    CHECK(std::abs(fit->alpha - par.at("alpha").get<double>()) < 1e-3);
    if (par.contains("beta")) CHECK(std::abs(fit->beta - par.at("beta").get<double>()) < 1e-3);
    if (par.contains("gamma")) CHECK(std::abs(fit->gamma - par.at("gamma").get<double>()) < 1e-3);
    if (par.contains("phi")) CHECK(std::abs(fit->phi - par.at("phi").get<double>()) < 1e-3);
    CHECK(RelErr(fit->sigma2, c.at("sigma2").get<double>()) < 1e-3);
    const EtsState state = MakeEtsState(*fit, s.values);
    const auto mean = c.at("forecast").at("mean").get<std::vector<double>>();
    const auto up95 = c.at("forecast").at("upper95").get<std::vector<double>>();
    std::vector<double> m(mean.size()), var(mean.size());
    EtsPredictMoments(state, m, var);
    for (std::size_t h = 0; h < mean.size(); ++h) {
      CAPTURE(h);
      CHECK(RelErr(m[h], mean[h]) < 1e-3);
      CHECK(RelErr(1.959963984540054 * std::sqrt(var[h]), up95[h] - mean[h]) < 1e-2);
    }
  }
}

}  // namespace
}  // namespace foresight
