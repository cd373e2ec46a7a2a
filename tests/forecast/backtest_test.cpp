#include "foresight/forecast/backtest.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/last_value.hpp"

namespace foresight {
namespace {

// The last value seen, with quantiles at fixed offsets -1, 0, +1 around it:
// every score below can be worked out by hand.
class FixedSpread {
 public:
  struct State {
    double last = 0.0;
  };
  static constexpr std::array<double, 3> kLevels = {0.1, 0.5, 0.9};
  static std::string_view Name() { return "fixed_spread"; }
  absl::StatusOr<State> Fit(std::span<const double> history) const {
    return State{history.empty() ? 0.0 : history.back()};
  }
  void Update(State& s, double y) const { s.last = y; }
  Forecast Predict(const State& s, int horizon) const {
    Forecast f(horizon, kLevels);
    for (int step = 1; step <= horizon; ++step) {
      f.mean(step) = s.last;
      f.quantile(step, 0) = s.last - 1.0;
      f.quantile(step, 1) = s.last;
      f.quantile(step, 2) = s.last + 1.0;
    }
    return f;
  }
};
static_assert(Forecaster<FixedSpread>);

TEST_CASE("Backtest scores each step ahead by rolling origin, by hand") {
  const std::vector<double> y = {1.0, 2.0, 4.0, 7.0};
  absl::StatusOr<BacktestResult> r = Backtest(FixedSpread{}, y, {.horizon = 2, .start = 1});
  REQUIRE(r.ok());
  // Origins 1, 2, 3 forecast 1, 2, 4 for every step. Step 1 targets 2, 4, 7
  // (errors 1, 2, 3); step 2 targets 4, 7 (errors 3, 5; origin 3's is past the end).
  CHECK(r->horizon == 2);
  CHECK(r->levels == std::vector<double>{0.1, 0.5, 0.9});
  CHECK(r->scored == std::vector<long long>{3, 2});
  CHECK(r->mae[0] == doctest::Approx(2.0));
  CHECK(r->mae[1] == doctest::Approx(4.0));
  CHECK(r->rmse[0] == doctest::Approx(std::sqrt(14.0 / 3.0)));
  CHECK(r->rmse[1] == doctest::Approx(std::sqrt(17.0)));
  // Every target is above its forecast's median; only step 1's first (2,
  // forecast 1) is at its P90 (1 + 1), which covers it: at or below counts.
  CHECK(r->Coverage(1, 0) == 0.0);
  CHECK(r->Coverage(1, 1) == 0.0);
  CHECK(r->Coverage(1, 2) == doctest::Approx(1.0 / 3.0));
  CHECK(r->Coverage(2, 2) == 0.0);
  // Pinball at 0.9 of step 1: 0.9 * (y - (f + 1)) = 0.9 * (0, 1, 2) -> mean 0.9.
  CHECK(r->Pinball(1, 2) == doctest::Approx(0.9));
  // At 0.1: 0.1 * (y - (f - 1)) = 0.1 * (2, 3, 4) -> mean 0.3.
  CHECK(r->Pinball(1, 0) == doctest::Approx(0.3));
  CHECK(r->LevelIndex(0.9) == 2);
  CHECK(r->LevelIndex(0.95) == -1);
}

TEST_CASE("Backtest covers, and prices over-forecasts by 1 - tau") {
  // A falling series: every target is at or below the forecast's median.
  const std::vector<double> y = {10.0, 9.0, 9.0, 7.5};
  absl::StatusOr<BacktestResult> r = Backtest(FixedSpread{}, y, {.horizon = 1});
  REQUIRE(r.ok());
  // start 0: the cold origin (nothing seen) is not scored.
  CHECK(r->scored[0] == 3);
  // Targets 9, 9, 7.5 against medians 10, 9, 9: at or below in all three;
  // at or below the P10s (9, 8, 8): the first and the last.
  CHECK(r->Coverage(1, 1) == doctest::Approx(1.0));
  CHECK(r->Coverage(1, 0) == doctest::Approx(2.0 / 3.0));
  // Pinball at 0.5: 0.5 * (1, 0, 1.5) -> mean 2.5 / 6.
  CHECK(r->Pinball(1, 1) == doctest::Approx(2.5 / 6.0));
  // At 0.1 (P10s 9, 8, 8): 9 at 9 costs 0, 9 above 8 costs 0.1 * 1, and 7.5
  // under 8 costs 0.9 * 0.5 -> (0 + 0.1 + 0.45) / 3.
  CHECK(r->Pinball(1, 0) == doctest::Approx(0.55 / 3.0));
}

TEST_CASE("Backtest of a conformal margin is calibrated on a random walk") {
  // Gaussian steps: the one-step error of the last value is the step itself,
  // so a conformal margin over a window of them must cover its levels.
  std::mt19937_64 rng(11);
  std::normal_distribution<double> step(0.0, 1.0);
  std::vector<double> y(6000);
  double level = 100.0;
  for (double& v : y) v = (level += step(rng));
  const Conformal<LastValue> model(LastValue{}, {.horizon = 3, .window = 400, .calibration = 0});
  absl::StatusOr<BacktestResult> r = Backtest(model, y, {.horizon = 3, .start = 0});
  REQUIRE(r.ok());
  for (double p : {0.1, 0.5, 0.9, 0.95}) {
    const int k = r->LevelIndex(p);
    REQUIRE(k >= 0);
    for (int h = 1; h <= 3; ++h) {
      INFO("level ", p, " step ", h);
      CHECK(std::abs(r->Coverage(h, static_cast<std::size_t>(k)) - p) < 0.03);
    }
  }
  // A random walk's h-step error grows like sqrt(h).
  CHECK(r->rmse[0] == doctest::Approx(1.0).epsilon(0.05).scale(0));
  CHECK(r->rmse[2] == doctest::Approx(std::sqrt(3.0)).epsilon(0.06).scale(0));
  // Pinball is proper: a P90 moved off its level scores worse. The last
  // value + 0.3 is about the P62 of the step, scored at tau 0.9.
  const int k90 = r->LevelIndex(0.9);
  double shifted = 0.0;
  long long n = 0;
  for (std::size_t t = 1; t < y.size(); ++t) {
    shifted += PinballLoss(0.9, y[t], y[t - 1] + 0.3);
    ++n;
  }
  CHECK(r->Pinball(1, static_cast<std::size_t>(k90)) < shifted / static_cast<double>(n));
}

TEST_CASE("Backtest refuses bad input and leaves the caller's model alone") {
  const std::vector<double> y = {1.0, 2.0, std::nan(""), 4.0};
  absl::StatusOr<BacktestResult> nan = Backtest(FixedSpread{}, y);
  REQUIRE_FALSE(nan.ok());
  CHECK(absl::IsInvalidArgument(nan.status()));
  CHECK(std::string(nan.status().message()).find("value 2") != std::string::npos);
  const std::vector<double> ok = {1.0, 2.0, 3.0};
  CHECK(absl::IsInvalidArgument(Backtest(FixedSpread{}, ok, {.horizon = 0}).status()));
  absl::StatusOr<BacktestResult> far = Backtest(FixedSpread{}, ok, {.horizon = 1 << 30});
  REQUIRE_FALSE(far.ok());
  CHECK(std::string(far.status().message()).find("exceeds the series' length (3 samples)") !=
        std::string::npos);
  absl::StatusOr<BacktestResult> past = Backtest(FixedSpread{}, ok, {.horizon = 1, .start = 4});
  REQUIRE_FALSE(past.ok());
  CHECK(std::string(past.status().message()).find("start (4)") != std::string::npos);
  // Nothing to score (start at the end): empty counts, NaN scores, the levels still known.
  absl::StatusOr<BacktestResult> none = Backtest(FixedSpread{}, ok, {.horizon = 2, .start = 3});
  REQUIRE(none.ok());
  CHECK(none->scored == std::vector<long long>{0, 0});
  CHECK(none->levels.size() == 3);
  CHECK(std::isnan(none->mae[0]));
  CHECK(std::isnan(none->Coverage(2, 1)));
  CHECK(std::isnan(none->Pinball(2, 1)));
  // A model fitted by the caller is copied, not advanced.
  const HoltWinters hw({.season = 4});
  const std::vector<double> history = {1, 3, 2, 5, 2, 4, 3, 6, 3, 5, 4, 7};
  absl::StatusOr<HoltWinters::State> state = hw.Fit(history);
  REQUIRE(state.ok());
  const Forecast before = hw.Predict(*state, 2);
  REQUIRE(Backtest(hw, std::vector<double>(40, 5.0), {.horizon = 2, .start = 8}).ok());
  CHECK(hw.Predict(*state, 2) == before);
}

}  // namespace
}  // namespace foresight
