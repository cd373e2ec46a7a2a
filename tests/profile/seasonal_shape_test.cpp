#include "foresight/profile/internal/seasonal_shape.hpp"

#include <doctest/doctest.h>

#include <random>

#include "synthetic.hpp"

namespace foresight {
namespace {

using internal::HourOfWeek;
using internal::SeasonalShapeBank;
using testing::Monday;

TEST_CASE("HourOfWeek counts from Monday 00:00 in the users' local time") {
  CHECK(HourOfWeek(Monday()) == 0);
  CHECK(HourOfWeek(Monday() + absl::Minutes(59)) == 0);
  CHECK(HourOfWeek(Monday() + absl::Hours(25)) == 25);
  CHECK(HourOfWeek(Monday() - absl::Minutes(1)) == 167);  // Sunday 23:59
  CHECK(HourOfWeek(Monday() + absl::Hours(24 * 7 * 100 + 5)) == 5);
  CHECK(HourOfWeek(absl::UnixEpoch()) == 72);  // a Thursday
  CHECK(HourOfWeek(absl::UnixEpoch() - absl::Seconds(1)) == 71);
  CHECK(HourOfWeek(Monday(), absl::Hours(-5)) == 163);  // New York: Sunday 19:00
  CHECK(internal::IsWeekendHour(120));
  CHECK_FALSE(internal::IsWeekendHour(119));
}

TEST_CASE("SeasonalShapeBank learns per-bucket mean and high quantile") {
  SeasonalShapeBank bank;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // Hour 10 of every day: uniform(0, 2) cores; all other hours: 0.1.
  for (int i = 0; i < 4 * 7 * testing::kStepsPerDay; ++i) {
    const absl::Time t = Monday() + testing::kStep * i;
    const bool ten = (i % testing::kStepsPerDay) / 12 == 10;
    bank.Observe(3, t, MakeResources(ten ? 2.0 * unit(rng) : 0.1, 1e9, 0, 0));
  }
  CHECK(bank.slots() == 4);
  CHECK(bank.Count(0, 10) == 0);
  const int b = bank.Bucket(Monday() + absl::Hours(10));
  CHECK(bank.Count(3, b) == 48);
  CHECK(bank.Mean(3, b).cpu() == doctest::Approx(1.0).epsilon(0.3).scale(0));
  CHECK(bank.Peak(3, b).cpu() == doctest::Approx(1.8).epsilon(0.2).scale(0));  // 90th percentile
  CHECK(bank.Peak(3, b).cpu() > bank.Mean(3, b).cpu());
  const int night = bank.Bucket(Monday() + absl::Hours(3));
  CHECK(bank.Mean(3, night).cpu() == doctest::Approx(0.1));
  CHECK(bank.Peak(3, night).cpu() == doctest::Approx(0.1).epsilon(0.05).scale(0));
  CHECK(bank.Mean(3, night).memory() == doctest::Approx(1e9));
  CHECK(bank.Coverage(3, 24) == doctest::Approx(1.0));
  CHECK(bank.Coverage(0, 24) == 0.0);
  CHECK(bank.Coverage(99, 24) == 0.0);
  CHECK(bank.Mean(99, 0) == ResourceVector{});
}

TEST_CASE("SeasonalShapeBank with 4-hour buckets") {
  SeasonalShapeBank bank(SeasonalShapeBank::Options{.buckets = 42});
  CHECK(bank.Bucket(Monday() + absl::Hours(3)) == 0);
  CHECK(bank.Bucket(Monday() + absl::Hours(4)) == 1);
  CHECK(bank.Bucket(Monday() - absl::Minutes(1)) == 41);
  CHECK(bank.BucketHour(41) == 164);
  CHECK(bank.BytesPerSlot() < SeasonalShapeBank().BytesPerSlot() / 3);
}

TEST_CASE("Hour-of-day and weekday/weekend views of the shape") {
  SeasonalShapeBank bank;
  for (int i = 0; i < 7 * testing::kStepsPerDay; ++i) {
    const int day = i / testing::kStepsPerDay, hour = (i % testing::kStepsPerDay) / 12;
    const double cpu = (day < 5 ? 2.0 : 1.0) * (hour == 12 ? 3.0 : 1.0);
    bank.Observe(0, Monday() + testing::kStep * i, MakeResources(cpu, 0, 0, 0));
  }
  double hod[24];
  bool seen[24];
  bank.HourOfDay(0, Resource::kCpu, hod, seen);
  CHECK(seen[0]);
  CHECK(hod[12] == doctest::Approx(3.0 * (5 * 2.0 + 2 * 1.0) / 7));
  CHECK(hod[11] == doctest::Approx((5 * 2.0 + 2 * 1.0) / 7));
  double wd = 0, we = 0;
  bool both = false;
  bank.WeekdayWeekend(0, Resource::kCpu, wd, we, both);
  CHECK(both);
  CHECK(wd / we == doctest::Approx(2.0));
  CHECK(bank.OverallMean(0, Resource::kCpu) ==
        doctest::Approx((5 * 2.0 + 2 * 1.0) / 7 * 26.0 / 24));
}

}  // namespace
}  // namespace foresight
