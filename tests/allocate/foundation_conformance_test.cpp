// Every foundation allocator passes the Allocator conformance test over
// hundreds of seeded random problems (capacity, shrink-before-grow, bad input).
#include <doctest/doctest.h>

#include "foresight/allocate/decorators.hpp"
#include "foresight/allocate/hpa_style.hpp"
#include "foresight/allocate/oracle.hpp"
#include "foresight/allocate/quantile_target.hpp"
#include "foresight/allocate/vpa_style.hpp"
#include "foresight/sim/generator.hpp"
#include "foresight/testing/conformance.hpp"

namespace foresight {

TEST_CASE_TEMPLATE("foundation allocators pass the Allocator conformance test", A, VpaStyle,
                   HpaStyle, QuantileTarget, WithMargin<QuantileTarget>,
                   MaxOfReactive<QuantileTarget>, MaxOfReactive<QuantileTarget, HpaStyle>) {
  const absl::Status s = testing::AllocatorConformance([] { return A{}; }, 300, 1234);
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE_TEMPLATE("foundation allocators forget a deleted user's slot", A, VpaStyle, HpaStyle,
                   QuantileTarget, WithMargin<QuantileTarget>, WithMargin<VpaStyle>,
                   MaxOfReactive<QuantileTarget>, MaxOfReactive<QuantileTarget, HpaStyle>) {
  const absl::Status s = testing::SlotReuseConformance([] { return A{}; }, 100, 555);
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE_TEMPLATE("foundation allocators declare truly whether they read the outlook", A,
                   VpaStyle, HpaStyle, QuantileTarget, WithMargin<QuantileTarget>,
                   WithMargin<VpaStyle>, MaxOfReactive<QuantileTarget>,
                   MaxOfReactive<QuantileTarget, HpaStyle>) {
  const absl::Status s = testing::OutlookConformance([] { return A{}; }, 50, 1357);
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE("Oracle plans without the outlook") {
  auto w = GenerateWorkload({.users = 5, .days = 1});
  REQUIRE(w.ok());
  static_assert(!ReadsOutlook<Oracle>());
  const absl::Status s = testing::OutlookConformance([&] { return Oracle(*w); }, 50, 1358);
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE("HpaStyle forgets a deleted user's stabilisation window") {
  // The default 5-minute window empties before the new user arrives.
  HpaStyleOptions o;
  o.downscale_stabilization = absl::Hours(1);
  const absl::Status s = testing::SlotReuseConformance([&] { return HpaStyle(o); }, 100, 556);
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE("Oracle forgets a deleted user's slot") {
  auto w = GenerateWorkload({.users = 5, .days = 1});
  REQUIRE(w.ok());
  const absl::Status s = testing::SlotReuseConformance([&] { return Oracle(*w); }, 50, 77);
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE("Oracle passes the Allocator conformance test") {
  // The oracle knows the generated workload; random problems use other ids,
  // which it must leave alone while still respecting the contract.
  auto w = GenerateWorkload({.users = 5, .days = 1});
  REQUIRE(w.ok());
  const absl::Status s = testing::AllocatorConformance([&] { return Oracle(*w); }, 100, 99);
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE("EmitWithinCapacity shares a short host in proportion to the grows") {
  testing::RandomProblem p;
  p.capacity = {ResourceVector::Filled(10)};
  for (int i = 0; i < 2; ++i) {
    UserObservation u;
    u.user = UserId{static_cast<std::uint64_t>(i)};
    u.allocation = ResourceVector::Filled(2);
    p.users.push_back(u);
    p.slots.push_back(static_cast<Slot>(i));
    p.costs.push_back(CostTerms{});
  }
  p.outlook.Resize(2, kDefaultQuantileLevels);
  const AllocationRequest req = p.Request(absl::UnixEpoch());
  std::vector<internal::Desire> want(2 * kNumResources);
  for (std::size_t k = 0; k < want.size(); ++k) want[k].target = k < kNumResources ? 8 : 4;
  AllocationPlan plan;
  internal::EmitWithinCapacity(req, want, plan);
  REQUIRE(CheckPlan(p.users, p.capacity, plan).ok());
  // 6 units free; grows of 6 and 2 get 4.5 and 1.5.
  double to0 = 0, to1 = 0;
  for (const Move& m : plan.moves) {
    if (m.resource != Resource::kCpu) continue;
    (m.index == 0 ? to0 : to1) = m.to;
    CHECK(m.reason == Reason::kCapacityShare);
  }
  CHECK(to0 == doctest::Approx(6.5));
  CHECK(to1 == doctest::Approx(3.5));
}

TEST_CASE("CheckPlan catches a grow planned before the shrink that makes room") {
  std::vector<UserObservation> users(2);
  users[0].user = UserId{0};
  users[1].user = UserId{1};
  users[0].allocation = users[1].allocation = ResourceVector::Filled(5);
  const std::vector<ResourceVector> cap = {ResourceVector::Filled(10)};
  AllocationPlan plan;
  plan.moves.push_back({.user = UserId{0}, .index = 0, .resource = Resource::kCpu, .from = 5, .to = 7});
  plan.moves.push_back({.user = UserId{1}, .index = 1, .resource = Resource::kCpu, .from = 5, .to = 3});
  CHECK(absl::IsFailedPrecondition(CheckPlan(users, cap, plan)));
  plan.OrderShrinksFirst();
  CHECK(CheckPlan(users, cap, plan).ok());
}

}  // namespace foresight
