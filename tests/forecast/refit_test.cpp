#include "foresight/forecast/refit.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <span>
#include <vector>

#include "decorator_checks.hpp"
#include "foresight/forecast/by_resource.hpp"
#include "foresight/forecast/envelope.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/registry.hpp"
#include "foresight/forecast/ses.hpp"
#include "foresight/testing/conformance.hpp"

namespace foresight {
namespace {

// A last-value forecaster whose Fit refuses a history with a negative value.
struct PickyLastValue {
  using State = LastValue::State;
  absl::StatusOr<State> Fit(std::span<const double> history) const {
    for (double y : history) {
      if (y < 0) return absl::InvalidArgumentError("negative");
    }
    return LastValue{}.Fit(history);
  }
  void Update(State& s, double y) const { LastValue{}.Update(s, y); }
  Forecast Predict(const State& s, int horizon) const { return LastValue{}.Predict(s, horizon); }
  static std::string_view Name() { return "picky"; }
};

std::vector<double> Wavy(std::size_t n) {
  std::vector<double> y(n);
  for (std::size_t t = 0; t < n; ++t) {
    y[t] = 10.0 + 3.0 * std::sin(0.3 * static_cast<double>(t)) + 0.05 * static_cast<double>(t);
  }
  return y;
}

// Level 10 with a repeating +-2 jitter: SES's fitted weight is small, so
// the forecast is near 10, where the cold naive weight forecasts the last value.
std::vector<double> Jittery(std::size_t n) {
  std::vector<double> y(n);
  for (std::size_t t = 0; t < n; ++t) y[t] = 10.0 + static_cast<double>((t * 7) % 5) - 2.0;
  return y;
}

TEST_CASE("Refitting passes the Forecaster conformance checks") {
  auto hw =
      Refitting<HoltWinters>::Create(HoltWinters({.season = 24}), {.every = 24, .window = 96});
  REQUIRE(hw.ok());
  const absl::Status s = testing::ForecasterConformance(*hw, 24, /*online_equivalent=*/false);
  CHECK_MESSAGE(s.ok(), s.ToString());
  auto ses = Refitting<Ses>::Create(Ses(), {.every = 5, .window = 40});
  REQUIRE(ses.ok());
  const absl::Status t = testing::ForecasterConformance(*ses, 24, false);
  CHECK_MESSAGE(t.ok(), t.ToString());
  static_assert(MeanForecaster<Refitting<HoltWinters>>);
  static_assert(WarmStartForecaster<Refitting<HoltWinters>>);
}

TEST_CASE("Refitting fits the wrapped model again on its last window every `every` samples") {
  // SES estimates its smoothing weight only in Fit: updated from a cold start
  // it keeps the cold weight, refitted it learns one from the window.
  auto refit = Refitting<Ses>::Create(Ses(), {.every = 10, .window = 30});
  REQUIRE(refit.ok());
  const std::vector<double> y = Jittery(53);
  auto state = refit->Fit({});
  REQUIRE(state.ok());
  for (std::size_t t = 0; t < 50; ++t) refit->Update(*state, y[t]);
  CHECK(state->refits == 5);
  CHECK(state->failed_refits == 0);
  // The last refit (after 50 samples) was on samples 20..49.
  const Ses ses;
  auto expected = ses.Fit(std::span<const double>(y).subspan(20, 30));
  REQUIRE(expected.ok());
  CHECK(refit->Predict(*state, 3).means()[0] == ses.Predict(*expected, 3).means()[0]);
  CHECK(refit->Predict(*state, 3).means()[2] == ses.Predict(*expected, 3).means()[2]);
  // Between refits the wrapped state is updated online.
  for (std::size_t t = 50; t < 53; ++t) {
    refit->Update(*state, y[t]);
    ses.Update(*expected, y[t]);
  }
  CHECK(state->refits == 5);
  CHECK(refit->Predict(*state, 1).mean(1) == ses.Predict(*expected, 1).mean(1));
  // Without the refits the forecast is another one.
  auto cold = ses.Fit({});
  REQUIRE(cold.ok());
  for (double v : y) ses.Update(*cold, v);
  CHECK(std::abs(ses.Predict(*cold, 1).mean(1) - refit->Predict(*state, 1).mean(1)) > 0.5);
  CHECK(refit->Predict(*state, 1).mean(1) == doctest::Approx(10.0).epsilon(0.05));
}

TEST_CASE("Refitting::Fit fits on the history's last window and checks all of it") {
  auto refit = Refitting<Ses>::Create(Ses(), {.every = 100, .window = 25});
  REQUIRE(refit.ok());
  const std::vector<double> y = Wavy(60);
  auto state = refit->Fit(y);
  REQUIRE(state.ok());
  auto expected = Ses().Fit(std::span<const double>(y).last(25));
  REQUIRE(expected.ok());
  CHECK(refit->Predict(*state, 2).mean(2) == Ses().Predict(*expected, 2).mean(2));
  std::vector<double> bad = y;
  bad[3] = std::nan("");  // outside the window the wrapped Fit sees
  auto refused = refit->Fit(bad);
  REQUIRE_FALSE(refused.ok());
  CHECK(absl::IsInvalidArgument(refused.status()));
  CHECK(std::string(refused.status().message()).find("Refitting history: value 3") !=
        std::string::npos);
}

TEST_CASE("a refit the wrapped model refuses keeps the online state and is counted") {
  auto refit = Refitting<PickyLastValue>::Create(PickyLastValue{}, {.every = 3, .window = 3});
  REQUIRE(refit.ok());
  auto state = refit->Fit({});
  REQUIRE(state.ok());
  for (double y : {1.0, -2.0, 3.0}) refit->Update(*state, y);  // window {1, -2, 3}: refused
  CHECK(state->failed_refits == 1);
  CHECK(state->refits == 0);
  CHECK(refit->Predict(*state, 1).mean(1) == 3.0);            // the updates stand
  for (double y : {4.0, 5.0, 6.0}) refit->Update(*state, y);  // window {4, 5, 6}: fitted
  CHECK(state->refits == 1);
  CHECK(state->failed_refits == 1);
  CHECK(refit->Predict(*state, 1).mean(1) == 6.0);
}

TEST_CASE("a NaN sample is neither kept for refits nor counted") {
  auto refit = Refitting<Ses>::Create(Ses(), {.every = 4, .window = 4});
  REQUIRE(refit.ok());
  auto state = refit->Fit({});
  REQUIRE(state.ok());
  for (double y : {10.0, 11.0, std::nan(""), 9.0}) refit->Update(*state, y);
  CHECK(state->refits == 0);  // three samples so far
  refit->Update(*state, 10.0);
  CHECK(state->refits == 1);  // on {10, 11, 9, 10}: a NaN in it would fail
  CHECK(state->failed_refits == 0);
  auto expected = Ses().Fit(std::vector<double>{10.0, 11.0, 9.0, 10.0});
  REQUIRE(expected.ok());
  CHECK(refit->Predict(*state, 1).mean(1) == Ses().Predict(*expected, 1).mean(1));
}

TEST_CASE("Refitting refuses a non-positive pace or window") {
  for (RefitOptions o :
       {RefitOptions{.every = 0, .window = 5}, RefitOptions{.every = 5, .window = 0},
        RefitOptions{.every = -1, .window = 5}}) {
    auto r = Refitting<Ses>::Create(Ses(), o);
    REQUIRE_FALSE(r.ok());
    CHECK(absl::IsInvalidArgument(r.status()));
  }
  CHECK(std::string(Refitting<Ses>::Create(Ses(), {.every = 0}).status().message())
            .find("every must be > 0") != std::string::npos);
  CHECK(std::string(Refitting<Ses>::Create(Ses(), {.window = -2}).status().message())
            .find("window must be > 0") != std::string::npos);
}

TEST_CASE("Refitting keeps a per-resource forecaster per resource, also when it refits") {
  using Split = ByResource<LastValue, PeakEnvelope>;
  testing::CheckForwardsFitFor(
      [](Split s) { return Refitting<Split>::Create(std::move(s), {.every = 2, .window = 10}); });
  auto split = Split::Create(LastValue{}, PeakEnvelope({.recent = 3, .season = 0}));
  REQUIRE(split.ok());
  auto refit = Refitting<Split>::Create(*split, {.every = 2, .window = 10});
  REQUIRE(refit.ok());
  auto memory = refit->FitFor(Resource::kMemory, {});
  REQUIRE(memory.ok());
  for (double y : {5.0, 9.0, 4.0, 3.0}) refit->Update(*memory, y);  // refitted twice
  CHECK(memory->refits == 2);
  CHECK(refit->Predict(*memory, 1).mean(1) == doctest::Approx(9.0));  // still the recent peak
}

TEST_CASE("Refitting re-learns a registry method that estimates only in Fit") {
  // ETS chosen and fitted on an empty history forecasts its cold guess; once
  // refitted on a window it forecasts near the series.
  absl::StatusOr<AnyForecaster> ets = ForecasterRegistry::Default().Make("ets", {.season = 1});
  REQUIRE(ets.ok());
  auto refit = Refitting<AnyForecaster>::Create(*ets, {.every = 20, .window = 40});
  REQUIRE(refit.ok());
  auto state = refit->Fit({});
  REQUIRE(state.ok());
  auto online = ets->Fit({});
  REQUIRE(online.ok());
  std::vector<double> y(60);
  for (std::size_t t = 0; t < y.size(); ++t) y[t] = 100.0 + static_cast<double>(t % 3);
  for (double v : y) {
    refit->Update(*state, v);
    ets->Update(*online, v);
  }
  CHECK(state->refits == 3);
  CHECK(refit->Predict(*state, 1).mean(1) == doctest::Approx(101.0).epsilon(0.02));
  CHECK(std::abs(refit->Predict(*state, 1).mean(1) - 101.0) <
        std::abs(ets->Predict(*online, 1).mean(1) - 101.0));
}

// The sample (1-based) at which each of `n` states, fitted in turn on an
// empty history and then updated together, first refits.
std::vector<int> FirstRefits(const Refitting<LastValue>& refit, int n, int samples) {
  std::vector<Refitting<LastValue>::State> states;
  for (int i = 0; i < n; ++i) states.push_back(*refit.Fit({}));
  std::vector<int> first(static_cast<std::size_t>(n), 0);
  for (int t = 1; t <= samples; ++t) {
    for (std::size_t i = 0; i < states.size(); ++i) {
      const std::int64_t before = states[i].refits;
      refit.Update(states[i], 1.0 + t);
      if (states[i].refits != before && first[i] == 0) first[i] = t;
    }
  }
  return first;
}

TEST_CASE("Refitting with stagger spreads the first refits of a fleet over `every` samples") {
  constexpr int kEvery = 100, kFleet = 1000;
  auto together = Refitting<LastValue>::Create(LastValue{}, {.every = kEvery, .window = 5});
  auto staggered =
      Refitting<LastValue>::Create(LastValue{}, {.every = kEvery, .window = 5, .stagger = true});
  REQUIRE(together.ok());
  REQUIRE(staggered.ok());
  // Without stagger the whole fleet refits on sample `every`.
  for (int t : FirstRefits(*together, kFleet, kEvery)) CHECK(t == kEvery);
  // With it, every sample of the first `every` has 9 to 11 of the 1,000.
  const std::vector<int> first = FirstRefits(*staggered, kFleet, kEvery);
  std::vector<int> per_sample(kEvery + 1, 0);
  for (int t : first) {
    REQUIRE(t >= 1);
    REQUIRE(t <= kEvery);
    ++per_sample[static_cast<std::size_t>(t)];
  }
  for (int t = 1; t <= kEvery; ++t) {
    CAPTURE(t);
    CHECK(per_sample[static_cast<std::size_t>(t)] >= 9);
    CHECK(per_sample[static_cast<std::size_t>(t)] <= 11);
  }
  // A copy shares the count (a controller holds a copy), and the phases are
  // the same in a decorator created alike: a replay is repeatable.
  auto again =
      Refitting<LastValue>::Create(LastValue{}, {.every = kEvery, .window = 5, .stagger = true});
  REQUIRE(again.ok());
  CHECK(FirstRefits(*again, kFleet, kEvery) == first);
  const Refitting<LastValue> copy = *again;
  CHECK(FirstRefits(copy, 1, kEvery).front() != first.front());  // the 1,001st state's phase
}

TEST_CASE("Refitting with stagger keeps the pace of `every` after the first refit") {
  auto refit =
      Refitting<LastValue>::Create(LastValue{}, {.every = 7, .window = 5, .stagger = true});
  REQUIRE(refit.ok());
  std::vector<Refitting<LastValue>::State> states;
  for (int i = 0; i < 20; ++i) states.push_back(*refit->Fit({}));
  for (auto& s : states) {
    for (int t = 0; t < 7 * 10; ++t) refit->Update(s, 3.0);
    CHECK(s.refits == 10);  // the first within 7 samples, then one per 7
  }
  // The conformance checks hold with stagger on.
  auto hw = Refitting<HoltWinters>::Create(HoltWinters({.season = 24}),
                                           {.every = 24, .window = 96, .stagger = true});
  REQUIRE(hw.ok());
  const absl::Status s = testing::ForecasterConformance(*hw, 24, /*online_equivalent=*/false);
  CHECK_MESSAGE(s.ok(), s.ToString());
}

}  // namespace
}  // namespace foresight
