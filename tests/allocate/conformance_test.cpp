// Allocator conformance: every shipped allocator satisfies the contract of
// allocate/allocator.hpp on thousands of seeded random instances.
#include <doctest/doctest.h>

#include <cmath>

#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/autopilot.hpp"
#include "foresight/allocate/damping.hpp"
#include "foresight/allocate/fallback.hpp"
#include "foresight/allocate/preemption.hpp"
#include "foresight/allocate/proactive_donor.hpp"
#include "foresight/allocate/thresholds.hpp"
#include "foresight/allocate/vpa_style.hpp"
#include "foresight/allocate/water_filling.hpp"
#include "foresight/testing/conformance.hpp"
#include "random_instance.hpp"

namespace foresight {
namespace {

using testing::RandomInstance;

// A plan never raises a host's use of a resource above its capacity (a
// shrink on a host that starts over capacity is allowed: it only helps).
absl::Status CheckNoOvercommit(std::span<const UserObservation> users,
                               std::span<const ResourceVector> capacity, const AllocationPlan& plan) {
  std::vector<ResourceVector> used(capacity.size());
  std::vector<ResourceVector> cur(users.size());
  for (std::size_t i = 0; i < users.size(); ++i) {
    used[users[i].host] += users[i].allocation;
    cur[i] = users[i].allocation;
  }
  for (std::size_t k = 0; k < plan.moves.size(); ++k) {
    const Move& m = plan.moves[k];
    if (m.index >= users.size() || users[m.index].user != m.user) {
      return absl::InvalidArgumentError("unknown user");
    }
    if (!(m.to >= 0) || !std::isfinite(m.to)) return absl::InvalidArgumentError("bad target");
    const std::uint32_t h = users[m.index].host;
    const double before = used[h][m.resource];
    used[h][m.resource] += m.to - cur[m.index][m.resource];
    cur[m.index][m.resource] = m.to;
    const double cap = capacity[h][m.resource];
    if (m.to > m.from && used[h][m.resource] > cap * (1 + 1e-9) + 1e-9) {
      return absl::FailedPreconditionError(absl::StrCat("move ", k, " grows host ", h, " from ",
                                                        before, " to ", used[h][m.resource],
                                                        " above ", cap));
    }
  }
  return absl::OkStatus();
}

bool StartsWithinCapacity(const RandomInstance& in) {
  std::vector<ResourceVector> used(in.capacity.size());
  for (const auto& u : in.users) used[u.host] += u.allocation;
  for (std::size_t h = 0; h < used.size(); ++h) {
    if (!AllLessEqual(used[h], in.capacity[h], 1e-9)) return false;
  }
  return true;
}

#define FORESIGHT_DECISION_ALLOCATORS                                                     \
  WaterFilling, ProactiveDonor, Thresholds, Fallback, WithPreemption<ProactiveDonor>,     \
      WithPreemption<WaterFilling>, Damped<WaterFilling>, Damped<ProactiveDonor>,         \
      AutopilotMovingWindow, AutopilotMl

TEST_CASE_TEMPLATE("Allocator conformance", A, FORESIGHT_DECISION_ALLOCATORS) {
  static_assert(Allocator<A>);
  CHECK(!std::string_view(A::Name()).empty());
  A allocator;
  AllocationPlan plan;
  int overcommitted = 0;
  for (std::uint64_t seed = 0; seed < 600; ++seed) {
    RandomInstance in = RandomInstance::Make(seed * 7919 + 11);
    in.now += absl::Minutes(5) * static_cast<std::int64_t>(seed);
    const AllocationRequest req = in.Request();
    const absl::Status s = allocator.Plan(req, plan);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    const bool within = StartsWithinCapacity(in);
    if (within) {
      const absl::Status c = CheckPlan(req.users, req.host_capacity, plan);
      REQUIRE_MESSAGE(c.ok(), "seed ", seed, ": ", c.ToString());
    } else {
      ++overcommitted;
    }
    const absl::Status c = CheckNoOvercommit(req.users, req.host_capacity, plan);
    REQUIRE_MESSAGE(c.ok(), "seed ", seed, ": ", c.ToString());
    // Shrinks (and preemptions) before grows; one move per user and resource.
    bool grown = false;
    std::vector<char> seen(in.users.size() * kNumResources, 0);
    std::vector<ResourceVector> min_sum(in.capacity.size());
    for (std::size_t i = 0; i < in.users.size(); ++i) min_sum[in.users[i].host] += in.costs[i].min;
    for (const Move& m : plan.moves) {
      const bool shrink = m.kind == MoveKind::kPreempt || m.to < m.from;
      CHECK_MESSAGE(!(shrink && grown), "seed ", seed, ": a shrink after a grow");
      grown = grown || (m.kind == MoveKind::kResize && m.to > m.from);
      char& s2 = seen[m.index * kNumResources + Index(m.resource)];
      CHECK_MESSAGE(s2 == 0, "seed ", seed, ": two moves for one user and resource");
      s2 = 1;
      CHECK(m.from == in.users[m.index].allocation[m.resource]);
      CHECK(std::isfinite(m.benefit));
      CHECK(std::isfinite(m.cost));
      CHECK(std::isfinite(m.level));
      CHECK(std::isfinite(m.forecast));
      if (m.kind != MoveKind::kResize) continue;
      const CostTerms& t = in.costs[m.index];
      // Within [min, max] when capacity allows.
      if (m.to > m.from) CHECK(m.to <= t.max[m.resource] * (1 + 1e-9) + 1e-12);
      const std::uint32_t h = in.users[m.index].host;
      if (m.to < m.from && min_sum[h][m.resource] <= in.capacity[h][m.resource]) {
        CHECK_MESSAGE(m.to >= t.min[m.resource] * (1 - 1e-9) - 1e-12, "seed ", seed,
                      ": shrink below min ", t.min[m.resource], " to ", m.to);
      }
    }
  }
  CHECK(overcommitted > 0);  // the fault cases were exercised
}

TEST_CASE_TEMPLATE("Decision allocators pass the shared multi-tick conformance test", A,
                   FORESIGHT_DECISION_ALLOCATORS) {
  const absl::Status s = testing::AllocatorConformance([] { return A{}; }, 200, 4321);
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE_TEMPLATE("Decision allocators declare truly whether they read the outlook", A,
                   FORESIGHT_DECISION_ALLOCATORS, Damped<VpaStyle>, WithPreemption<VpaStyle>) {
  const absl::Status s = testing::OutlookConformance([] { return A{}; }, 50, 2468);
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE_TEMPLATE("Decision allocators forget a deleted user's slot", A,
                   FORESIGHT_DECISION_ALLOCATORS, Damped<VpaStyle>, WithPreemption<VpaStyle>) {
  const absl::Status s = testing::SlotReuseConformance([] { return A{}; }, 100, 8765);
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE("Damped forgets a deleted user's change budget") {
  // At the default budget (48 a day) the six ticks never reach it.
  auto make = [] {
    Damped<VpaStyle> d;
    DampingOptions o;
    o.changes_per_day = 4;
    REQUIRE(d.set_options(o).ok());
    return d;
  };
  const absl::Status s = testing::SlotReuseConformance(make, 100, 4242);
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE_TEMPLATE("Allocator rejects malformed requests without changing state", A,
                   FORESIGHT_DECISION_ALLOCATORS) {
  RandomInstance good = RandomInstance::Make(5, {.min_users = 10, .max_users = 10});
  const AllocationRequest req = good.Request();
  A clean, disturbed;
  AllocationPlan p1, p2;
  REQUIRE(clean.Plan(req, p1).ok());
  REQUIRE(disturbed.Plan(req, p2).ok());
  // Bad inputs: NaN usage, unknown host, min > max, misaligned spans, NaN outlook.
  {
    RandomInstance bad = good;
    bad.users[3].usage[Resource::kCpu] = std::nan("");
    AllocationPlan p;
    CHECK(disturbed.Plan(bad.Request(), p).code() == absl::StatusCode::kInvalidArgument);
    CHECK(p.empty());
  }
  {
    RandomInstance bad = good;
    bad.users[2].host = 99;
    AllocationPlan p;
    CHECK(disturbed.Plan(bad.Request(), p).code() == absl::StatusCode::kInvalidArgument);
  }
  {
    RandomInstance bad = good;
    bad.costs[1].min[Resource::kMemory] = 10;
    bad.costs[1].max[Resource::kMemory] = 1;
    AllocationPlan p;
    CHECK(disturbed.Plan(bad.Request(), p).code() == absl::StatusCode::kInvalidArgument);
  }
  {
    RandomInstance bad = good;
    bad.slots.pop_back();
    AllocationPlan p;
    CHECK(disturbed.Plan(bad.Request(), p).code() == absl::StatusCode::kInvalidArgument);
  }
  {
    RandomInstance bad = good;
    bad.outlook.quantiles(4, 1, 2) = -1.0;
    AllocationPlan p;
    CHECK(disturbed.Plan(bad.Request(), p).code() == absl::StatusCode::kInvalidArgument);
  }
  RandomInstance next = good;
  next.now += absl::Minutes(5);
  const AllocationRequest req2 = next.Request();
  REQUIRE(clean.Plan(req2, p1).ok());
  REQUIRE(disturbed.Plan(req2, p2).ok());
  REQUIRE(p1.size() == p2.size());
  for (std::size_t k = 0; k < p1.size(); ++k) {
    CHECK(p1.moves[k].user == p2.moves[k].user);
    CHECK(p1.moves[k].to == p2.moves[k].to);
  }
}

}  // namespace
}  // namespace foresight
