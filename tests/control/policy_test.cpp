// Tests of the policy layer: user and group constraints, admin overrides,
// audit records, and capacity kept whatever the rules ask.
#include "foresight/control/policy.hpp"

#include <doctest/doctest.h>

#include "../allocate/random_instance.hpp"
#include "foresight/allocate/water_filling.hpp"

namespace foresight {
namespace {

using testing::RandomInstance;

struct Fixture {
  RandomInstance in = RandomInstance::Make(4, {.min_users = 3, .max_users = 3, .max_hosts = 1,
                                               .faults = false});
  Fixture() {
    in.capacity = {ResourceVector::Filled(100.0)};
    for (std::size_t i = 0; i < 3; ++i) {
      in.users[i].host = 0;
      in.costs[i] = CostTerms{};
      in.users[i].allocation = ResourceVector::Filled(10.0);
      for (Resource r : kAllResources) {
        for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) {
          in.outlook.quantiles(i, Index(r), k) = 20.0 + 10.0 * static_cast<double>(i);
        }
      }
    }
  }
  UserId id(std::size_t i) const { return in.users[i].user; }
};

double After(const RandomInstance& in, const AllocationPlan& plan, std::size_t i, Resource r) {
  return testing::LimitsAfter(in.users, plan)[i][r];
}

TEST_CASE("PolicyLayer clamps to user and group bounds and pins") {
  Fixture f;
  const AllocationRequest req = f.in.Request();
  WaterFilling wf;
  AllocationPlan plan;
  REQUIRE(wf.Plan(req, plan).ok());
  CHECK(After(f.in, plan, 0, Resource::kCpu) == doctest::Approx(20.0));
  PolicyLayer policy;
  UserConstraint c;
  c.max.cpu() = 15.0;
  c.pinned.memory() = 12.0;
  REQUIRE(policy.SetUserConstraint(f.id(0), c).ok());
  GroupConstraint g;
  g.member_max.io() = 22.0;
  g.quota.net() = 50.0;
  REQUIRE(policy.SetGroupConstraint("team", g).ok());
  UserConstraint m;
  m.group = "team";
  REQUIRE(policy.SetUserConstraint(f.id(1), m).ok());
  REQUIRE(policy.SetUserConstraint(f.id(2), m).ok());
  REQUIRE(policy.Apply(req, plan).ok());
  REQUIRE(CheckPlan(req.users, req.host_capacity, plan).ok());
  CHECK(After(f.in, plan, 0, Resource::kCpu) == doctest::Approx(15.0));
  CHECK(After(f.in, plan, 0, Resource::kMemory) == doctest::Approx(12.0));
  CHECK(After(f.in, plan, 1, Resource::kIo) == doctest::Approx(22.0));
  CHECK(After(f.in, plan, 2, Resource::kIo) == doctest::Approx(22.0));
  // Net: members want 30 + 40 from 10 + 10; quota 50 trims the grows by 20.
  CHECK(After(f.in, plan, 1, Resource::kNet) + After(f.in, plan, 2, Resource::kNet) ==
        doctest::Approx(50.0));
  // Audit: a record per touched (user, resource) with the rule and the numbers.
  bool saw_max = false, saw_quota = false;
  for (const AuditRecord& a : policy.audit()) {
    if (a.user == f.id(0) && a.resource == Resource::kCpu) {
      saw_max = true;
      CHECK(a.rule == "user max");
      CHECK(a.proposed == doctest::Approx(20.0));
      CHECK(a.to == doctest::Approx(15.0));
      CHECK(a.reason == Reason::kPolicy);
      CHECK(a.level == doctest::Approx(1.0 / 1.1));
      CHECK(a.forecast == doctest::Approx(20.0));
    }
    if (a.resource == Resource::kNet && a.user == f.id(2)) saw_quota = a.rule == "group quota";
  }
  CHECK(saw_max);
  CHECK(saw_quota);
  // Impossible constraints are refused.
  UserConstraint bad;
  bad.min.cpu() = 5;
  bad.max.cpu() = 1;
  CHECK(policy.SetUserConstraint(f.id(0), bad).code() == absl::StatusCode::kInvalidArgument);
  bad = UserConstraint{};
  bad.group = "nope";
  CHECK(policy.SetUserConstraint(f.id(0), bad).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("PolicyLayer admin overrides win over the allocator, expire, and respect capacity") {
  Fixture f;
  PolicyLayer policy;
  WaterFilling wf;
  AllocationPlan plan;
  REQUIRE(policy.AddOverride(f.id(0), {OverrideKind::kFreeze, Resource::kCpu, 0, absl::InfiniteFuture(), "incident 42"}).ok());
  REQUIRE(policy.AddOverride(f.id(1), {OverrideKind::kCap, Resource::kCpu, 12.0, absl::InfiniteFuture(), ""}).ok());
  REQUIRE(policy.AddOverride(f.id(2), {OverrideKind::kForce, Resource::kCpu, 5.0, absl::InfiniteFuture(), ""}).ok());
  REQUIRE(policy.AddOverride(f.id(2), {OverrideKind::kPin, Resource::kMemory, 7.0, f.in.now + absl::Minutes(7), ""}).ok());
  REQUIRE(policy.AddOverride(f.id(0), {OverrideKind::kPin, Resource::kIo, 1000.0, absl::InfiniteFuture(), ""}).ok());
  CHECK(policy.AddOverride(f.id(0), {OverrideKind::kCap, Resource::kIo, -1.0, absl::InfiniteFuture(), ""}).code() ==
        absl::StatusCode::kInvalidArgument);
  AllocationRequest req = f.in.Request();
  REQUIRE(wf.Plan(req, plan).ok());
  REQUIRE(policy.Apply(req, plan).ok());
  REQUIRE(CheckPlan(req.users, req.host_capacity, plan).ok());
  CHECK(After(f.in, plan, 0, Resource::kCpu) == doctest::Approx(10.0));   // frozen
  CHECK(After(f.in, plan, 1, Resource::kCpu) == doctest::Approx(12.0));   // capped
  CHECK(After(f.in, plan, 2, Resource::kCpu) == doctest::Approx(5.0));    // forced
  CHECK(After(f.in, plan, 2, Resource::kMemory) == doctest::Approx(7.0)); // pinned
  // Pinned above what the host can hold: clipped to capacity and audited.
  const double io0 = After(f.in, plan, 0, Resource::kIo);
  CHECK(io0 < 1000.0);
  double io_sum = 0;
  for (std::size_t i = 0; i < 3; ++i) io_sum += After(f.in, plan, i, Resource::kIo);
  CHECK(io_sum <= 100.0 + 1e-9);
  bool saw_freeze = false, saw_capacity = false;
  for (const AuditRecord& a : policy.audit()) {
    if (a.user == f.id(0) && a.resource == Resource::kCpu) {
      saw_freeze = a.rule == "admin freeze (incident 42)" && a.to == a.from;
    }
    if (a.user == f.id(0) && a.resource == Resource::kIo) saw_capacity = a.rule == "capacity";
  }
  CHECK(saw_freeze);
  CHECK(saw_capacity);
  // Ten minutes later: the pin expired, the force was one-shot.
  f.in.now += absl::Minutes(10);
  for (std::size_t i = 0; i < 3; ++i) f.in.users[i].allocation = testing::LimitsAfter(req.users, plan)[i];
  req = f.in.Request();
  REQUIRE(wf.Plan(req, plan).ok());
  REQUIRE(policy.Apply(req, plan).ok());
  CHECK(After(f.in, plan, 2, Resource::kCpu) == doctest::Approx(40.0));
  CHECK(After(f.in, plan, 2, Resource::kMemory) == doctest::Approx(40.0));
  CHECK(After(f.in, plan, 0, Resource::kCpu) == doctest::Approx(10.0));  // still frozen
  policy.ClearOverrides(f.id(0));
  REQUIRE(wf.Plan(req, plan).ok());
  REQUIRE(policy.Apply(req, plan).ok());
  CHECK(After(f.in, plan, 0, Resource::kCpu) == doctest::Approx(20.0));
}

TEST_CASE("PolicyLayer keeps capacity on random plans and rules") {
  WaterFilling wf;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    RandomInstance in = RandomInstance::Make(seed, {.faults = false});
    PolicyLayer policy;
    std::mt19937_64 rng(seed);
    for (std::size_t i = 0; i < in.users.size(); ++i) {
      const Resource r = kAllResources[rng() % 4];
      const double v = in.capacity[in.users[i].host][r] * (rng() % 100) / 50.0;
      switch (rng() % 4) {
        case 0: REQUIRE(policy.AddOverride(in.users[i].user, {OverrideKind::kPin, r, v, absl::InfiniteFuture(), ""}).ok()); break;
        case 1: REQUIRE(policy.AddOverride(in.users[i].user, {OverrideKind::kCap, r, v, absl::InfiniteFuture(), ""}).ok()); break;
        case 2: REQUIRE(policy.AddOverride(in.users[i].user, {OverrideKind::kFreeze, r, 0, absl::InfiniteFuture(), ""}).ok()); break;
        default: {
          UserConstraint c;
          c.min[r] = v * 0.5;
          c.max[r] = v;
          REQUIRE(policy.SetUserConstraint(in.users[i].user, c).ok());
        }
      }
    }
    const AllocationRequest req = in.Request();
    AllocationPlan plan;
    REQUIRE(wf.Plan(req, plan).ok());
    REQUIRE(policy.Apply(req, plan).ok());
    const absl::Status s = CheckPlan(req.users, req.host_capacity, plan);
    CHECK_MESSAGE(s.ok(), s.ToString());
    CHECK(!policy.audit().empty());
  }
}

}  // namespace
}  // namespace foresight
