#include "foresight/allocate/decorators.hpp"

#include <doctest/doctest.h>

#include "foresight/allocate/quantile_target.hpp"
#include "foresight/testing/conformance.hpp"

namespace foresight {

TEST_CASE("WithMargin multiplies what its base asks for") {
  testing::RandomProblem p = testing::MakeRandomProblem(8, 3, 1);
  p.capacity[0] = ResourceVector::Filled(1e18);
  for (auto& c : p.costs) c.change = ResourceVector::Filled(0);
  AllocationPlan base_plan, plan;
  REQUIRE(QuantileTarget{}.Plan(p.Request(absl::UnixEpoch()), base_plan).ok());
  WithMargin<QuantileTarget> padded(QuantileTarget{}, ResourceVector::Filled(0.25));
  REQUIRE(padded.Plan(p.Request(absl::UnixEpoch()), plan).ok());
  for (const Move& b : base_plan.moves) {
    bool found = false;
    for (const Move& m : plan.moves) {
      if (m.index == b.index && m.resource == b.resource) {
        found = true;
        CHECK(m.to == doctest::Approx(b.to * 1.25));
      }
    }
    CHECK(found);
  }
}

TEST_CASE("MaxOfReactive never asks for less than either part") {
  testing::RandomProblem p = testing::MakeRandomProblem(9, 5, 1);
  p.capacity[0] = ResourceVector::Filled(1e18);
  for (auto& c : p.costs) c.change = ResourceVector::Filled(0);
  const AllocationRequest req = p.Request(absl::UnixEpoch());
  MaxOfReactive<QuantileTarget> both;
  AllocationPlan plan, proactive;
  REQUIRE(both.Plan(req, plan).ok());
  REQUIRE(QuantileTarget{}.Plan(req, proactive).ok());
  for (const Move& q : proactive.moves) {
    for (const Move& m : plan.moves) {
      if (m.index == q.index && m.resource == q.resource) CHECK(m.to >= q.to - 1e-9);
    }
  }
}

}  // namespace foresight
