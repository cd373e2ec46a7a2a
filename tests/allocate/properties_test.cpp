// Property tests of the decision engine over thousands of seeded random
// instances (users, capacities, forecasts, faults).
#include <doctest/doctest.h>

#include "foresight/allocate/fallback.hpp"
#include "foresight/allocate/preemption.hpp"
#include "foresight/allocate/proactive_donor.hpp"
#include "foresight/allocate/water_filling.hpp"
#include "random_instance.hpp"

namespace foresight {
namespace {

using testing::RandomInstance;

TEST_CASE("ProactiveDonor: no transfer whose benefit is below its cost; donors keep their target") {
  ProactiveDonor donor;
  AllocationPlan plan;
  std::size_t transfers = 0;
  for (std::uint64_t seed = 0; seed < 3000; ++seed) {
    RandomInstance in = RandomInstance::Make(seed, {.contention = 1.2});
    const AllocationRequest req = in.Request();
    REQUIRE(donor.Plan(req, plan).ok());
    transfers += donor.last_transfers();
    std::vector<ResourceVector> used(in.capacity.size());
    for (const auto& u : in.users) used[u.host] += u.allocation;
    for (const Move& m : plan.moves) {
      // Hosts that start over capacity must give back whatever it costs.
      const std::uint32_t h = in.users[m.index].host;
      if (used[h][m.resource] > in.capacity[h][m.resource]) continue;
      if (m.reason == Reason::kTransfer || m.reason == Reason::kForecast) {
        CHECK_MESSAGE(m.benefit > m.cost, "seed ", seed);
      }
      // A donor never goes below its own target (its water-filled share when
      // the host cannot hold every target).
      if (m.reason == Reason::kTransfer && m.to < m.from) {
        double sum = 0.0;
        std::vector<std::uint32_t> members;
        for (std::uint32_t i = 0; i < in.users.size(); ++i) {
          if (in.users[i].host != h) continue;
          members.push_back(i);
          sum += internal::TargetAllocation(req, i, m.resource);
        }
        double floor = internal::TargetAllocation(req, m.index, m.resource);
        if (sum > in.capacity[h][m.resource]) {
          WaterFilling wf;
          std::vector<double> share(in.users.size()), lambda(in.users.size());
          wf.FillHost(req, members, m.resource, share, lambda);
          floor = share[m.index];
        }
        CHECK(m.to >= floor - 1e-9 * in.capacity[h][m.resource] - 1e-12);
      }
    }
  }
  CHECK(transfers > 1000);  // the property was exercised
}

TEST_CASE("ProactiveDonor: receivers are served in priority order") {
  // One host, two receivers of different priority, one donor with room for one.
  RandomInstance in = RandomInstance::Make(1, {.min_users = 3, .max_users = 3, .max_hosts = 1,
                                               .faults = false});
  for (std::size_t i = 0; i < 3; ++i) {
    in.users[i].host = 0;
    in.costs[i] = CostTerms{};
    for (Resource r : kAllResources) {
      for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) {
        in.outlook.quantiles(i, Index(r), k) = i == 2 ? 1.0 : 10.0;
      }
    }
    in.users[i].allocation = ResourceVector::Filled(i == 2 ? 11.0 : 1.0);
  }
  in.costs[1].priority = 5.0;
  in.capacity = {ResourceVector::Filled(13.0)};
  const AllocationRequest req = in.Request();
  ProactiveDonor donor;
  donor.set_share_when_contended(false);  // seed 000's loop: donors give only excess
  AllocationPlan plan;
  REQUIRE(donor.Plan(req, plan).ok());
  REQUIRE(CheckPlan(req.users, req.host_capacity, plan).ok());
  const auto after = testing::LimitsAfter(req.users, plan);
  CHECK(after[1][Resource::kCpu] == doctest::Approx(10.0));  // high priority gets all it needs
  CHECK(after[0][Resource::kCpu] == doctest::Approx(2.0));   // the rest
  CHECK(after[2][Resource::kCpu] == doctest::Approx(1.0));   // donor down to its target
  // With water-filled targets the two priority-1 users share what is left at
  // equal marginal value, and the priority-5 user still gets all it needs.
  donor.set_share_when_contended(true);
  REQUIRE(donor.Plan(req, plan).ok());
  REQUIRE(CheckPlan(req.users, req.host_capacity, plan).ok());
  const auto shared = testing::LimitsAfter(req.users, plan);
  CHECK(shared[1][Resource::kCpu] == doctest::Approx(10.0));
  CHECK(shared[0][Resource::kCpu] + shared[2][Resource::kCpu] == doctest::Approx(3.0).epsilon(1e-6));
  CHECK(shared[2][Resource::kCpu] < 1.0);
}

TEST_CASE("ProactiveDonor: a change penalty above the benefit stops the transfer") {
  RandomInstance in = RandomInstance::Make(2, {.min_users = 2, .max_users = 2, .max_hosts = 1,
                                               .faults = false});
  for (std::size_t i = 0; i < 2; ++i) {
    in.users[i].host = 0;
    in.costs[i] = CostTerms{};
    for (Resource r : kAllResources) {
      for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) {
        in.outlook.quantiles(i, Index(r), k) = i == 0 ? 6.0 : 4.0;
      }
    }
    in.users[i].allocation = ResourceVector::Filled(5.0);
  }
  in.capacity = {ResourceVector::Filled(10.0)};
  ProactiveDonor donor;
  AllocationPlan plan;
  REQUIRE(donor.Plan(in.Request(), plan).ok());
  CHECK(donor.last_transfers() == 4);  // one per resource: worth 1 unit x 3600 s x 1.0
  for (auto& t : in.costs) t.change = ResourceVector::Filled(1e5);
  REQUIRE(donor.Plan(in.Request(), plan).ok());
  CHECK(donor.last_transfers() == 0);
  CHECK(plan.empty());
}

TEST_CASE("WithPreemption: preempts only lower priorities, only when free capacity cannot meet "
          "the need, only when the benefit exceeds the cost") {
  WithPreemption<ProactiveDonor> pre;
  ProactiveDonor base;  // the same base, run alongside, to see what free capacity it leaves
  AllocationPlan plan, base_plan;
  std::size_t preemptions = 0;
  for (std::uint64_t seed = 0; seed < 3000; ++seed) {
    RandomInstance in = RandomInstance::Make(seed, {.contention = 2.0});
    // Cheap victims sometimes, so that preemption happens.
    for (auto& t : in.costs) {
      if (t.priority == 1.0) t.under = t.under * 0.01;
    }
    const AllocationRequest req = in.Request();
    REQUIRE(pre.Plan(req, plan).ok());
    REQUIRE(base.Plan(req, base_plan).ok());
    const auto base_after = testing::LimitsAfter(req.users, base_plan);
    std::vector<ResourceVector> free(in.capacity);
    for (std::size_t i = 0; i < in.users.size(); ++i) free[in.users[i].host] -= base_after[i];
    for (const PreemptionOrder& o : pre.orders()) {
      ++preemptions;
      std::size_t v = 0, u = 0;
      for (std::size_t i = 0; i < in.users.size(); ++i) {
        if (in.users[i].user == o.victim) v = i;
        if (in.users[i].user == o.for_user) u = i;
      }
      CHECK(in.costs[v].priority < in.costs[u].priority);
      CHECK(in.users[v].host == in.users[u].host);
      CHECK(o.benefit > o.cost);
      // The higher-priority demand on the host exceeds what the base plan left free.
      bool exceeds = false;
      for (Resource r : kAllResources) {
        double need = 0.0;
        for (std::size_t i = 0; i < in.users.size(); ++i) {
          if (in.users[i].host != in.users[u].host || in.costs[i].priority <= in.costs[v].priority)
            continue;
          need += std::max(0.0, internal::TargetAllocation(req, i, r) - base_after[i][r]);
        }
        exceeds = exceeds || need > free[in.users[u].host][r];
      }
      CHECK_MESSAGE(exceeds, "seed ", seed);
    }
    for (const Move& m : plan.moves) {
      if (m.kind == MoveKind::kPreempt) CHECK(m.to == 0.0);
    }
  }
  CHECK(preemptions > 50);
}

TEST_CASE("WithPreemption: no preemption when every target fits") {
  WithPreemption<ProactiveDonor> pre;
  AllocationPlan plan;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    RandomInstance in = RandomInstance::Make(seed, {.contention = 0.2, .faults = false});
    for (auto& c : in.capacity) c = c * 10.0;
    REQUIRE(pre.Plan(in.Request(), plan).ok());
    CHECK(pre.orders().empty());
  }
}

TEST_CASE("WithPreemption: picks the cheapest victim set and warns first with a grace period") {
  // Host of 10 cpu; a priority-5 user needs 6 more; three priority-1 victims.
  RandomInstance in = RandomInstance::Make(3, {.min_users = 4, .max_users = 4, .max_hosts = 1,
                                               .faults = false});
  in.capacity = {MakeResources(10, 1e12, 1e12, 1e12)};
  const double holds[] = {2.0, 4.0, 3.0, 1.0};
  for (std::size_t i = 0; i < 4; ++i) {
    in.users[i].host = 0;
    in.costs[i] = CostTerms{};
    in.costs[i].priority = i == 3 ? 5.0 : 1.0;
    in.costs[i].under = ResourceVector::Filled(i == 3 ? 100.0 : 1.0);
    in.users[i].allocation = MakeResources(holds[i], 0, 0, 0);
    for (Resource r : kAllResources) {
      for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) {
        in.outlook.quantiles(i, Index(r), k) =
            r == Resource::kCpu ? (i == 3 ? 7.0 : holds[i]) : 0.0;
      }
    }
  }
  // Victims: user 1 holds 4 (costly: long since checkpoint), user 2 holds 3,
  // user 0 holds 2. Needed: 6. {1, 0} frees 6, {1, 2} frees 7, {0, 2} frees 5.
  WithPreemption<ProactiveDonor> pre;
  pre.base().set_share_when_contended(false);  // so that the need is left to preemption
  const absl::Time now = in.now;
  REQUIRE(pre.jobs().Set(in.users[1].user, {now - absl::Hours(2), now - absl::Hours(2)}).ok());
  REQUIRE(pre.jobs().Set(in.users[0].user, {now - absl::Hours(1), now - absl::Minutes(1)}).ok());
  REQUIRE(pre.jobs().Set(in.users[2].user, {now - absl::Hours(1), now - absl::Minutes(1)}).ok());
  AllocationPlan plan;
  REQUIRE(pre.Plan(in.Request(), plan).ok());
  REQUIRE(CheckPlan(in.users, in.capacity, plan).ok());
  // {1, 2} costs (4 + 3) x (2 h + 6 min); {1, 0} (4 x 2 h 6 min + 2 x 7 min): cheaper.
  REQUIRE(pre.orders().size() == 2);
  std::vector<UserId> victims = {pre.orders()[0].victim, pre.orders()[1].victim};
  std::sort(victims.begin(), victims.end());
  CHECK(victims[0] == in.users[0].user);
  CHECK(victims[1] == in.users[1].user);
  const auto after = testing::LimitsAfter(in.users, plan);
  CHECK(after[3][Resource::kCpu] == doctest::Approx(7.0));

  // With a grace period: warned now, preempted when it expires.
  WithPreemption<ProactiveDonor> graceful;
  graceful.base().set_share_when_contended(false);
  PreemptionOptions o;
  o.grace = absl::Minutes(10);
  o.mode = PreemptMode::kSuspend;
  REQUIRE(graceful.set_options(o).ok());
  REQUIRE(graceful.Plan(in.Request(), plan).ok());
  CHECK(graceful.orders().empty());
  CHECK(graceful.pending().size() >= 1);
  for (const Move& m : plan.moves) CHECK(m.kind != MoveKind::kPreempt);
  in.now += absl::Minutes(5);
  REQUIRE(graceful.Plan(in.Request(), plan).ok());
  CHECK(graceful.orders().empty());
  in.now += absl::Minutes(5);
  REQUIRE(graceful.Plan(in.Request(), plan).ok());
  CHECK(!graceful.orders().empty());
  CHECK(graceful.pending().empty());
  CHECK(graceful.orders()[0].mode == PreemptMode::kSuspend);
  REQUIRE(CheckPlan(in.users, in.capacity, plan).ok());
}

TEST_CASE("Fallback: reduces only strictly lower priorities, queues and expires, degrades") {
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    RandomInstance in = RandomInstance::Make(seed, {.contention = 2.0});
    const AllocationRequest req = in.Request();
    Fallback fb;
    AllocationPlan plan;
    REQUIRE(fb.Plan(req, plan).ok());
    // Every fallback shrink below a user's own target serves a higher priority.
    for (const Move& m : plan.moves) {
      if (m.reason != Reason::kFallback || m.to >= m.from) continue;
      const double target = internal::TargetAllocation(req, m.index, m.resource);
      if (m.to >= target * (1 - 1e-9)) continue;
      bool higher_grows = false;
      for (const Move& g : plan.moves) {
        higher_grows = higher_grows ||
                       (g.to > g.from && g.resource == m.resource &&
                        in.users[g.index].host == in.users[m.index].host &&
                        in.costs[g.index].priority > in.costs[m.index].priority);
      }
      CHECK_MESSAGE(higher_grows, "seed ", seed);
    }
  }
  // Queue-only policy: denied requests wait, are served first later, expire.
  RandomInstance in = RandomInstance::Make(9, {.min_users = 2, .max_users = 2, .max_hosts = 1,
                                               .faults = false});
  for (std::size_t i = 0; i < 2; ++i) {
    in.users[i].host = 0;
    in.costs[i] = CostTerms{};
    in.users[i].allocation = ResourceVector::Filled(5.0);
    for (Resource r : kAllResources) {
      for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) {
        in.outlook.quantiles(i, Index(r), k) = i == 0 ? 8.0 : 5.0;
      }
    }
  }
  in.capacity = {ResourceVector::Filled(10.0)};
  Fallback fb;
  FallbackOptions o;
  o.share_when_contended = false;  // the seed's behaviour: whole requests, denied or not
  o.actions = {FallbackAction::kQueue};
  o.max_queue_wait = absl::Minutes(10);
  REQUIRE(fb.set_options(o).ok());
  AllocationPlan plan;
  REQUIRE(fb.Plan(in.Request(), plan).ok());
  CHECK(plan.empty());
  CHECK(fb.queue().size() == 4);
  CHECK(fb.denials() == 4);
  in.now += absl::Minutes(15);
  REQUIRE(fb.Plan(in.Request(), plan).ok());
  CHECK(fb.expired() == 4);
  // Degrade: grant what fits.
  o.actions = {FallbackAction::kDegrade};
  REQUIRE(fb.set_options(o).ok());
  in.capacity = {ResourceVector::Filled(12.0)};
  REQUIRE(fb.Plan(in.Request(), plan).ok());
  const auto after = testing::LimitsAfter(in.users, plan);
  CHECK(after[0][Resource::kCpu] == doctest::Approx(7.0));
  // Reduce low priority: user 0 outranks user 1; with a minimum of 3 user 1
  // cannot give the 3 missing, with a minimum of 2 it can.
  in.costs[0].priority = 3.0;
  in.costs[1].min = ResourceVector::Filled(3.0);
  o.actions = {FallbackAction::kReduceLowPriority};
  REQUIRE(fb.set_options(o).ok());
  in.capacity = {ResourceVector::Filled(10.0)};
  REQUIRE(fb.Plan(in.Request(), plan).ok());
  CHECK(plan.empty());
  in.costs[1].min = ResourceVector::Filled(2.0);
  o.actions = {FallbackAction::kReduceLowPriority};
  REQUIRE(fb.set_options(o).ok());
  in.capacity = {ResourceVector::Filled(10.0)};
  REQUIRE(fb.Plan(in.Request(), plan).ok());
  REQUIRE(CheckPlan(in.users, in.capacity, plan).ok());
  const auto after2 = testing::LimitsAfter(in.users, plan);
  CHECK(after2[0][Resource::kCpu] == doctest::Approx(8.0));
  CHECK(after2[1][Resource::kCpu] == doctest::Approx(2.0));
  for (const Move& m : plan.moves) CHECK(m.reason == Reason::kFallback);
}

}  // namespace
}  // namespace foresight
