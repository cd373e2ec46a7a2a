#include "foresight/forecast/running_peak.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "decorator_checks.hpp"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/testing/conformance.hpp"

namespace foresight {
namespace {

TEST_CASE("RunningPeak's peaks are the largest of the last `width` samples") {
  auto peak = RunningPeak<LastValue>::Create(LastValue{}, {.width = 3});
  REQUIRE(peak.ok());
  const std::vector<double> y = {1, 5, 2, 3, 0, 0, 0, 4};
  CHECK(peak->Peaks(y) == std::vector<double>{1, 5, 5, 5, 3, 3, 0, 4});
  auto one = RunningPeak<LastValue>::Create(LastValue{}, {.width = 1});
  REQUIRE(one.ok());
  CHECK(one->Peaks(y) == y);
}

TEST_CASE("RunningPeak feeds the wrapped model the running peak, fitted and updated alike") {
  auto peak = RunningPeak<LastValue>::Create(LastValue{}, {.width = 3});
  REQUIRE(peak.ok());
  auto state = peak->Fit({});
  REQUIRE(state.ok());
  const std::vector<double> y = {1, 5, 2, 3, 0, 0, 0, 4, 1};
  for (std::size_t i = 0; i < y.size(); ++i) {
    peak->Update(*state, y[i]);
    const std::size_t first = i >= 2 ? i - 2 : 0;
    double expected = y[first];
    for (std::size_t j = first; j <= i; ++j) expected = std::max(expected, y[j]);
    CAPTURE(i);
    CHECK(peak->Predict(*state, 1).mean(1) == expected);
  }
  // Fit on a prefix then Update equals Fit on the whole (Holt-Winters is online).
  auto hw = RunningPeak<HoltWinters>::Create(HoltWinters({.season = 4}), {.width = 3});
  REQUIRE(hw.ok());
  std::vector<double> series(40);
  for (std::size_t t = 0; t < series.size(); ++t) {
    series[t] = 10.0 + static_cast<double>((t * 7) % 5) + (t % 9 == 0 ? 6.0 : 0.0);
  }
  auto whole = hw->Fit(series);
  auto part = hw->Fit(std::span<const double>(series).first(25));
  REQUIRE(whole.ok());
  REQUIRE(part.ok());
  for (std::size_t t = 25; t < series.size(); ++t) hw->Update(*part, series[t]);
  CHECK(hw->Predict(*part, 3).mean(3) == doctest::Approx(hw->Predict(*whole, 3).mean(3)));
}

TEST_CASE("RunningPeak passes the Forecaster conformance checks and forwards FitFor") {
  auto hw = RunningPeak<HoltWinters>::Create(HoltWinters({.season = 24}), {.width = 6});
  REQUIRE(hw.ok());
  const absl::Status s = testing::ForecasterConformance(*hw, 24);
  CHECK_MESSAGE(s.ok(), s.ToString());
  static_assert(MeanForecaster<RunningPeak<HoltWinters>>);
  static_assert(WarmStartForecaster<RunningPeak<HoltWinters>>);
  // Width 1 is the series itself, so the split's CPU keeps its last value.
  testing::CheckForwardsFitFor([](ByResource<LastValue, PeakEnvelope> s) {
    return RunningPeak<ByResource<LastValue, PeakEnvelope>>::Create(std::move(s), {.width = 1});
  });
}

TEST_CASE("RunningPeak ignores a NaN sample and refuses a non-finite history or a bad width") {
  auto peak = RunningPeak<LastValue>::Create(LastValue{}, {.width = 2});
  REQUIRE(peak.ok());
  auto state = peak->Fit(std::vector<double>{3.0, 7.0});
  REQUIRE(state.ok());
  peak->Update(*state, std::numeric_limits<double>::quiet_NaN());
  CHECK(peak->Predict(*state, 1).mean(1) == 7.0);
  peak->Update(*state, 1.0);  // the window is {7, 1}: the NaN was not kept
  CHECK(peak->Predict(*state, 1).mean(1) == 7.0);
  peak->Update(*state, 2.0);  // {1, 2}
  CHECK(peak->Predict(*state, 1).mean(1) == 2.0);

  auto bad = peak->Fit(std::vector<double>{1.0, std::numeric_limits<double>::infinity()});
  REQUIRE_FALSE(bad.ok());
  CHECK(absl::IsInvalidArgument(bad.status()));
  CHECK(std::string(bad.status().message()).find("RunningPeak history: value 1 is not finite") !=
        std::string::npos);
  for (int width : {0, -3}) {
    auto r = RunningPeak<LastValue>::Create(LastValue{}, {.width = width});
    REQUIRE_FALSE(r.ok());
    CHECK(std::string(r.status().message()).find("width must be > 0") != std::string::npos);
  }
}

TEST_CASE("Conformal over RunningPeak calibrates against the samples, not the peaks") {
  // 10 for nine steps, 20 on the tenth: the running peak over 10 samples is
  // 20 throughout, and nine samples in ten fall 10 below it. Conformal scores
  // the forecast peak against the samples, so its median is 10 and its upper
  // quantiles stay at the peak.
  const ConformalOptions c{.horizon = 1, .window = 200, .calibration = 0, .min_residuals = 5};
  auto peak = RunningPeak<LastValue>::Create(LastValue{}, {.width = 10});
  REQUIRE(peak.ok());
  const Conformal<RunningPeak<LastValue>> model(*peak, c, kTailQuantileLevels);
  auto state = model.Fit({});
  REQUIRE(state.ok());
  for (int t = 0; t < 200; ++t) model.Update(*state, t % 10 == 9 ? 20.0 : 10.0);
  const Forecast f = model.Predict(*state, 1);
  CHECK(f.mean(1) == 20.0);
  CHECK(f.Quantile(1, 0.5) == doctest::Approx(10.0));
  CHECK(f.Quantile(1, 0.95) == doctest::Approx(20.0));
}

}  // namespace
}  // namespace foresight
