#include "foresight/forecast/young_headroom.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "decorator_checks.hpp"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/fleet_peaks.hpp"
#include "foresight/forecast/last_value.hpp"

namespace foresight {
namespace {

// Ages in samples: categories [0, 2), [2, 5) and [5, youth). Answers after 3
// records, at level 0.9 (with 3 records: the largest).
std::shared_ptr<FleetPeaks> YoungFleet() {
  absl::StatusOr<std::shared_ptr<FleetPeaks>> fleet =
      FleetPeaks::Create({.edges = {2.0, 5.0}, .capacity = 100, .min_samples = 3, .level = 0.9});
  REQUIRE(fleet.ok());
  return *std::move(fleet);
}

// A youth of 10 samples over the last value with a conformal margin, so the
// forecast has levels on both sides of min_level 0.9.
YoungHeadroom<Conformal<LastValue>> Young(std::shared_ptr<FleetPeaks> fleet) {
  absl::StatusOr<YoungHeadroom<Conformal<LastValue>>> y =
      YoungHeadroom<Conformal<LastValue>>::Create(Conformal<LastValue>(LastValue{}),
                                                  {.youth = 10, .refresh = 1, .fleet = fleet});
  REQUIRE(y.ok());
  return *std::move(y);
}

// A VM whose memory sits at 100 for its first 6 samples, then runs a job at
// 180 (0.8 past its peak) for the rest of its youth.
const std::vector<double> kJobAtSix = {100, 100, 100, 100, 100, 100, 180, 180, 180, 180};

// The forecast's largest level (>= 0.9) and its median.
double Top(const Forecast& f) { return f.quantile(1, f.levels().size() - 1); }
double Median(const Forecast& f) {
  for (std::size_t k = 0; k < f.levels().size(); ++k) {
    if (f.levels()[k] == 0.5) return f.quantile(1, k);
  }
  FAIL("no median level");
  return 0.0;
}

TEST_CASE("YoungHeadroom floors a young series at what the fleet's young series went on to do") {
  std::shared_ptr<FleetPeaks> fleet = YoungFleet();
  const auto f = Young(fleet);
  // Three VMs live out their youth: each files 0.8 in all three categories
  // (from ages 1, 2 and 5 their peak was 100 and the job went to 180).
  for (int i = 0; i < 3; ++i) REQUIRE(f.Fit(kJobAtSix).ok());
  for (std::size_t b = 1; b <= 3; ++b) {
    CHECK(fleet->size(b) == 3);
    CHECK(fleet->Margin(b) == doctest::Approx(0.8));
  }
  CHECK(fleet->size(FleetPeaks::kColdBucket) == 0);
  // A VM born now, three samples old at 100: its upper levels are floored at
  // 180; its median and mean still say 100.
  const std::vector<double> young = {100, 100, 100};
  absl::StatusOr<YoungHeadroom<Conformal<LastValue>>::State> s = f.Fit(young);
  REQUIRE(s.ok());
  CHECK(f.Floor(*s) == doctest::Approx(0.8));
  const Forecast floored = f.Predict(*s, 2);
  CHECK(Top(floored) == doctest::Approx(180.0));
  CHECK(floored.quantile(2, floored.levels().size() - 1) == doctest::Approx(180.0));
  CHECK(Median(floored) == doctest::Approx(100.0));
  CHECK(floored.mean(1) == doctest::Approx(100.0));
  // The same VM unwrapped would have allowed 100 (its history has no misses).
  const Conformal<LastValue> bare(LastValue{});
  CHECK(Top(bare.Predict(*bare.Fit(young), 1)) < 180.0);
  // The floor follows the series' peak; past its youth it is gone.
  f.Update(*s, 150.0);
  CHECK(Top(f.Predict(*s, 1)) == doctest::Approx(150.0 * 1.8));
  for (int i = 0; i < 6; ++i) f.Update(*s, 150.0);
  CHECK(std::isnan(f.Floor(*s)));
  CHECK(Top(f.Predict(*s, 1)) == doctest::Approx(Top(f.inner().Predict(s->inner, 1))));
  // It filed its own records: 0.5 in its first two categories (entered at a
  // peak of 100, went to 150), 0 in the last (entered at 150).
  CHECK(fleet->size(1) == 4);
  CHECK(fleet->size(3) == 4);
}

TEST_CASE("YoungHeadroom passes through while the fleet cannot answer: a fleet born together") {
  std::shared_ptr<FleetPeaks> fleet = YoungFleet();
  const auto f = Young(fleet);
  // Three VMs start together: none has ended its youth, so none is floored.
  std::vector<YoungHeadroom<Conformal<LastValue>>::State> vms;
  for (int i = 0; i < 3; ++i) vms.push_back(*f.Fit({}));
  for (int t = 0; t < 6; ++t) {
    for (auto& s : vms) {
      f.Update(s, 100.0);
      CHECK(std::isnan(f.Floor(s)));
    }
  }
  CHECK(fleet->size(1) == 0);
  // Once the fleet answers: a VM with no sample yet is not floored (it has no
  // peak); one sample is enough.
  for (int i = 0; i < 3; ++i) REQUIRE(f.Fit(kJobAtSix).ok());
  CHECK(std::isnan(f.Floor(*f.Fit({}))));
  CHECK(f.Floor(*f.Fit(std::vector<double>{100.0})) == doctest::Approx(0.8));
}

TEST_CASE("YoungHeadroom: a series that stops young files nothing, and gaps do not age it") {
  std::shared_ptr<FleetPeaks> fleet = YoungFleet();
  const auto f = Young(fleet);
  // Nine samples of a youth of 10, never ended: censored, nothing filed.
  REQUIRE(f.Fit(std::vector<double>(kJobAtSix.begin(), kJobAtSix.end() - 1)).ok());
  for (std::size_t b = 0; b < fleet->num_buckets(); ++b) CHECK(fleet->size(b) == 0);
  // Gaps (non-finite samples reach Update; Fit refuses them) do not count.
  auto s = f.Fit({});
  REQUIRE(s.ok());
  for (double y : kJobAtSix) {
    f.Update(*s, y);
    f.Update(*s, std::nan(""));
  }
  CHECK(fleet->size(1) == 1);           // ten finite samples: one youth
  CHECK(std::isnan(fleet->Margin(1)));  // one record is not enough to answer
}

TEST_CASE("YoungHeadroom: a series that ends young files what its life did, once") {
  static_assert(EndAwareForecaster<YoungHeadroom<Conformal<LastValue>>>);
  std::shared_ptr<FleetPeaks> fleet = YoungFleet();
  const auto f = Young(fleet);
  // A VM deleted after 8 of its 10 young samples: the job at 180 came at 6,
  // so every category it entered files 0.8.
  auto s = f.Fit(std::vector<double>(kJobAtSix.begin(), kJobAtSix.begin() + 8));
  REQUIRE(s.ok());
  for (std::size_t b = 0; b < fleet->num_buckets(); ++b) CHECK(fleet->size(b) == 0);
  f.End(*s);
  for (std::size_t b = 1; b <= 3; ++b) CHECK(fleet->size(b) == 1);
  CHECK(std::isnan(f.Floor(*s)));  // ended: no floor
  // Deleted at 4 samples, before the job: it entered categories 1 and 2 only,
  // and went nowhere past its peak.
  auto early = f.Fit(std::vector<double>(kJobAtSix.begin(), kJobAtSix.begin() + 4));
  REQUIRE(early.ok());
  f.End(*early);
  CHECK(fleet->size(1) == 2);
  CHECK(fleet->size(2) == 2);
  CHECK(fleet->size(3) == 1);
  // A series past its youth has filed already; a series with no sample has
  // nothing to file; EndSeries on a forecaster without End does nothing.
  auto old = f.Fit(kJobAtSix);
  REQUIRE(old.ok());
  CHECK(fleet->size(1) == 3);
  f.End(*old);
  auto empty = f.Fit({});
  REQUIRE(empty.ok());
  f.End(*empty);
  CHECK(fleet->size(1) == 3);
  CHECK(fleet->size(3) == 2);
  // Category 1 holds 0.8, 0, 0.8: at level 0.9 of three, the largest.
  CHECK(fleet->Margin(1) == doctest::Approx(0.8));
  CHECK(fleet->Quantile(2, 0.5) == doctest::Approx(0.8));  // 0.8, 0, 0.8 too
  static_assert(!EndAwareForecaster<LastValue>);
  auto plain = LastValue().Fit(std::vector<double>{1.0});
  REQUIRE(plain.ok());
  EndSeries(LastValue(), *plain);
}

TEST_CASE("YoungHeadroom records excess past the peak at entry, never below zero") {
  std::shared_ptr<FleetPeaks> fleet = YoungFleet();
  const auto f = Young(fleet);
  // A VM that shrinks: from 200 down to 50, then back to 120. Past its peak
  // (200) nothing: 0 in every category.
  const std::vector<double> shrinking = {200, 150, 100, 50, 50, 50, 120, 120, 120, 120};
  for (int i = 0; i < 3; ++i) REQUIRE(f.Fit(shrinking).ok());
  for (std::size_t b = 1; b <= 3; ++b) CHECK(fleet->Margin(b) == doctest::Approx(0.0));
  // A floor of 0 still lifts the upper levels to the peak so far.
  auto s = f.Fit(std::vector<double>{200, 60, 60});
  REQUIRE(s.ok());
  CHECK(Top(f.Predict(*s, 1)) >= 200.0);
}

TEST_CASE("YoungHeadroom's Fit then Update equals Fit of the whole, and forwards FitFor") {
  const std::vector<double> y = {100, 120, 110, 130, 125, 140};
  auto fit_then_update = [&] {
    std::shared_ptr<FleetPeaks> fleet = YoungFleet();
    const auto f = Young(fleet);
    for (int i = 0; i < 3; ++i) REQUIRE(f.Fit(kJobAtSix).ok());
    auto s = f.Fit(std::vector<double>(y.begin(), y.begin() + 3));
    for (std::size_t i = 3; i < y.size(); ++i) f.Update(*s, y[i]);
    return Top(f.Predict(*s, 1));
  };
  auto fit_whole = [&] {
    std::shared_ptr<FleetPeaks> fleet = YoungFleet();
    const auto f = Young(fleet);
    for (int i = 0; i < 3; ++i) REQUIRE(f.Fit(kJobAtSix).ok());
    return Top(f.Predict(*f.Fit(y), 1));
  };
  CHECK(fit_then_update() == doctest::Approx(fit_whole()));
  CHECK(fit_whole() == doctest::Approx(140.0 * 1.8));
  testing::CheckForwardsFitFor([](auto split) {
    return YoungHeadroom<decltype(split)>::Create(std::move(split), {.fleet = YoungFleet()});
  });
}

TEST_CASE("YoungHeadroom rejects impossible options, naming them") {
  auto error = [](YoungHeadroomOptions o) {
    auto y = YoungHeadroom<LastValue>::Create(LastValue{}, std::move(o));
    REQUIRE_FALSE(y.ok());
    CHECK(absl::IsInvalidArgument(y.status()));
    return std::string(y.status().message());
  };
  CHECK(error({.youth = 0, .fleet = YoungFleet()}).find("youth must be >= 1") != std::string::npos);
  CHECK(error({.min_level = 0.0, .fleet = YoungFleet()}).find("min_level") != std::string::npos);
  CHECK(error({.min_level = NAN, .fleet = YoungFleet()}).find("min_level") != std::string::npos);
  CHECK(error({.refresh = 0, .fleet = YoungFleet()}).find("refresh") != std::string::npos);
  CHECK(error({}).find("fleet is required") != std::string::npos);
  // YoungFleetOptions' categories are hours of age at the given rate.
  const FleetPeaksOptions o = YoungFleetOptions(12);
  CHECK(o.edges == std::vector<double>{12, 36, 72, 144});
  CHECK(FleetPeaks::Create(o).ok());
}

}  // namespace
}  // namespace foresight
