#include "foresight/forecast/ensemble.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/seasonal_naive.hpp"

namespace foresight {
namespace {

// Forecasts like SeasonalNaive until it has seen `break_at` samples, then
// forecasts garbage (`garbage`, possibly NaN).
class Saboteur {
 public:
  struct State {
    SeasonalNaive::State inner;
    long long t = 0;
  };
  Saboteur(long long break_at, double garbage) : break_at_(break_at), garbage_(garbage) {}
  static std::string_view Name() { return "saboteur"; }
  absl::StatusOr<State> Fit(std::span<const double> h) const {
    auto s = inner_.Fit(h);
    if (!s.ok()) return s.status();
    return State{*s, static_cast<long long>(h.size())};
  }
  void Update(State& s, double y) const {
    inner_.Update(s.inner, y);
    ++s.t;
  }
  Forecast Predict(const State& s, int h) const {
    Forecast f = inner_.Predict(s.inner, h);
    if (s.t >= break_at_) {
      for (int i = 1; i <= h; ++i) {
        f.mean(i) = garbage_;
        for (double& q : f.quantiles(i)) q = garbage_;
      }
    }
    return f;
  }

 private:
  SeasonalNaive inner_{24};
  long long break_at_;
  double garbage_;
};
static_assert(Forecaster<Saboteur>);

TEST_CASE("Ensemble weights favour the member with the lower out-of-sample error") {
  const auto y = internal::SyntheticSeries({.n = 1500, .season1 = 24, .amp1 = 30, .noise = 2});
  Ensemble ens({AnyForecaster(LastValue()), AnyForecaster(SeasonalNaive(24)),
                AnyForecaster(HoltWinters({.season = 24}))});
  auto state = ens.Fit(y);
  REQUIRE(state.ok());
  const auto w = ens.Weights(*state);
  CHECK(w[0] + w[1] + w[2] == doctest::Approx(1.0));
  CHECK(w[0] < 0.05);  // naive ignores a strong season
  CHECK(w[2] > w[0]);
  const Forecast f = ens.Predict(*state, 24);
  // The combination is at least close to the best member on held-out data.
  const auto test = internal::SyntheticSeries({.n = 1524, .season1 = 24, .amp1 = 30, .noise = 2});
  double err = 0, err_naive = 0;
  for (int h = 1; h <= 24; ++h) {
    err += std::abs(f.mean(h) - test[1500 + static_cast<std::size_t>(h) - 1]);
    err_naive += std::abs(y.back() - test[1500 + static_cast<std::size_t>(h) - 1]);
  }
  CHECK(err < 0.5 * err_naive);
  for (int h = 1; h <= 24; ++h) CHECK(f.Quantile(h, 0.1) <= f.Quantile(h, 0.9));
}

TEST_CASE("Ensemble drops a degrading member and falls back to the last known-good") {
  const auto y = internal::SyntheticSeries({.n = 800, .season1 = 24, .amp1 = 30, .noise = 2});
  SUBCASE("garbage values") {
    Ensemble ens({AnyForecaster(Saboteur(600, 1e4)), AnyForecaster(LastValue())},
                 {.horizon = 6, .validation = 96});
    auto state = ens.Fit(std::span(y).first(500));
    REQUIRE(state.ok());
    CHECK(ens.Weights(*state)[0] > 0.9);  // seasonal member dominates at first
    for (std::size_t i = 500; i < 620; ++i) ens.Update(*state, y[i]);
    CHECK_FALSE(ens.Healthy(*state, 0));
    CHECK(ens.Weights(*state)[0] == 0.0);
    CHECK(std::abs(ens.Predict(*state, 1).mean(1) - y[619]) < 1e-9);  // naive only
  }
  SUBCASE("NaN forecasts, no healthy member left -> last known-good") {
    Ensemble ens({AnyForecaster(SeasonalNaive(24)), AnyForecaster(Saboteur(600, NAN))},
                 {.horizon = 6, .validation = 96});
    auto state = ens.Fit(std::span(y).first(500));
    REQUIRE(state.ok());
    for (std::size_t i = 500; i < 620; ++i) ens.Update(*state, y[i]);
    CHECK(ens.Healthy(*state, 0));
    CHECK_FALSE(ens.Healthy(*state, 1));
    const Forecast f = ens.Predict(*state, 6);
    for (int h = 1; h <= 6; ++h) CHECK(std::isfinite(f.mean(h)));
  }
  SUBCASE("all members degrade: the best recent one is used alone") {
    Ensemble ens({AnyForecaster(Saboteur(600, 1e4)), AnyForecaster(Saboteur(600, NAN))},
                 {.horizon = 6, .validation = 96});
    auto state = ens.Fit(std::span(y).first(500));
    REQUIRE(state.ok());
    for (std::size_t i = 500; i < 640; ++i) ens.Update(*state, y[i]);
    const auto w = ens.Weights(*state);
    CHECK(w[static_cast<std::size_t>(ens.LastKnownGood(*state))] == 1.0);
    CHECK(std::isfinite(ens.Predict(*state, 3).mean(3)));
  }
}

TEST_CASE("Ensemble rejects bad input and empty member lists") {
  Ensemble empty({});
  CHECK_FALSE(empty.Fit(std::vector<double>{1, 2, 3}).ok());
  Ensemble ens({AnyForecaster(LastValue())});
  CHECK_FALSE(ens.Fit(std::vector<double>{1, NAN}).ok());
  auto cold = ens.Fit({});
  REQUIRE(cold.ok());
  CHECK(ens.Predict(*cold, 2).horizon() == 2);
}

}  // namespace
}  // namespace foresight
