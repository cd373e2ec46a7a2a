#include "foresight/allocate/hpa_style.hpp"

#include <doctest/doctest.h>

#include "one_user.hpp"

namespace foresight {


TEST_CASE("HpaStyle scales by utilisation / target, with a 10 % dead band") {
  HpaStyle hpa({.min_allocation = {}});
  testing::OneUser s;
  s.users[0].allocation = ResourceVector::Filled(10);
  s.users[0].usage = ResourceVector::Filled(7.5);  // ratio 1.07: inside the band
  AllocationPlan plan;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  REQUIRE(hpa.Plan(s.Request(t0), plan).ok());
  CHECK(plan.empty());
  s.users[0].usage = ResourceVector::Filled(14);  // ratio 2: scale up to 20 at once
  REQUIRE(hpa.Plan(s.Request(t0 + absl::Minutes(1)), plan).ok());
  REQUIRE(plan.size() == 4);
  CHECK(plan.moves[0].to == doctest::Approx(20));
  s.Apply(plan);
}

TEST_CASE("HpaStyle holds the highest recommendation of the last 5 minutes before scaling down") {
  HpaStyle hpa({.min_allocation = {}});
  testing::OneUser s;
  s.users[0].allocation = ResourceVector::Filled(20);
  AllocationPlan plan;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  s.users[0].usage = ResourceVector::Filled(14);  // recommends 20
  REQUIRE(hpa.Plan(s.Request(t0), plan).ok());
  s.users[0].usage = ResourceVector::Filled(3.5);  // recommends 5, but 20 is in the window
  REQUIRE(hpa.Plan(s.Request(t0 + absl::Minutes(2)), plan).ok());
  CHECK(plan.empty());
  REQUIRE(hpa.Plan(s.Request(t0 + absl::Minutes(6)), plan).ok());  // 20 left the window
  REQUIRE_FALSE(plan.empty());
  CHECK(plan.moves[0].to == doctest::Approx(5));
}

}  // namespace foresight
