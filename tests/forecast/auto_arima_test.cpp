// AutoArima against forecast::auto.arima(stepwise = TRUE, approximation = FALSE)
// on the reference fixtures, and order recovery on simulated seasonal ARIMA.
#include "foresight/forecast/auto_arima.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "stat_fixtures.hpp"

namespace foresight {
namespace {

using testing::LoadFixture;
using testing::LoadSeries;
using testing::RelErr;

TEST_CASE("AutoArima chooses forecast::auto.arima's model on the fixtures") {
  for (const auto& c : LoadFixture("auto_arima.json")) {
    const std::string name = c.at("series");
    if (name.rfind("taylor", 0) == 0) continue;  // exact search at m = 24: forecast_stat_slow
    const auto s = LoadSeries(name);
    CAPTURE(name);
    AutoArimaReport report;
    const auto fit = AutoArimaFit(
        s.values, {.season = s.m, .approximation = AutoArimaOptions::Approximation::kOff}, &report);
    REQUIRE(fit.ok());
    const auto ord = c.at("order").get<std::vector<int>>();
    const auto sea = c.at("seasonal").get<std::vector<int>>();
    const ArimaOrder want{ord[0], ord[1], ord[2], sea[0], sea[1], sea[2], s.m};
    ArimaOrder got = fit->order;
    if (got.P + got.D + got.Q == 0) got.m = want.P + want.D + want.Q == 0 ? want.m : got.m;
    CAPTURE(got.ToString());
    CAPTURE(want.ToString());
    CHECK(got.ToString() == want.ToString());
    CHECK(fit->Coefficients().size() == c.at("coef").size());
    CHECK(RelErr(fit->loglik, c.at("loglik").get<double>()) < 1e-4);
    CHECK(RelErr(fit->aicc, c.at("aicc").get<double>()) < 1e-4);
    for (const auto& [cname, value] : fit->Coefficients()) {
      CAPTURE(cname);
      if (!c.at("coef").contains(cname)) continue;
      const double want_v = c.at("coef").at(cname).get<double>();
      CHECK(std::abs(value - want_v) < 1e-3 * std::max(1.0, std::abs(want_v)));
    }
  }
}

TEST_CASE("AutoArima's CSS approximation chooses auto.arima's default model") {
  // forecast::auto.arima() defaults: approximation = (n > 150 || m > 12).
  for (const auto& c : LoadFixture("auto_arima_approx.json")) {
    const std::string name = c.at("series");
    const auto s = LoadSeries(name);
    CAPTURE(name);
    const auto fit = AutoArimaFit(s.values, {.season = s.m});
    REQUIRE(fit.ok());
    const auto ord = c.at("order").get<std::vector<int>>();
    const auto sea = c.at("seasonal").get<std::vector<int>>();
    const ArimaOrder want{ord[0], ord[1], ord[2], sea[0], sea[1], sea[2], s.m};
    CHECK(fit->order.ToString() == want.ToString());
    CHECK(fit->Coefficients().size() == c.at("coef").size());
    CHECK(RelErr(fit->loglik, c.at("loglik").get<double>()) < 1e-4);
    for (const auto& [cname, value] : fit->Coefficients()) {
      CAPTURE(cname);
      REQUIRE(c.at("coef").contains(cname));
      const double want_v = c.at("coef").at(cname).get<double>();
      CHECK(std::abs(value - want_v) < 1e-3 * std::max(1.0, std::abs(want_v)));
    }
  }
}

TEST_CASE("AutoArima is a Forecaster with a usable cold state") {
  AutoArima arima({.season = 12});
  auto cold = arima.Fit({});
  REQUIRE(cold.ok());
  Forecast f = arima.Predict(*cold, 5);
  CHECK(f.horizon() == 5);
  CHECK(f.confidence() == 0.0);
  arima.Update(*cold, 3.0);
  arima.Update(*cold, 4.0);
  f = arima.Predict(*cold, 3);
  CHECK(f.mean(1) == doctest::Approx(4.0));
  const double bad[] = {1.0, std::nan("")};
  CHECK(arima.Fit(bad).status().code() == absl::StatusCode::kInvalidArgument);
  const double constant[] = {2, 2, 2, 2, 2, 2};
  auto st = arima.Fit(constant);
  REQUIRE(st.ok());
  CHECK(arima.Predict(*st, 2).mean(2) == doctest::Approx(2.0));
}

}  // namespace
}  // namespace foresight
