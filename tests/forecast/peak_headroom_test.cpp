#include "foresight/forecast/peak_headroom.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "foresight/forecast/by_resource.hpp"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/envelope.hpp"
#include "foresight/forecast/fleet_peaks.hpp"
#include "foresight/forecast/last_value.hpp"
#include "decorator_checks.hpp"

namespace foresight {
namespace {

// Periods of 10 samples at 100, with a spike of `spike` at sample 5 of every
// period listed in `spiky`.
std::vector<double> Days(int periods, double spike, std::vector<int> spiky) {
  std::vector<double> y(static_cast<std::size_t>(periods) * 10, 100.0);
  for (int d : spiky) y[static_cast<std::size_t>(d) * 10 + 5] += spike;
  return y;
}

PeakHeadroom<LastValue> Plain(PeakHeadroomOptions o) {
  absl::StatusOr<PeakHeadroom<LastValue>> h = PeakHeadroom<LastValue>::Create(LastValue{}, o);
  REQUIRE(h.ok());
  return *std::move(h);
}

const PeakHeadroomOptions kSmall{.period = 10, .periods = 5, .level = 0.98, .lag = 1,
                                     .warmup_periods = 1, .min_periods = 0, .prior = 0.0};

TEST_CASE("PeakHeadroom learns a series' spike size from its period peaks") {
  const PeakHeadroom<LastValue> h = Plain(kSmall);
  auto spiky = h.Fit(Days(4, 40.0, {2}));  // one +40 % spike, on the third period
  auto quiet = h.Fit(Days(4, 40.0, {}));
  REQUIRE(spiky.ok());
  REQUIRE(quiet.ok());
  // The excess is scored against the level (the mean of about a period, which
  // the spike itself nudged up), so it is a little under 0.40.
  CHECK(h.Margin(*spiky) == doctest::Approx(0.40).epsilon(0.03).scale(0));
  CHECK(h.Margin(*quiet) == doctest::Approx(0.0));
  const Forecast f = h.Predict(*spiky, 2);
  const Forecast g = h.Predict(*quiet, 2);
  const Forecast raw = h.inner().Predict(spiky->inner, 2);
  for (int step = 1; step <= 2; ++step) {
    CHECK(f.mean(step) == doctest::Approx(100.0));
    CHECK(f.Quantile(step, 0.5) == doctest::Approx(100.0 + h.Margin(*spiky) * h.Level(*spiky)));
    CHECK(f.Quantile(step, 0.99) >= 138.0);
    CHECK(g.Quantile(step, 0.99) == doctest::Approx(100.0));
    CHECK(f.Quantile(step, 0.05) == raw.Quantile(step, 0.05));  // lower levels untouched
    for (std::size_t k = 1; k < f.num_levels(); ++k)
      CHECK(f.quantile(step, k) >= f.quantile(step, k - 1));
  }
}

TEST_CASE("PeakHeadroom forgets a spike once it leaves the window of periods") {
  const PeakHeadroom<LastValue> h = Plain(kSmall);  // 5 periods kept
  auto s = h.Fit(Days(3, 40.0, {1}));  // period 0 is the warm-up; periods 1 and 2 are kept
  REQUIRE(s.ok());
  CHECK(h.Margin(*s) > 0.35);
  for (int i = 0; i < 30; ++i) h.Update(*s, 100.0);  // 3 more quiet periods: 5 kept
  CHECK(h.Margin(*s) > 0.35);
  for (int i = 0; i < 10; ++i) h.Update(*s, 100.0);  // a sixth pushes period 1 out
  CHECK(h.Margin(*s) == doctest::Approx(0.0));
}

TEST_CASE("PeakHeadroom's current period counts before it ends") {
  const PeakHeadroom<LastValue> h = Plain(kSmall);
  auto s = h.Fit(Days(3, 0.0, {}));
  REQUIRE(s.ok());
  CHECK(h.Margin(*s) == doctest::Approx(0.0));
  h.Update(*s, 160.0);  // a spike now, mid-period
  CHECK(h.Margin(*s) == doctest::Approx(0.6).epsilon(0.02).scale(0));
}

TEST_CASE("PeakHeadroom does not score its warm-up, and holds the prior until min_periods") {
  PeakHeadroomOptions o = kSmall;
  o.min_periods = 2;
  o.prior = 0.3;
  const PeakHeadroom<LastValue> h = Plain(o);
  auto s = h.Fit(Days(1, 80.0, {0}));  // a spike in the warm-up period: not scored
  REQUIRE(s.ok());
  CHECK(h.Margin(*s) == doctest::Approx(0.3));
  for (int i = 0; i < 10; ++i) h.Update(*s, 100.0);  // one scored period
  CHECK(h.Margin(*s) == doctest::Approx(0.3));
  for (int i = 0; i < 10; ++i) h.Update(*s, 100.0);  // two: the learned (quiet) margin
  CHECK(h.Margin(*s) == doctest::Approx(0.0));
}

TEST_CASE("PeakHeadroom bounds the margin by min_fraction and max_fraction") {
  PeakHeadroomOptions o = kSmall;
  o.min_fraction = 0.2;
  o.max_fraction = 0.5;
  const PeakHeadroom<LastValue> h = Plain(o);
  auto quiet = h.Fit(Days(4, 0.0, {}));
  auto huge = h.Fit(Days(4, 300.0, {2}));
  REQUIRE(quiet.ok());
  REQUIRE(huge.ok());
  CHECK(h.Margin(*quiet) == doctest::Approx(0.2));
  CHECK(h.Margin(*huge) == doctest::Approx(0.5));
  CHECK(h.Predict(*quiet, 1).Quantile(1, 0.9) == doctest::Approx(120.0));
}

TEST_CASE("PeakHeadroom scores the mean issued lag steps before each sample") {
  // A ramp of +1 a step: a one-step last value misses by 1, a three-step one by 3.
  PeakHeadroomOptions o = kSmall;
  o.warmup_periods = 0;
  std::vector<double> ramp;
  for (int i = 0; i < 30; ++i) ramp.push_back(100.0 + i);
  const PeakHeadroom<LastValue> one = Plain(o);
  o.lag = 3;
  const PeakHeadroom<LastValue> three = Plain(o);
  auto a = one.Fit(ramp);
  auto b = three.Fit(ramp);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(three.Margin(*b) == doctest::Approx(3.0 * one.Margin(*a)).epsilon(0.05).scale(0));
}

// kSmall restarting on a jump of more than one level that holds 3 samples.
PeakHeadroomOptions Regime() {
  PeakHeadroomOptions o = kSmall;
  o.regime_fraction = 1.0;
  o.regime_steps = 3;
  o.min_periods = 2;
  o.prior = 0.3;
  return o;
}

TEST_CASE("PeakHeadroom restarts on a jump that holds: a start from idle is not a spike") {
  // Idle at 1 for 4 periods, then running at 100: the start is an excess of
  // about a hundred levels. Without a regime restart the margin sits at
  // max_fraction (3 levels) for the whole window of periods.
  std::vector<double> y(40, 1.0);
  y.resize(80, 100.0);
  const PeakHeadroom<LastValue> plain = Plain([] {
    PeakHeadroomOptions o = Regime();
    o.regime_fraction = std::numeric_limits<double>::infinity();
    return o;
  }());
  const PeakHeadroom<LastValue> h = Plain(Regime());
  auto stuck = plain.Fit(y);
  auto s = h.Fit(y);
  REQUIRE(stuck.ok());
  REQUIRE(s.ok());
  CHECK(plain.Margin(*stuck) == doctest::Approx(3.0));
  CHECK(stuck->regimes == 0);
  CHECK(s->regimes == 1);
  // The new regime's level is its own, and its quiet periods teach a quiet
  // margin once min_periods (2) of them are scored; the prior holds until then.
  CHECK(h.Level(*s) == doctest::Approx(100.0));
  CHECK(h.Margin(*s) == doctest::Approx(0.0));
  CHECK(h.Predict(*s, 1).Quantile(1, 0.99) ==
        doctest::Approx(h.inner().Predict(s->inner, 1).Quantile(1, 0.99)));  // no room added
  CHECK(plain.Predict(*stuck, 1).Quantile(1, 0.99) > 390.0);  // 3 levels of room
  auto early = h.Fit(std::span<const double>(y).first(50));  // a period after the start
  REQUIRE(early.ok());
  CHECK(early->regimes == 1);
  CHECK(h.Margin(*early) == doctest::Approx(0.3));
}

TEST_CASE("PeakHeadroom keeps a large spike that falls back as a spike") {
  // +150 % for 2 samples, under regime_steps (3): scored, no restart.
  std::vector<double> y = Days(4, 150.0, {2});
  y[26] += 150.0;
  const PeakHeadroom<LastValue> h = Plain(Regime());
  auto s = h.Fit(y);
  REQUIRE(s.ok());
  CHECK(s->regimes == 0);
  CHECK(h.Margin(*s) > 1.4);
  // The same jump held for the next 5 samples restarts.
  for (int i = 27; i < 31; ++i) y[static_cast<std::size_t>(i)] += 150.0;
  auto t = h.Fit(y);
  REQUIRE(t.ok());
  CHECK(t->regimes == 1);
  CHECK(h.Margin(*t) == doctest::Approx(0.3));  // the prior, as for a new series
}

TEST_CASE("PeakHeadroom files no period that ends on a pending jump in its fleet") {
  // Idle at 1 until sample 28, then 100: the jump is pending when period 2
  // closes at sample 30 and holds (restart at sample 31). Periods 1, 3 and 4
  // are filed; period 2, whose peak is the start (~99 levels), is not.
  std::vector<double> y(28, 1.0);
  y.resize(50, 100.0);
  absl::StatusOr<std::shared_ptr<FleetPeaks>> f = FleetPeaks::Create({.min_samples = 1});
  REQUIRE(f.ok());
  PeakHeadroomOptions o = Regime();
  o.fleet = *f;
  const PeakHeadroom<LastValue> h = Plain(o);
  auto s = h.Fit(y);
  REQUIRE(s.ok());
  CHECK(s->regimes == 1);
  std::size_t filed = 0;
  for (std::size_t b = 0; b < (*f)->num_buckets(); ++b) {
    filed += (*f)->size(b);
    if ((*f)->size(b) > 0) CHECK((*f)->Margin(b) < 0.1);  // no start among them
  }
  CHECK(filed == 3);
}

TEST_CASE("PeakHeadroom's phase floor holds each phase's peak so far, for the first periods") {
  // Period 0 rises to 180 at phases 3..4 (a working day); periods 1-2 are
  // quiet (a weekend). In period 3 the rise is due again: yesterday cannot
  // show it, the phase floor can.
  PeakHeadroomOptions o = kSmall;
  o.phase_floor_periods = 4;
  const PeakHeadroom<LastValue> h = Plain(o);
  const PeakHeadroom<LastValue> off = Plain(kSmall);
  std::vector<double> y(30, 100.0);
  y[3] = y[4] = 180.0;
  y.push_back(100.0);
  y.push_back(100.0);  // now at phase 2 of period 3
  auto s = h.Fit(y);
  auto t = off.Fit(y);
  REQUIRE(s.ok());
  REQUIRE(t.ok());
  const Forecast f = h.Predict(*s, 3), g = off.Predict(*t, 3);
  CHECK(f.Quantile(1, 0.5) < 101.0);  // phase 2: nothing rose there (LastValue's median)
  CHECK(f.Quantile(2, 0.5) == doctest::Approx(180.0));  // phases 3, 4
  CHECK(f.Quantile(3, 0.5) == doctest::Approx(180.0));
  CHECK(g.Quantile(2, 0.5) < 101.0);
  CHECK(f.mean(2) == doctest::Approx(100.0));            // the mean is the wrapped one
  CHECK(f.Quantile(2, 0.05) == g.Quantile(2, 0.05));    // lower levels untouched
  // Room over the floor, 5 % of it. Samples are still scored against the
  // floor itself, so the margin learned is the same.
  PeakHeadroomOptions room = o;
  room.phase_floor_fraction = 0.05;
  const PeakHeadroom<LastValue> roomy = Plain(room);
  auto r = roomy.Fit(y);
  REQUIRE(r.ok());
  CHECK(roomy.Predict(*r, 3).Quantile(2, 0.5) == doctest::Approx(189.0));
  CHECK(roomy.Predict(*r, 3).Quantile(1, 0.5) == doctest::Approx(105.0));  // 100 + 5 %
  std::vector<double> z = y;
  z.push_back(185.0);  // phase 3 of period 3: past the floor, within its room
  auto a = h.Fit(z);
  auto b = roomy.Fit(z);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(h.Margin(*a) > 0.0);
  CHECK(roomy.Margin(*b) == doctest::Approx(h.Margin(*a)));
  // A width of one phase reaches phase 2 too.
  o.phase_floor_width = 1;
  const PeakHeadroom<LastValue> wide = Plain(o);
  auto w = wide.Fit(y);
  REQUIRE(w.ok());
  CHECK(wide.Predict(*w, 1).Quantile(1, 0.5) == doctest::Approx(180.0));
  // From period 4 on there is no floor.
  for (int i = 0; i < 8; ++i) y.push_back(100.0);  // now at phase 0 of period 4
  auto later = h.Fit(y);
  REQUIRE(later.ok());
  CHECK(h.Predict(*later, 4).Quantile(4, 0.5) < 101.0);  // phase 3
  // Impossible floors are rejected.
  PeakHeadroomOptions bad = kSmall;
  bad.phase_floor_periods = -1;
  CHECK(PeakHeadroom<LastValue>::Create(LastValue{}, bad).status().code() ==
        absl::StatusCode::kInvalidArgument);
  bad = kSmall;
  bad.phase_floor_width = 10;  // = period
  CHECK(PeakHeadroom<LastValue>::Create(LastValue{}, bad).status().code() ==
        absl::StatusCode::kInvalidArgument);
  for (double fraction : {-0.1, std::nan(""), std::numeric_limits<double>::infinity()}) {
    bad = kSmall;
    bad.phase_floor_fraction = fraction;
    CHECK(PeakHeadroom<LastValue>::Create(LastValue{}, bad).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("PeakHeadroom learns a switching series' jump; a known level is no regime") {
  // A series that switches between 100 and 400 for 3 samples each period
  // (an idle VM and its job). The jump is 300: the margin learns it, and adds
  // it on top of the job level as well (PeakCap, peak_cap_test.cpp, bounds it).
  std::vector<double> y;
  for (int d = 0; d < 5; ++d) {
    for (int p = 0; p < 10; ++p) y.push_back(p >= 4 && p < 7 ? 400.0 : 100.0);
  }
  y.insert(y.end(), {100.0, 100.0, 100.0, 100.0, 400.0});  // in the job now
  PeakHeadroomOptions o = kSmall;
  o.regime_fraction = 1.0;
  o.regime_steps = 2;
  const PeakHeadroom<LastValue> open = Plain(o);
  auto a = open.Fit(y);
  REQUIRE(a.ok());
  // Each job start is a jump of more than a level that holds, but to 400,
  // which the window has shown: no restart after the first period's.
  CHECK(a->regimes == 0);
  CHECK(open.Margin(*a) * open.Level(*a) > 250.0);
  CHECK(open.Predict(*a, 1).Quantile(1, 0.9) > 650.0);  // 400 + the jump
  // A level above the window is still a new regime.
  std::vector<double> resized = y;
  for (int i = 0; i < 6; ++i) resized.push_back(2000.0);
  auto r = open.Fit(resized);
  REQUIRE(r.ok());
  CHECK(r->regimes == 1);
}

TEST_CASE("PeakHeadroom rejects impossible options and non-finite histories") {
  struct Case {
    const char* what;
    PeakHeadroomOptions options;
  };
  for (const Case& c : {Case{"period", {.period = 0}}, Case{"periods", {.periods = 0}},
                        Case{"level", {.level = 0.0}}, Case{"level", {.level = 1.5}},
                        Case{"lag", {.lag = 0}}, Case{"warmup_periods", {.warmup_periods = -1}},
                        Case{"min_periods", {.min_periods = -1}}, Case{"prior", {.prior = NAN}},
                        Case{"min_fraction", {.min_fraction = -0.1}},
                        Case{"max_fraction", {.min_fraction = 0.5, .max_fraction = 0.4}},
                        Case{"regime_fraction", {.regime_fraction = 0.0}},
                        Case{"regime_fraction", {.regime_fraction = NAN}},
                        Case{"regime_steps", {.regime_steps = 0}},
                        Case{"fleet_fallback", {.fleet_fallback = -0.1}},
                        Case{"fleet_fallback", {.fleet_fallback = INFINITY}}}) {
    INFO(c.what);
    absl::StatusOr<PeakHeadroom<LastValue>> h =
        PeakHeadroom<LastValue>::Create(LastValue{}, c.options);
    REQUIRE_FALSE(h.ok());
    CHECK(h.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(h.status().message()).find(c.what) != std::string::npos);
  }
  const PeakHeadroom<LastValue> h = Plain(kSmall);
  CHECK_FALSE(h.Fit(std::vector<double>{100.0, NAN, 100.0}).ok());
  // A missing sample in the stream is not scored and spoils nothing.
  auto s = h.Fit(Days(3, 0.0, {}));
  REQUIRE(s.ok());
  h.Update(*s, NAN);
  CHECK(h.Margin(*s) == doctest::Approx(0.0));
  CHECK(std::isfinite(h.Level(*s)));
}

TEST_CASE("PeakHeadroom keeps a per-resource forecaster resource-aware") {
  static_assert(!ResourceAwareForecaster<PeakHeadroom<LastValue>>);
  testing::CheckForwardsFitFor([](const ByResource<LastValue, PeakEnvelope>& split) {
    return PeakHeadroom<ByResource<LastValue, PeakEnvelope>>::Create(split, kSmall);
  });
}

// kSmall with a fleet that answers from 20 peaks, at the 0.9 rank.
PeakHeadroom<LastValue> WithFleet(std::shared_ptr<FleetPeaks>* fleet, double prior = 0.0) {
  absl::StatusOr<std::shared_ptr<FleetPeaks>> f =
      FleetPeaks::Create({.capacity = 1000, .min_samples = 20, .level = 0.9});
  REQUIRE(f.ok());
  *fleet = *f;
  PeakHeadroomOptions o = kSmall;
  o.prior = prior;
  o.fleet = *f;
  return Plain(o);
}

TEST_CASE("PeakHeadroom with a fleet prices a step the series' own window has not shown") {
  std::shared_ptr<FleetPeaks> fleet;
  const PeakHeadroom<LastValue> h = WithFleet(&fleet);
  // Ten series, quiet for their scored periods 1 and 2; three of them jump
  // +40 % in period 3. Period 1 is filed cold (no own margin yet), periods 2
  // and 3 under the quiet category: 20 peaks, three of them about 0.4.
  for (int i = 0; i < 10; ++i)
    REQUIRE(h.Fit(Days(4, 40.0, i < 3 ? std::vector<int>{3} : std::vector<int>{})).ok());
  const std::size_t quiet = fleet->Bucket(0.0, false);
  CHECK(fleet->size(quiet) == 20);
  CHECK(fleet->size(0) == 10);
  CHECK(fleet->Margin(quiet) == doctest::Approx(0.4).epsilon(0.05).scale(0));
  // A new quiet series has shown nothing, yet gets the room the fleet's quiet
  // series needed; the same series without a fleet gets none.
  auto s = h.Fit(Days(4, 0.0, {}));
  REQUIRE(s.ok());
  CHECK(h.Margin(*s) == doctest::Approx(fleet->Margin(quiet)));
  CHECK(h.Predict(*s, 1).Quantile(1, 0.99) > 135.0);
  const PeakHeadroom<LastValue> alone = Plain(kSmall);
  auto t = alone.Fit(Days(4, 0.0, {}));
  REQUIRE(t.ok());
  CHECK(alone.Margin(*t) == doctest::Approx(0.0));
  // Its own larger margin still wins over the fleet's.
  auto big = h.Fit(Days(4, 90.0, {2}));
  REQUIRE(big.ok());
  CHECK(h.Margin(*big) > 0.8);
}

TEST_CASE("PeakHeadroom with a quiet fleet adds no room, and the prior until it answers") {
  std::shared_ptr<FleetPeaks> fleet;
  const PeakHeadroom<LastValue> h = WithFleet(&fleet, /*prior=*/0.3);
  auto first = h.Fit(Days(4, 0.0, {}));
  REQUIRE(first.ok());
  // Three peaks filed; the fleet cannot answer yet, so the prior holds even
  // past min_periods (0 here).
  CHECK(h.Margin(*first) == doctest::Approx(0.3));
  for (int i = 0; i < 12; ++i) REQUIRE(h.Fit(Days(4, 0.0, {})).ok());
  CHECK(fleet->size(fleet->Bucket(0.0, false)) >= 20);
  auto s = h.Fit(Days(4, 0.0, {}));
  REQUIRE(s.ok());
  CHECK(h.Margin(*s) == doctest::Approx(0.0));
  // A state refiles at its next period boundary: `first` still holds its
  // category's old (unanswered) margin until then.
  CHECK(h.Margin(*first) == doctest::Approx(0.3));
  for (int i = 0; i < 10; ++i) h.Update(*first, 100.0);
  CHECK(h.Margin(*first) == doctest::Approx(0.0));
}

TEST_CASE("PeakHeadroom's fleet_fallback is the floor while a small fleet cannot answer") {
  absl::StatusOr<std::shared_ptr<FleetPeaks>> f =
      FleetPeaks::Create({.capacity = 1000, .min_samples = 20, .level = 0.9});
  REQUIRE(f.ok());
  PeakHeadroomOptions o = kSmall;
  o.min_periods = 2;
  o.prior = 0.3;
  o.fleet = *f;
  o.fleet_fallback = 0.1;
  const PeakHeadroom<LastValue> h = Plain(o);
  // One quiet series: too few peaks for the fleet to answer, ever. The prior
  // holds for its first two scored periods, then the fallback.
  auto young = h.Fit(Days(2, 0.0, {}));  // one scored period
  auto old = h.Fit(Days(4, 0.0, {}));    // three
  REQUIRE(young.ok());
  REQUIRE(old.ok());
  CHECK(h.Margin(*young) == doctest::Approx(0.3));
  CHECK(h.Margin(*old) == doctest::Approx(0.1));
  // Its own larger margin still wins.
  auto spiky = h.Fit(Days(4, 40.0, {2}));
  REQUIRE(spiky.ok());
  CHECK(h.Margin(*spiky) > 0.35);
  // Without a fallback the prior stays (the test above).
  o.fleet_fallback = std::nan("");
  const PeakHeadroom<LastValue> g = Plain(o);
  auto kept = g.Fit(Days(4, 0.0, {}));
  REQUIRE(kept.ok());
  CHECK(g.Margin(*kept) == doctest::Approx(0.3));
}

}  // namespace
}  // namespace foresight
