// Ets against forecast::ets on the reference fixtures: chosen model,
// likelihood, parameters and forecasts; plus the Forecaster contract.
#include "foresight/forecast/ets.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

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

TEST_CASE("Ets's PredictMean is Predict's means, to the bit, in every model class") {
  // Conformal and Ensemble ask every sample for the means alone. Class 3
  // (multiplicative error and season) runs its mean recursion without the
  // variances' Eigen products; classes 1 and 2 are the point forecast.
  // AirPassengers is seasonal and rising; the falling series takes a trend
  // model below zero, where Predict floors its means (nonnegative).
  const auto air = LoadSeries("airpass");
  std::vector<double> falling(60);
  for (std::size_t i = 0; i < falling.size(); ++i) falling[i] = 50.0 - static_cast<double>(i);
  struct Case {
    std::string model;
    int damped;
    const std::vector<double>* y;
    int season;
  };
  int compared = 0;
  for (const Case& c : {Case{"MAM", 0, &air.values, 12}, Case{"MAM", 1, &air.values, 12},
                        Case{"MNM", 0, &air.values, 12}, Case{"AAA", 0, &air.values, 12},
                        Case{"MAN", 0, &air.values, 12}, Case{"ANN", 0, &air.values, 1},
                        Case{"AAN", 0, &falling, 1}}) {
    CAPTURE(c.model);
    CAPTURE(c.damped);
    const Ets ets({.season = c.season, .model = c.model, .damped = c.damped});
    absl::StatusOr<EtsState> state = ets.Fit(*c.y);
    REQUIRE(state.ok());
    CHECK(state->fit.Method().find(c.model.substr(0, 1)) != std::string::npos);
    for (int h : {1, 7, 30}) {
      const Forecast full = ets.Predict(*state, h);
      std::vector<double> means(static_cast<std::size_t>(h), -1.0);
      ets.PredictMean(*state, means);
      for (int step = 1; step <= h; ++step) {
        CHECK(means[static_cast<std::size_t>(step - 1)] == full.mean(step));
        ++compared;
      }
    }
  }
  CHECK(compared == 7 * 38);
  static_assert(MeanForecaster<Ets>);
}

TEST_CASE("EtsCalc's likelihood is n log(SSE) + 2 sum log|f| at any scale") {
  // A multiplicative error's log term is taken as logs of running products:
  // checked against the sum of logs on series whose forecasts span 1e-150 to
  // 1e150, where products of a few of them leave the doubles.
  const internal::EtsModelKind mnn = internal::KindOf('M', 'N', 'N', 1);
  const internal::EtsModelKind ann = internal::KindOf('A', 'N', 'N', 1);
  for (const double scale : {1e-150, 1e-60, 1.0, 1e60, 1e150}) {
    CAPTURE(scale);
    std::vector<double> y(500);
    for (std::size_t i = 0; i < y.size(); ++i) {
      y[i] = scale * (3.0 + std::sin(0.3 * static_cast<double>(i)));
    }
    const double alpha = 0.4;
    double l = y[0], sse = 0.0, logs = 0.0, sse_ann = 0.0;
    for (const double v : y) {
      sse += (v - l) / l * ((v - l) / l);
      sse_ann += (v - l) * (v - l);
      logs += std::log(std::abs(l));
      l += alpha * (v - l);
    }
    const double n = static_cast<double>(y.size());
    double x[1] = {y[0]};
    const internal::EtsCalcResult r = internal::EtsCalc(y, mnn, alpha, 0, 0, 1, x, nullptr);
    CHECK(r.lik == doctest::Approx(n * std::log(sse) + 2 * logs).epsilon(1e-12));
    CHECK(x[0] == doctest::Approx(l).epsilon(1e-12));
    double xa[1] = {y[0]};
    const internal::EtsCalcResult a = internal::EtsCalc(y, ann, alpha, 0, 0, 1, xa, nullptr);
    CHECK(a.lik == doctest::Approx(n * std::log(sse_ann)).epsilon(1e-12));
  }
}

}  // namespace
}  // namespace foresight
