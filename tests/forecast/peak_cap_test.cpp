#include "foresight/forecast/peak_cap.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "foresight/forecast/by_resource.hpp"
#include "foresight/forecast/envelope.hpp"
#include "foresight/forecast/fleet_peaks.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/peak_headroom.hpp"
#include "decorator_checks.hpp"

namespace foresight {
namespace {

// Periods of 10 samples: 100, with a job at `job` for samples 4..6 of each.
std::vector<double> Switching(int periods, double job = 400.0) {
  std::vector<double> y;
  for (int d = 0; d < periods; ++d) {
    for (int p = 0; p < 10; ++p) y.push_back(p >= 4 && p < 7 ? job : 100.0);
  }
  return y;
}

// Periods of 10 samples at `level`, times `step` from period `from` on.
std::vector<double> Stepped(int periods, int from, double step, double level = 100.0) {
  std::vector<double> y;
  for (int d = 0; d < periods; ++d) {
    for (int p = 0; p < 10; ++p) y.push_back(d >= from ? level * step : level);
  }
  return y;
}

const PeakCapOptions kSmall{.period = 10, .periods = 5, .level = 0.98, .min_periods = 2,
                            .min_fraction = 0.1, .max_fraction = 0.5};

template <typename F>
PeakCap<F> Capped(F inner, PeakCapOptions o) {
  absl::StatusOr<PeakCap<F>> c = PeakCap<F>::Create(std::move(inner), std::move(o));
  REQUIRE(c.ok());
  return *std::move(c);
}

// A fleet small enough to answer after 20 records, at level 0.9.
std::shared_ptr<FleetPeaks> SmallFleet() {
  absl::StatusOr<std::shared_ptr<FleetPeaks>> fleet =
      FleetPeaks::Create({.capacity = 1000, .min_samples = 20, .level = 0.9});
  REQUIRE(fleet.ok());
  return *std::move(fleet);
}

// kSmall's cap over LastValue, filing its records in `fleet`.
PeakCap<LastValue> InFleet(std::shared_ptr<FleetPeaks> fleet) {
  PeakCapOptions o = kSmall;
  o.fleet = std::move(fleet);
  return Capped(LastValue{}, o);
}

PeakHeadroom<LastValue> Margin() {
  absl::StatusOr<PeakHeadroom<LastValue>> h = PeakHeadroom<LastValue>::Create(
      LastValue{}, {.period = 10, .periods = 5, .level = 0.98, .lag = 1, .warmup_periods = 1,
                    .min_periods = 0, .prior = 0.0});
  REQUIRE(h.ok());
  return *std::move(h);
}

TEST_CASE("PeakCap holds a switching series' jump-sized margin to a fraction over its peak") {
  // The margin learns the 300 jump and, uncapped, adds it on top of the job.
  std::vector<double> y = Switching(5);
  y.insert(y.end(), {100.0, 100.0, 100.0, 100.0, 400.0});  // in the job now
  const PeakHeadroom<LastValue> open = Margin();
  auto a = open.Fit(y);
  REQUIRE(a.ok());
  CHECK(open.Predict(*a, 1).Quantile(1, 0.9) > 650.0);
  // Fixed at 0.25 (min = max): every level at most 1.25 x 400.
  const PeakCap<PeakHeadroom<LastValue>> fixed =
      Capped(Margin(), {.period = 10, .periods = 5, .min_fraction = 0.25, .max_fraction = 0.25});
  auto b = fixed.Fit(y);
  REQUIRE(b.ok());
  const Forecast f = fixed.Predict(*b, 2);
  CHECK(f.Quantile(1, 0.9) == doctest::Approx(500.0));
  CHECK(f.Quantile(2, 0.99) == doctest::Approx(500.0));
  CHECK(f.mean(1) == doctest::Approx(400.0));
  for (double q : f.quantiles(1)) CHECK(q <= 500.0 + 1e-9);
  // Back at idle, the limit still covers the job the window has shown.
  y.insert(y.end(), {400.0, 400.0, 100.0});
  auto idle = fixed.Fit(y);
  REQUIRE(idle.ok());
  CHECK(fixed.Predict(*idle, 1).Quantile(1, 0.9) == doctest::Approx(500.0));
}

TEST_CASE("PeakCap learns a small cap where periods never pass the window's peak") {
  const PeakCap<PeakHeadroom<LastValue>> c = Capped(Margin(), kSmall);
  // One whole period: no window before it, no record; the cap is max_fraction.
  auto young = c.Fit(Switching(1));
  REQUIRE(young.ok());
  CHECK(young->filled == 0);
  CHECK(c.Cap(*young) == doctest::Approx(0.5));
  // Two records of 0 (min_periods): the cap falls to min_fraction.
  auto one = c.Fit(Switching(2));
  REQUIRE(one.ok());
  CHECK(one->filled == 1);
  CHECK(c.Cap(*one) == doctest::Approx(0.5));
  auto s = c.Fit(Switching(4));
  REQUIRE(s.ok());
  CHECK(s->filled == 3);
  CHECK(std::isnan(c.OwnCap(*young)));
  CHECK(c.OwnCap(*s) == doctest::Approx(0.0));
  CHECK(c.Cap(*s) == doctest::Approx(0.1));
  CHECK(c.WindowMax(*s) == doctest::Approx(400.0));
  const double uncapped = c.inner().Predict(s->inner, 1).Quantile(1, 0.99);
  CHECK(c.Predict(*s, 1).Quantile(1, 0.99) == doctest::Approx(std::min(uncapped, 440.0)));
  // In the job, the margin's jump-sized room is held to 1.1 x the job level.
  for (double v : {100.0, 100.0, 100.0, 100.0, 400.0}) c.Update(*s, v);
  CHECK(c.inner().Predict(s->inner, 1).Quantile(1, 0.99) > 650.0);
  CHECK(c.Predict(*s, 1).Quantile(1, 0.99) == doctest::Approx(440.0));
}

TEST_CASE("PeakCap keeps room for a step it has seen, and forgets it after the window") {
  const PeakCap<LastValue> c = Capped(LastValue{}, kSmall);
  // Three periods at 100, then +30 %: records 0, 0, 0.3.
  auto s = c.Fit(Stepped(4, 3, 1.3));
  REQUIRE(s.ok());
  CHECK(c.OwnCap(*s) == doctest::Approx(0.3));
  CHECK(c.Cap(*s) == doctest::Approx(0.3));
  // A step of 200 % is bounded by max_fraction.
  auto big = c.Fit(Stepped(4, 3, 3.0));
  REQUIRE(big.ok());
  CHECK(c.OwnCap(*big) == doctest::Approx(2.0));
  CHECK(c.Cap(*big) == doctest::Approx(0.5));
  // Five more flat periods push the 0.3 out of the five-record window.
  for (int i = 0; i < 50; ++i) c.Update(*s, 130.0);
  CHECK(c.Cap(*s) == doctest::Approx(0.1));
  // The cap only bounds: a last-value forecast below it is untouched.
  CHECK(c.Predict(*s, 1).Quantile(1, 0.9) == c.inner().Predict(s->inner, 1).Quantile(1, 0.9));
}

TEST_CASE("PeakCap with a fleet keeps room for the steps other series have shown") {
  const std::shared_ptr<FleetPeaks> fleet = SmallFleet();
  const PeakCap<LastValue> c = InFleet(fleet);
  // Ten series, flat for four periods; three of them then step +40 %. Their
  // first two records are filed cold; records 3 and 4 under the flat (0) cap.
  for (int i = 0; i < 10; ++i) REQUIRE(c.Fit(Stepped(5, i < 3 ? 4 : 99, 1.4)).ok());
  const std::size_t flat = fleet->Bucket(0.0, false);
  CHECK(fleet->size(0) == 20);
  CHECK(fleet->size(flat) == 20);
  CHECK(fleet->Margin(flat) == doctest::Approx(0.4));
  // A new flat series has shown no step, yet keeps the fleet's room for one;
  // alone, it would get min_fraction.
  auto s = c.Fit(Stepped(5, 99, 1.0));
  REQUIRE(s.ok());
  CHECK(c.OwnCap(*s) == doctest::Approx(0.0));
  CHECK(c.Cap(*s) == doctest::Approx(0.4));
  const PeakCap<LastValue> alone = Capped(LastValue{}, kSmall);
  auto t = alone.Fit(Stepped(5, 99, 1.0));
  REQUIRE(t.ok());
  CHECK(alone.Cap(*t) == doctest::Approx(0.1));
  // A fleet of series that never pass their peaks gives min_fraction.
  const std::shared_ptr<FleetPeaks> quiet = SmallFleet();
  const PeakCap<LastValue> q = InFleet(quiet);
  for (int i = 0; i < 10; ++i) REQUIRE(q.Fit(Switching(5)).ok());
  auto u = q.Fit(Switching(5));
  REQUIRE(u.ok());
  CHECK(q.Cap(*u) == doctest::Approx(0.1));
}

TEST_CASE("PeakCap: a category that cannot answer yet borrows the cold category's answer") {
  const std::shared_ptr<FleetPeaks> fleet = SmallFleet();
  const PeakCap<LastValue> c = InFleet(fleet);
  const std::size_t cold = FleetPeaks::kColdBucket;
  const std::size_t flat = fleet->Bucket(0.0, false);
  // Ten flat series of three periods: each files its first two records cold
  // (0, as flat as it is), so the cold category answers and the flat one,
  // with no record yet, cannot.
  for (int i = 0; i < 10; ++i) REQUIRE(c.Fit(Stepped(3, 99, 1.0)).ok());
  REQUIRE(fleet->size(cold) == 20);
  REQUIRE(fleet->size(flat) == 0);
  CHECK(fleet->Margin(cold) == doctest::Approx(0.0));
  // A series past its cold periods is filed flat; that category cannot
  // answer, and the cold one's 0 (floored at min_fraction) stands in for it
  // instead of max_fraction.
  auto s = c.Fit(Stepped(3, 99, 1.0));
  REQUIRE(s.ok());
  CHECK(c.OwnCap(*s) == doctest::Approx(0.0));
  CHECK(c.Cap(*s) == doctest::Approx(0.1));
  // When the cold category has seen steps, so does the stand-in.
  const std::shared_ptr<FleetPeaks> stepped = SmallFleet();
  const PeakCap<LastValue> d = InFleet(stepped);
  for (int i = 0; i < 10; ++i) REQUIRE(d.Fit(Stepped(3, i < 3 ? 1 : 99, 1.3)).ok());
  REQUIRE(stepped->size(cold) == 20);
  CHECK(stepped->Margin(cold) == doctest::Approx(0.3));
  auto t = d.Fit(Stepped(3, 99, 1.0));
  REQUIRE(t.ok());
  CHECK(d.Cap(*t) == doctest::Approx(0.3));
  // With neither able to answer, the cap is max_fraction.
  const std::shared_ptr<FleetPeaks> empty = SmallFleet();
  const PeakCap<LastValue> e = InFleet(empty);
  auto u = e.Fit(Stepped(3, 99, 1.0));
  REQUIRE(u.ok());
  CHECK(e.Cap(*u) == doctest::Approx(0.5));
}

TEST_CASE("PeakCap records nothing over a window with no positive peak, and skips gaps") {
  const PeakCap<LastValue> c = Capped(LastValue{}, kSmall);
  // Idle at 0, then a job: a ratio to a peak of 0 is no record.
  std::vector<double> y = Stepped(3, 99, 1.0, 0.0);
  const std::vector<double> job = Stepped(1, 0, 1.0, 500.0);
  y.insert(y.end(), job.begin(), job.end());
  auto s = c.Fit(y);
  REQUIRE(s.ok());
  CHECK(s->filled == 0);
  CHECK(c.Cap(*s) == doctest::Approx(0.5));
  // A missing sample neither counts as a peak nor ends the bookkeeping.
  c.Update(*s, std::nan(""));
  CHECK(c.WindowMax(*s) == doctest::Approx(500.0));
  CHECK(std::isfinite(c.Predict(*s, 1).Quantile(1, 0.9)));
}

TEST_CASE("PeakCap with an infinite max_fraction caps nothing until it has learned") {
  const PeakCap<PeakHeadroom<LastValue>> c = Capped(
      Margin(), {.period = 10, .periods = 5, .min_periods = 3, .min_fraction = 0.1,
                 .max_fraction = std::numeric_limits<double>::infinity()});
  std::vector<double> y = Switching(3);
  y.insert(y.end(), {100.0, 100.0, 100.0, 100.0, 400.0});
  auto young = c.Fit(y);  // two records
  REQUIRE(young.ok());
  CHECK(c.Predict(*young, 1).Quantile(1, 0.9) > 650.0);
  y = Switching(4);
  y.insert(y.end(), {100.0, 100.0, 100.0, 100.0, 400.0});
  auto old = c.Fit(y);  // three records of 0
  REQUIRE(old.ok());
  CHECK(c.Predict(*old, 1).Quantile(1, 0.9) == doctest::Approx(440.0));
}

TEST_CASE("PeakCap's Fit then Update equals Fit of the whole, and forwards FitFor") {
  const PeakCap<LastValue> c = Capped(LastValue{}, kSmall);
  const std::vector<double> y = Stepped(7, 3, 1.3);
  auto whole = c.Fit(y);
  auto part = c.Fit(std::span<const double>(y).first(23));
  REQUIRE(whole.ok());
  REQUIRE(part.ok());
  for (std::size_t i = 23; i < y.size(); ++i) c.Update(*part, y[i]);
  CHECK(part->records == whole->records);
  CHECK(part->maxima == whole->maxima);
  CHECK(c.Cap(*part) == c.Cap(*whole));
  CHECK(c.Predict(*part, 3).quantiles(3)[0] == c.Predict(*whole, 3).quantiles(3)[0]);
  testing::CheckForwardsFitFor([](const ByResource<LastValue, PeakEnvelope>& split) {
    return PeakCap<ByResource<LastValue, PeakEnvelope>>::Create(split, kSmall);
  });
}

TEST_CASE("PeakCap rejects impossible options") {
  auto bad = [](PeakCapOptions o) {
    return PeakCap<LastValue>::Create(LastValue{}, std::move(o)).status().code() ==
           absl::StatusCode::kInvalidArgument;
  };
  PeakCapOptions o = kSmall;
  o.period = 0;
  CHECK(bad(o));
  o = kSmall;
  o.periods = 0;
  CHECK(bad(o));
  o = kSmall;
  o.level = 0.0;
  CHECK(bad(o));
  o = kSmall;
  o.min_periods = -1;
  CHECK(bad(o));
  o = kSmall;
  o.min_fraction = -0.1;
  CHECK(bad(o));
  o = kSmall;
  o.min_fraction = std::nan("");
  CHECK(bad(o));
  o = kSmall;
  o.max_fraction = 0.05;  // below min_fraction
  CHECK(bad(o));
  o = kSmall;
  o.max_fraction = std::nan("");
  CHECK(bad(o));
  CHECK(PeakCap<LastValue>::Create(LastValue{}, kSmall).status().message().empty());
  CHECK(std::string(PeakCap<LastValue>::Create(LastValue{}, {.min_fraction = -1.0})
                        .status()
                        .message())
            .find("min_fraction") != std::string::npos);
}

}  // namespace
}  // namespace foresight
