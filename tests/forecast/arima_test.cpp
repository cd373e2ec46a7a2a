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

TEST_CASE("Arima is a Forecaster: cold start, fallback, validation, quantiles") {
  Arima sarima({.order = {.p = 0, .d = 1, .q = 1, .P = 0, .D = 1, .Q = 1, .m = 12}});
  auto cold = sarima.Fit({});
  REQUIRE(cold.ok());
  CHECK(cold->cold);
  Forecast f = sarima.Predict(*cold, 4);
  CHECK(f.horizon() == 4);
  CHECK(f.confidence() == 0.0);
  const double short_history[] = {10, 11, 12, 13, 12};
  auto fb = sarima.Fit(short_history);
  REQUIRE(fb.ok());
  CHECK(fb->fallback);  // too short for the seasonal order: ARIMA(0,1,0)
  CHECK(sarima.Predict(*fb, 1).mean(1) == doctest::Approx(12.0));
  const double bad[] = {1.0, std::nan("")};
  CHECK(sarima.Fit(bad).status().code() == absl::StatusCode::kInvalidArgument);

  const auto air = LoadSeries("log_airpass").values;
  auto st = sarima.Fit(air);
  REQUIRE(st.ok());
  CHECK_FALSE(st->fallback);
  f = sarima.Predict(*st, 24);
  for (int h = 1; h <= 24; ++h) {
    const auto q = f.quantiles(h);
    for (std::size_t k = 1; k < q.size(); ++k) CHECK(q[k] >= q[k - 1]);
    CHECK(std::isfinite(f.mean(h)));
  }
  CHECK(f.Quantile(24, 0.95) - f.Quantile(24, 0.05) > f.Quantile(1, 0.95) - f.Quantile(1, 0.05));
  CHECK(f.confidence() > 0.5);
  // Update is a Kalman step: a jump in the data moves the next forecast.
  const double before = sarima.Predict(*st, 1).mean(1);
  sarima.Update(*st, air.back() + 1.0);
  CHECK(sarima.Predict(*st, 1).mean(1) > before);
}

}  // namespace
}  // namespace foresight
