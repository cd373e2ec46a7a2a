#include "foresight/cost/linear_cost.hpp"

#include <cmath>

#include <doctest/doctest.h>

namespace foresight {

TEST_CASE("LinearCost gives the newsvendor level and scales by priority") {
  LinearCost cost;
  const CostTerms t = cost.Terms(UserId{1});
  CHECK(TargetLevel(t, Resource::kCpu) == doctest::Approx(1 / 1.2));
  CHECK(TargetLevel(t, Resource::kNet) == doctest::Approx(1 / 1.1));
  CHECK(TargetLevel(t, Resource::kMemory) == doctest::Approx(1 / 1.01));
  CostTerms vip = cost.default_terms();
  vip.priority = 3;
  REQUIRE(cost.SetUser(UserId{2}, vip).ok());
  CHECK(cost.Terms(UserId{2}).under.cpu() == doctest::Approx(3 * t.under.cpu()));
  CHECK(TargetLevel(cost.Terms(UserId{2}), Resource::kCpu) > TargetLevel(t, Resource::kCpu));
}

TEST_CASE("LinearCost rejects impossible terms without changing state") {
  LinearCost cost;
  CostTerms bad = cost.default_terms();
  bad.priority = 0;
  CHECK(absl::IsInvalidArgument(cost.SetUser(UserId{1}, bad)));
  bad = cost.default_terms();
  bad.min.cpu() = 4;
  bad.max.cpu() = 2;
  absl::Status s = cost.SetUser(UserId{1}, bad);
  CHECK(absl::IsInvalidArgument(s));
  CHECK(std::string(s.message()).find("cpu") != std::string::npos);
  bad = cost.default_terms();
  bad.over.memory() = std::nan("");
  CHECK_FALSE(cost.set_default_terms(bad).ok());
  CHECK(cost.Terms(UserId{1}).priority == 1.0);
}

TEST_CASE("ProvisioningCost prices shortfall and excess") {
  CostTerms t;
  t.under = ResourceVector::Filled(2);
  t.over = ResourceVector::Filled(0.5);
  CHECK(ProvisioningCost(t, Resource::kCpu, 1, 3, 10) == doctest::Approx(40));
  CHECK(ProvisioningCost(t, Resource::kCpu, 3, 1, 10) == doctest::Approx(10));
}

}  // namespace foresight
