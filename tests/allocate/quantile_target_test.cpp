#include "foresight/allocate/quantile_target.hpp"

#include <doctest/doctest.h>

#include "foresight/testing/conformance.hpp"

namespace foresight {

TEST_CASE("QuantileTarget allocates the newsvendor quantile of the outlook") {
  testing::RandomProblem p = testing::MakeRandomProblem(17, 1, 1);
  p.capacity[0] = ResourceVector::Filled(1e18);
  p.costs[0].under = ResourceVector::Filled(9);
  p.costs[0].over = ResourceVector::Filled(1);  // level 0.9
  p.costs[0].change = ResourceVector::Filled(0);
  QuantileTarget q;
  AllocationPlan plan;
  REQUIRE(q.Plan(p.Request(absl::UnixEpoch()), plan).ok());
  for (const Move& m : plan.moves) {
    CHECK(m.level == doctest::Approx(0.9));
    CHECK(m.to == doctest::Approx(std::max(p.outlook.Quantile(0, m.resource, 0.9),
                                           q.options().min_allocation[m.resource])));
    CHECK(m.reason == Reason::kForecast);
  }
}

TEST_CASE("QuantileTarget skips a change whose expected benefit is below its cost") {
  testing::RandomProblem p = testing::MakeRandomProblem(21, 1, 1);
  p.capacity[0] = ResourceVector::Filled(1e18);
  QuantileTarget q;
  AllocationPlan plan;
  p.costs[0].change = ResourceVector::Filled(0);
  REQUIRE(q.Plan(p.Request(absl::UnixEpoch()), plan).ok());
  const std::size_t free_moves = plan.size();
  REQUIRE(free_moves > 0);
  p.costs[0].change = ResourceVector::Filled(1e30);
  REQUIRE(q.Plan(p.Request(absl::UnixEpoch()), plan).ok());
  CHECK(plan.empty());
}

TEST_CASE("QuantileTarget respects per-user min and max") {
  testing::RandomProblem p = testing::MakeRandomProblem(5, 1, 1);
  p.capacity[0] = ResourceVector::Filled(1e18);
  p.costs[0].change = ResourceVector::Filled(0);
  p.costs[0].min = p.costs[0].max = MakeResources(1.5, 2e9, 3e6, 4e6);
  QuantileTarget q;
  AllocationPlan plan;
  REQUIRE(q.Plan(p.Request(absl::UnixEpoch()), plan).ok());
  for (const Move& m : plan.moves) CHECK(m.to == doctest::Approx(p.costs[0].min[m.resource]));
}

TEST_CASE("QuantileTarget needs an outlook") {
  testing::RandomProblem p = testing::MakeRandomProblem(5);
  AllocationRequest req = p.Request(absl::UnixEpoch());
  req.outlook = nullptr;
  AllocationPlan plan;
  CHECK(absl::IsFailedPrecondition(QuantileTarget{}.Plan(req, plan)));
}

}  // namespace foresight

namespace foresight {

TEST_CASE("QuantileTarget takes a per-resource level and can let every grow through") {
  testing::RandomProblem p = testing::MakeRandomProblem(23, 1, 1);
  p.capacity[0] = ResourceVector::Filled(1e18);
  p.costs[0].change = ResourceVector::Filled(1e30);  // no change pays for itself
  QuantileTargetOptions o;
  o.level_override = MakeResources(0.6, 0.99, 0.0, 0.0);  // io, net: newsvendor level
  o.gate_grows = false;
  QuantileTarget q(o);
  AllocationPlan plan;
  const AllocationRequest req = p.Request(absl::UnixEpoch());
  REQUIRE(q.Plan(req, plan).ok());
  for (const Move& m : plan.moves) {
    // Only grows survive the gate, and each goes to its resource's level.
    CHECK(m.to > m.from);
    const double level = m.resource == Resource::kCpu      ? 0.6
                         : m.resource == Resource::kMemory ? 0.99
                                                           : TargetLevel(p.costs[0], m.resource);
    CHECK(m.level == doctest::Approx(level));
  }
  for (Resource r : kAllResources) {
    const CostTerms& t = p.costs[0];
    const double level = o.level_override[r] > 0 ? o.level_override[r] : TargetLevel(t, r);
    const double want = std::clamp(std::max(p.outlook.Quantile(0, r, level), o.min_allocation[r]),
                                   t.min[r], std::max(t.min[r], t.max[r]));
    const bool moved = std::any_of(plan.moves.begin(), plan.moves.end(),
                                   [&](const Move& m) { return m.resource == r; });
    CHECK(moved == (want > req.users[0].allocation[r]));
  }
}

}  // namespace foresight
