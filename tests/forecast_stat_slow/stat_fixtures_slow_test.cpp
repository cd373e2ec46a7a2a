// The m = 24 reference fixtures (taylor's hourly electricity demand), kept
// out of the unit suite because ETS selection over 24 seasonal states and an
// exact-likelihood auto.arima search take seconds (minutes under ASan).
#include <doctest/doctest.h>

#include <string>

#include "../forecast/stat_fixtures.hpp"
#include "foresight/forecast/auto_arima.hpp"
#include "foresight/forecast/ets.hpp"

namespace foresight {
namespace {

using testing::LoadFixture;
using testing::LoadSeries;
using testing::RelErr;

TEST_CASE("Ets matches forecast::ets on hourly data (m = 24)") {
  for (const auto& c : LoadFixture("ets.json")) {
    const std::string name = c.at("series");
    if (name.rfind("taylor", 0) != 0) continue;
    const auto s = LoadSeries(name);
    const auto fit = FitEts(s.values, {.season = s.m, .model = c.at("requested").get<std::string>()});
    REQUIRE(fit.ok());
    CHECK(fit->Method() == c.at("method").get<std::string>());
    CHECK(RelErr(fit->loglik, c.at("loglik").get<double>()) < 1e-4);
    CHECK(RelErr(fit->aicc, c.at("aicc").get<double>()) < 1e-4);
    const EtsState state = MakeEtsState(*fit, s.values);
    const auto mean = c.at("forecast").at("mean").get<std::vector<double>>();
    std::vector<double> m(mean.size()), var(mean.size());
    EtsPredictMoments(state, m, var);
    for (std::size_t h = 0; h < mean.size(); ++h) CHECK(RelErr(m[h], mean[h]) < 1e-3);
  }
}

TEST_CASE("AutoArima (exact search) matches auto.arima on hourly data (m = 24)") {
  for (const auto& c : LoadFixture("auto_arima.json")) {
    const std::string name = c.at("series");
    if (name.rfind("taylor", 0) != 0) continue;
    const auto s = LoadSeries(name);
    const auto fit = AutoArimaFit(
        s.values, {.season = s.m, .approximation = AutoArimaOptions::Approximation::kOff});
    REQUIRE(fit.ok());
    const auto ord = c.at("order").get<std::vector<int>>();
    const auto sea = c.at("seasonal").get<std::vector<int>>();
    const ArimaOrder want{ord[0], ord[1], ord[2], sea[0], sea[1], sea[2], s.m};
    CHECK(fit->order.ToString() == want.ToString());
    CHECK(RelErr(fit->loglik, c.at("loglik").get<double>()) < 1e-4);
    for (const auto& [cname, value] : fit->Coefficients()) {
      CAPTURE(cname);
      const double want_v = c.at("coef").at(cname).get<double>();
      CHECK(std::abs(value - want_v) < 1e-3 * std::max(1.0, std::abs(want_v)));
    }
  }
}

}  // namespace
}  // namespace foresight
