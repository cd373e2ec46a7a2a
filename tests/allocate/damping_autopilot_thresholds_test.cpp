// Tests of Damped<A>, the Autopilot recommenders and Thresholds.
#include <doctest/doctest.h>

#include <limits>
#include <string>

#include "foresight/allocate/autopilot.hpp"
#include "foresight/allocate/damping.hpp"
#include "foresight/allocate/thresholds.hpp"
#include "foresight/allocate/water_filling.hpp"
#include "random_instance.hpp"

namespace foresight {
namespace {

using testing::RandomInstance;

// One user, one roomy host, outlook a point at `demand` for every resource.
RandomInstance OneUser(double demand, double alloc) {
  RandomInstance in = RandomInstance::Make(1, {.min_users = 1, .max_users = 1, .max_hosts = 1,
                                               .faults = false});
  in.users[0].host = 0;
  in.costs[0] = CostTerms{};
  in.capacity = {ResourceVector::Filled(1000.0)};
  in.users[0].allocation = ResourceVector::Filled(alloc);
  in.users[0].usage = ResourceVector::Filled(demand);
  in.users[0].events = kEventNone;
  for (Resource r : kAllResources) {
    for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) {
      in.outlook.quantiles(0, Index(r), k) = demand;
    }
  }
  return in;
}

void ApplyPlan(RandomInstance& in, const AllocationPlan& plan) {
  const auto after = testing::LimitsAfter(in.users, plan);
  for (std::size_t i = 0; i < in.users.size(); ++i) in.users[i].allocation = after[i];
}

TEST_CASE("Damped drops small changes, holds the max before shrinking, keeps a change budget") {
  Damped<WaterFilling> damped;
  DampingOptions o;
  o.min_relative_change = 0.05;
  o.hysteresis = 0.10;
  o.hold_window = absl::Minutes(30);
  o.changes_per_day = 3;
  REQUIRE(damped.set_options(o).ok());
  RandomInstance in = OneUser(10.0, 10.0);
  AllocationPlan plan;
  // Small grow (3%): dropped.
  for (Resource r : kAllResources) {
    for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) in.outlook.quantiles(0, Index(r), k) = 10.3;
  }
  REQUIRE(damped.Plan(in.Request(), plan).ok());
  CHECK(plan.empty());
  CHECK(damped.last_dropped() == 4);
  // Big grow to 20: made.
  in.now += absl::Minutes(5);
  for (Resource r : kAllResources) {
    for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) in.outlook.quantiles(0, Index(r), k) = 20.0;
  }
  REQUIRE(damped.Plan(in.Request(), plan).ok());
  CHECK(plan.size() == 4);
  ApplyPlan(in, plan);
  // Demand falls to 12: the recommendation of 20 five minutes ago is held.
  in.now += absl::Minutes(5);
  for (Resource r : kAllResources) {
    for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) in.outlook.quantiles(0, Index(r), k) = 12.0;
  }
  REQUIRE(damped.Plan(in.Request(), plan).ok());
  CHECK(plan.empty());
  // After the hold window the shrink goes through.
  in.now += absl::Minutes(31);
  REQUIRE(damped.Plan(in.Request(), plan).ok());
  REQUIRE(plan.size() == 4);
  CHECK(plan.moves[0].to == doctest::Approx(12.0));
  ApplyPlan(in, plan);
  // Budget: two changes used, one left; after it, moves are dropped for a day.
  in.now += absl::Minutes(5);
  for (Resource r : kAllResources) {
    for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) in.outlook.quantiles(0, Index(r), k) = 30.0;
  }
  REQUIRE(damped.Plan(in.Request(), plan).ok());
  CHECK(plan.size() == 4);
  ApplyPlan(in, plan);
  in.now += absl::Minutes(5);
  for (Resource r : kAllResources) {
    for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) in.outlook.quantiles(0, Index(r), k) = 60.0;
  }
  REQUIRE(damped.Plan(in.Request(), plan).ok());
  CHECK(plan.empty());
  in.now += absl::Hours(24);
  REQUIRE(damped.Plan(in.Request(), plan).ok());
  CHECK(plan.size() == 4);
  // Out-of-bounds limits are corrected whatever the budget.
  DampingOptions none = o;
  none.changes_per_day = 1;
  REQUIRE(damped.set_options(none).ok());
  in.costs[0].max = ResourceVector::Filled(5.0);
  REQUIRE(damped.Plan(in.Request(), plan).ok());
  CHECK(plan.size() == 4);
}

TEST_CASE("Damped releases a held-back shrink when a neighbour's grow needs the room") {
  // Two users on a host of 20.2: A at 10 wants 9.5 (a 5% shrink, under the
  // 10% hysteresis), B at 10 wants 10.5 (a 5% grow, over the 2% minimum).
  // Free room is 0.2, so B's grow fits only if A's shrink is made.
  RandomInstance in = OneUser(9.5, 10.0);
  in.users.push_back(in.users[0]);
  in.users[1].user = UserId{in.users[0].user.value + 1};
  in.slots = {0, 1};
  in.costs.push_back(in.costs[0]);
  in.capacity = {ResourceVector::Filled(20.2)};
  in.outlook.Resize(2, kDefaultQuantileLevels);
  for (Resource r : kAllResources) {
    for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) {
      in.outlook.quantiles(0, Index(r), k) = 9.5;
      in.outlook.quantiles(1, Index(r), k) = 10.5;
    }
  }
  DampingOptions o;
  o.min_relative_change = 0.02;
  o.hysteresis = 0.10;
  o.hold_window = absl::ZeroDuration();
  o.changes_per_day = 0;
  auto limits = [&](bool yield, std::size_t* released) {
    Damped<WaterFilling> damped;
    DampingOptions d = o;
    d.yield_to_grows = yield;
    REQUIRE(damped.set_options(d).ok());
    AllocationPlan plan;
    REQUIRE(damped.Plan(in.Request(), plan).ok());
    *released = damped.last_released();
    CHECK(damped.last_dropped() == 4);  // A's four shrinks, before any yield
    return testing::LimitsAfter(in.users, plan);
  };
  std::size_t released = 0;
  const auto held = limits(false, &released);
  CHECK(released == 0);
  for (Resource r : kAllResources) {
    CHECK(held[0][r] == 10.0);
    CHECK(held[1][r] == doctest::Approx(10.2));  // clipped to the free room
    CHECK(held[0][r] + held[1][r] <= 20.2);
  }
  const auto yielded = limits(true, &released);
  CHECK(released == 4);
  for (Resource r : kAllResources) {
    CHECK(yielded[0][r] == doctest::Approx(9.5));
    CHECK(yielded[1][r] == doctest::Approx(10.5));
    CHECK(yielded[0][r] + yielded[1][r] <= 20.2);
  }
  // With room for both, the shrink stays held.
  in.capacity = {ResourceVector::Filled(30.0)};
  const auto roomy = limits(true, &released);
  CHECK(released == 0);
  CHECK(roomy[0].cpu() == 10.0);
  CHECK(roomy[1].cpu() == doctest::Approx(10.5));
}

// Sets every quantile of user `i`'s outlook for resource `r` to `v`.
void SetOutlook(RandomInstance& in, std::size_t i, Resource r, double v) {
  for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) in.outlook.quantiles(i, Index(r), k) = v;
}

TEST_CASE("Damped's per-resource thresholds replace the shared ones resource by resource") {
  DampingOptions o;
  o.min_relative_change = 0.02;
  o.hysteresis = 0.10;
  o.hold_window = absl::ZeroDuration();
  o.changes_per_day = 0;
  o.min_relative_change_by_resource = MakeResources(0.02, 0.02, 0.10, 0.10);
  o.hysteresis_by_resource = MakeResources(0.10, 0.10, 0.20, 0.20);
  CHECK(o.MinRelativeChange(Resource::kCpu) == 0.02);
  CHECK(o.MinRelativeChange(Resource::kIo) == 0.10);
  CHECK(o.Hysteresis(Resource::kNet) == 0.20);
  Damped<WaterFilling> damped;
  REQUIRE(damped.set_options(o).ok());
  RandomInstance in = OneUser(10.0, 10.0);
  AllocationPlan plan;
  auto limits = [&](double target) {
    for (Resource r : kAllResources) SetOutlook(in, 0, r, target);
    REQUIRE(damped.Plan(in.Request(), plan).ok());
    in.now += absl::Minutes(5);
    return testing::LimitsAfter(in.users, plan)[0];
  };
  // A 5% grow: over CPU's and memory's 2%, under IO's and network's 10%.
  ResourceVector after = limits(10.5);
  CHECK(after.cpu() == doctest::Approx(10.5));
  CHECK(after.memory() == doctest::Approx(10.5));
  CHECK(after.io() == 10.0);
  CHECK(after.net() == 10.0);
  CHECK(damped.last_dropped() == 2);
  // A 15% shrink from 10: over the 10% hysteresis, under the 20%.
  after = limits(8.5);
  CHECK(after.cpu() == doctest::Approx(8.5));
  CHECK(after.io() == 10.0);
  CHECK(after.net() == 10.0);
  // Unset, the scalars apply to every resource again.
  o.min_relative_change_by_resource.reset();
  o.hysteresis_by_resource.reset();
  REQUIRE(damped.set_options(o).ok());
  after = limits(10.5);
  for (Resource r : kAllResources) CHECK(after[r] == doctest::Approx(10.5));
}

TEST_CASE("Damped holds a resource never used at its limit until the first use") {
  // Memory idle at 0 since the start (a VM not started yet): the base would
  // follow it down to 1; with hold_until_used the limit stays at 10. CPU,
  // not held, shrinks. The first sample above 0 ends the hold for good.
  Damped<WaterFilling> damped;
  DampingOptions o;
  o.min_relative_change = 0.02;
  o.hysteresis = 0.10;
  o.hold_window = absl::ZeroDuration();
  o.changes_per_day = 0;
  o.hold_until_used.memory() = true;
  REQUIRE(damped.set_options(o).ok());
  RandomInstance in = OneUser(0.0, 10.0);
  for (Resource r : kAllResources) SetOutlook(in, 0, r, 1.0);
  AllocationPlan plan;
  for (int tick = 0; tick < 3; ++tick) {
    in.now += absl::Minutes(5);
    REQUIRE(damped.Plan(in.Request(), plan).ok());
    ApplyPlan(in, plan);
    CHECK(in.users[0].allocation.memory() == 10.0);
  }
  CHECK(in.users[0].allocation.cpu() == doctest::Approx(1.0));
  // First use: the shrink is made, and stays allowed once usage is 0 again.
  in.users[0].usage.memory() = 0.5;
  in.now += absl::Minutes(5);
  REQUIRE(damped.Plan(in.Request(), plan).ok());
  ApplyPlan(in, plan);
  CHECK(in.users[0].allocation.memory() == doctest::Approx(1.0));
  in.users[0].usage.memory() = 0.0;
  SetOutlook(in, 0, Resource::kMemory, 5.0);
  in.now += absl::Minutes(5);
  REQUIRE(damped.Plan(in.Request(), plan).ok());
  ApplyPlan(in, plan);
  SetOutlook(in, 0, Resource::kMemory, 0.5);
  in.now += absl::Minutes(5);
  REQUIRE(damped.Plan(in.Request(), plan).ok());
  ApplyPlan(in, plan);
  CHECK(in.users[0].allocation.memory() == doctest::Approx(0.5));
  // Grows are never held.
  Damped<WaterFilling> fresh;
  REQUIRE(fresh.set_options(o).ok());
  RandomInstance idle = OneUser(0.0, 1.0);
  for (Resource r : kAllResources) SetOutlook(idle, 0, r, 4.0);
  REQUIRE(fresh.Plan(idle.Request(), plan).ok());
  ApplyPlan(idle, plan);
  CHECK(idle.users[0].allocation.memory() == doctest::Approx(4.0));
}

TEST_CASE("Damped's grow overshoot goes past the target within max and capacity") {
  DampingOptions o;
  o.min_relative_change = 0.02;
  o.hold_window = absl::ZeroDuration();
  o.changes_per_day = 0;
  o.grow_overshoot = MakeResources(0.10, 0.0, 0.10, 0.10);
  auto grow = [&](double capacity, double max_io, std::size_t* released) {
    RandomInstance in = OneUser(20.0, 10.0);
    in.capacity = {ResourceVector::Filled(capacity)};
    in.costs[0].max.io() = max_io;
    Damped<WaterFilling> damped;
    REQUIRE(damped.set_options(o).ok());
    AllocationPlan plan;
    REQUIRE(damped.Plan(in.Request(), plan).ok());
    *released = damped.last_released();
    const ResourceVector after = testing::LimitsAfter(in.users, plan)[0];
    for (Resource r : kAllResources) CHECK(after[r] <= capacity);
    return after;
  };
  std::size_t released = 0;
  ResourceVector roomy = grow(1000.0, 21.0, &released);
  CHECK(roomy.cpu() == doctest::Approx(22.0));
  CHECK(roomy.memory() == doctest::Approx(20.0));  // no overshoot for memory
  CHECK(roomy.io() == doctest::Approx(21.0));      // the user's max
  CHECK(roomy.net() == doctest::Approx(22.0));
  CHECK(released == 0);
  // A host with room for the target but not the overshoot: the overshoot is
  // given back (released) rather than clipped into the host's last headroom.
  ResourceVector tight = grow(20.5, 1e9, &released);
  CHECK(tight.cpu() == doctest::Approx(20.0));
  CHECK(tight.net() == doctest::Approx(20.0));
  CHECK(released == 3);
}

TEST_CASE("Damped rejects bad per-resource options and keeps its old ones") {
  Damped<WaterFilling> damped;
  DampingOptions good;
  good.min_relative_change = 0.03;
  REQUIRE(damped.set_options(good).ok());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  DampingOptions bad = good;
  bad.min_relative_change_by_resource = MakeResources(0.02, nan, 0.1, 0.1);
  absl::Status s = damped.set_options(bad);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()).find("per-resource") != std::string::npos);
  bad = good;
  bad.hysteresis_by_resource = MakeResources(0.1, 0.1, -0.2, 0.1);
  CHECK_FALSE(damped.set_options(bad).ok());
  bad = good;
  bad.grow_overshoot = MakeResources(0.1, 0.0, std::numeric_limits<double>::infinity(), 0.0);
  s = damped.set_options(bad);
  CHECK_FALSE(s.ok());
  CHECK(std::string(s.message()).find("grow_overshoot") != std::string::npos);
  CHECK(damped.options().min_relative_change == 0.03);
  CHECK_FALSE(damped.options().min_relative_change_by_resource.has_value());
}

TEST_CASE("Thresholds scales up and down across thresholds and deallocates idle users") {
  Thresholds th;
  AllocationPlan plan;
  RandomInstance in = OneUser(9.0, 10.0);  // 90% > 85%: up to 9 / 0.7
  REQUIRE(th.Plan(in.Request(), plan).ok());
  REQUIRE(plan.size() == 1);  // memory, io and net changes are below their minimum change
  CHECK(plan.moves[0].resource == Resource::kCpu);
  CHECK(plan.moves[0].to == doctest::Approx(9.0 / 0.7));
  in = OneUser(6.0, 10.0);  // 60%: inside the band, no change
  REQUIRE(th.Plan(in.Request(), plan).ok());
  CHECK(plan.empty());
  in = OneUser(3.0, 10.0);  // 30% < 40%: down to 3 / 0.7
  REQUIRE(th.Plan(in.Request(), plan).ok());
  REQUIRE(!plan.empty());
  CHECK(plan.moves[0].to == doctest::Approx(3.0 / 0.7));
  CHECK(plan.moves[0].reason == Reason::kForecast);
  in = OneUser(0.0, 10.0);  // idle: to the minimum
  in.costs[0].min = ResourceVector::Filled(0.5);
  REQUIRE(th.Plan(in.Request(), plan).ok());
  REQUIRE(!plan.empty());
  CHECK(plan.moves[0].to == doctest::Approx(0.5));
  CHECK(plan.moves[0].reason == Reason::kIdle);
  ThresholdOptions bad;
  bad.scale_down_utilisation = 0.9;
  CHECK(th.set_options(bad).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE_TEMPLATE("Autopilot recommenders follow a usage level and hold the peak", A,
                   AutopilotMovingWindow, AutopilotMl) {
  A ap;
  AllocationPlan plan;
  RandomInstance in = OneUser(4.0, 1.0);
  in.has_outlook = false;
  for (int k = 0; k < 72; ++k) {  // six hours at 4 units
    in.users[0].usage = ResourceVector::Filled(4.0 + (k % 3) * 0.1);
    REQUIRE(ap.Plan(in.Request(), plan).ok());
    REQUIRE(CheckPlan(in.users, in.capacity, plan).ok());
    ApplyPlan(in, plan);
    in.now += absl::Minutes(5);
  }
  const double cpu = in.users[0].allocation.cpu();
  CHECK(cpu >= 4.0);
  CHECK(cpu <= 4.0 * 1.35);
  // Usage drops: within the hold window the limit does not shrink.
  in.users[0].usage = ResourceVector::Filled(1.0);
  REQUIRE(ap.Plan(in.Request(), plan).ok());
  for (const Move& m : plan.moves) CHECK(m.to >= m.from);
  for (const Move& m : plan.moves) CHECK(m.reason == Reason::kReactive);
}

TEST_CASE("AutopilotMl picks a low-cost model and validates options") {
  AutopilotMl ml;
  CHECK(ml.num_models() == 16);
  AutopilotMlOptions bad;
  bad.margins = {};
  CHECK(ml.set_options(bad).code() == absl::StatusCode::kInvalidArgument);
  RandomInstance in = OneUser(2.0, 2.0);
  in.has_outlook = false;
  AllocationPlan plan;
  for (int k = 0; k < 50; ++k) {
    REQUIRE(ml.Plan(in.Request(), plan).ok());
    ApplyPlan(in, plan);
    in.now += absl::Minutes(5);
  }
  CHECK(ml.chosen_model(in.slots[0], Resource::kCpu) >= 0);
}

}  // namespace
}  // namespace foresight
