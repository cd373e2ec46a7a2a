#include "foresight/pool/simulated_pool.hpp"

#include <optional>
#include <random>

#include <doctest/doctest.h>

namespace foresight {
namespace {

// Two users on one host of capacity 10 (every resource), constant demand.
Workload TwoUsers(std::size_t steps = 48) {
  Workload w;
  w.start = absl::FromUnixSeconds(1700000000);
  w.step = absl::Minutes(5);
  w.host_capacity = {ResourceVector::Filled(10)};
  for (int u = 0; u < 2; ++u) {
    WorkloadUser user;
    user.id = UserId{static_cast<std::uint64_t>(u)};
    user.name = absl::StrCat("u", u);
    user.initial_allocation = ResourceVector::Filled(4);
    w.users.push_back(user);
  }
  w.demand = DemandTable(2, steps);
  w.demand.Fill(3.0);
  return w;
}

Move Resize(std::uint64_t user, Resource r, double from, double to) {
  Move m;
  m.user = UserId{user};
  m.index = static_cast<std::uint32_t>(user);
  m.resource = r;
  m.from = from;
  m.to = to;
  return m;
}

// Fault injection with memory changes taking 10 minutes (two steps).
SimulatedPoolOptions Faulty(std::uint64_t seed, double failure_rate, double delay_rate) {
  SimulatedPoolOptions o;
  o.failure_rate = failure_rate;
  o.delay_rate = delay_rate;
  o.seed = seed;
  o.lead_time[Resource::kMemory] = absl::Minutes(10);
  return o;
}

// TwoUsers in a pool where memory changes take 10 minutes (two steps) and CPU
// changes apply at once, observed at the first step.
struct MemoryLeadPool {
  MemoryLeadPool() {
    SimulatedPoolOptions o;
    o.lead_time[Resource::kMemory] = absl::Minutes(10);
    absl::StatusOr<SimulatedPool> p = SimulatedPool::Create(w, o);
    REQUIRE(p.ok());
    pool.emplace(*std::move(p));
    REQUIRE(pool->Observe(w.time(0), obs).ok());
  }
  Workload w = TwoUsers();
  std::optional<SimulatedPool> pool;
  Observation obs;
  AllocationPlan plan;
  std::vector<absl::Status> results;
};

}  // namespace

TEST_CASE_FIXTURE(MemoryLeadPool, "SimulatedPool applies a change after its lead time") {
  plan.moves = {Resize(0, Resource::kMemory, 4, 5), Resize(0, Resource::kCpu, 4, 5)};
  REQUIRE(pool->Apply(w.time(0), plan, results).ok());
  REQUIRE(results.size() == 2);
  CHECK(results[0].ok());
  CHECK(pool->effective(0).cpu() == 5);     // lead 0: at once
  CHECK(pool->effective(0).memory() == 4);  // lead 10 min
  REQUIRE(pool->Observe(w.time(1), obs).ok());
  CHECK(pool->effective(0).memory() == 4);
  CHECK(pool->changes(0, Resource::kCpu) == 1);
  CHECK(pool->changes(0, Resource::kMemory) == 0);
  REQUIRE(pool->Observe(w.time(2), obs).ok());
  CHECK(pool->effective(0).memory() == 5);
  CHECK(pool->changes(0, Resource::kMemory) == 1);
  CHECK(pool->changes(0) == 2);
  CHECK(pool->changes(1) == 0);
}

TEST_CASE_FIXTURE(MemoryLeadPool,
                  "SimulatedPool observations report the committed limits, pending changes included") {
  plan.moves = {Resize(0, Resource::kMemory, 4, 6)};
  REQUIRE(pool->Apply(w.time(0), plan, results).ok());
  REQUIRE(pool->Observe(w.time(1), obs).ok());
  // Not in force yet, but it is what will be unless something else is asked:
  // an allocator that wants 6 must not ask again, one that wants 4 must.
  CHECK(pool->effective(0).memory() == 4);
  CHECK(obs.users[0].allocation.memory() == 6);
  CHECK(obs.users[1].allocation.memory() == 4);
}

TEST_CASE("SimulatedPool refuses a grow above capacity and keeps the old limit") {
  Workload w = TwoUsers();
  auto pool = SimulatedPool::Create(w);
  REQUIRE(pool.ok());
  AllocationPlan plan;
  plan.moves = {Resize(0, Resource::kCpu, 4, 7)};  // 7 + 4 > 10
  std::vector<absl::Status> results;
  REQUIRE(pool->Apply(w.time(0), plan, results).ok());
  CHECK(absl::IsFailedPrecondition(results[0]));
  CHECK(pool->effective(0).cpu() == 4);
  // Shrink first, then the grow fits.
  plan.moves = {Resize(1, Resource::kCpu, 4, 3), Resize(0, Resource::kCpu, 4, 7)};
  REQUIRE(pool->Apply(w.time(0), plan, results).ok());
  CHECK(results[0].ok());
  CHECK(results[1].ok());
  CHECK(pool->effective(0).cpu() == 7);
  CHECK(pool->capacity_violations() == 0);
}

TEST_CASE("SimulatedPool reports OOM and throttling, and rejects time going backwards") {
  Workload w = TwoUsers();
  w.users[0].initial_allocation = ResourceVector::Filled(2);  // below demand 3
  auto pool = SimulatedPool::Create(w);
  REQUIRE(pool.ok());
  Observation obs;
  REQUIRE(pool->Observe(w.time(3), obs).ok());
  REQUIRE(obs.users.size() == 2);
  CHECK((obs.users[0].events & kEventOom) != 0);
  CHECK((obs.users[0].events & kEventCpuThrottled) != 0);
  CHECK(obs.users[1].events == kEventNone);
  CHECK(absl::IsInvalidArgument(pool->Observe(w.time(2), obs)));
  CHECK(absl::IsOutOfRange(pool->Observe(w.time(1000), obs)));
}

TEST_CASE("SimulatedPool flags gaps with the last known usage, and skips users never seen") {
  Workload w = TwoUsers();
  for (std::size_t r = 0; r < kNumResources; ++r) {
    w.demand.Set(1, 4, r, std::nan(""));
    w.demand.Set(1, 6, r, std::nan(""));
    w.demand.Set(1, 5, r, 2.5);
  }
  auto pool = SimulatedPool::Create(w);
  REQUIRE(pool.ok());
  Observation obs;
  REQUIRE(pool->Observe(w.time(4), obs).ok());  // user 1 has no sample yet
  REQUIRE(obs.users.size() == 1);
  CHECK(obs.users[0].user == UserId{0});
  REQUIRE(pool->Observe(w.time(5), obs).ok());
  REQUIRE(obs.users.size() == 2);
  CHECK(obs.users[1].events == kEventNone);
  REQUIRE(pool->Observe(w.time(6), obs).ok());  // a gap after a sample
  REQUIRE(obs.users.size() == 2);
  CHECK((obs.users[1].events & kEventNoSample) != 0);
  CHECK(obs.users[1].usage == ResourceVector::Filled(2.5));
}

// TwoUsers where user 0 lives steps 0-4 and user 1 steps 5-9 (a VM deleted,
// another created), every other step missing.
Workload Successive() {
  Workload w = TwoUsers(12);
  for (std::size_t t = 0; t < 12; ++t) {
    for (std::size_t r = 0; r < kNumResources; ++r) {
      if (t > 4) w.demand.Set(0, t, r, std::nan(""));
      if (t < 5 || t > 9) w.demand.Set(1, t, r, std::nan(""));
    }
  }
  return w;
}

// Successive() in a default pool, not yet observed.
struct SuccessivePool {
  SuccessivePool() {
    absl::StatusOr<SimulatedPool> p = SimulatedPool::Create(w);
    REQUIRE(p.ok());
    pool.emplace(*std::move(p));
  }
  const Workload w = Successive();
  std::optional<SimulatedPool> pool;
  Observation obs;
};

TEST_CASE_FIXTURE(SuccessivePool,
                  "SimulatedPool admits a user at its first sample and releases it after its last") {
  REQUIRE(pool->Observe(w.time(0), obs).ok());
  REQUIRE(obs.users.size() == 1);  // user 1 does not exist yet
  CHECK(pool->alive(0));
  CHECK_FALSE(pool->alive(1));
  CHECK(pool->effective(1) == ResourceVector{});  // and holds nothing
  CHECK(pool->host_allocation(0) == ResourceVector::Filled(4));
  // A move for a user that does not exist fails and changes nothing.
  AllocationPlan plan;
  plan.moves = {Resize(1, Resource::kCpu, 0, 2)};
  std::vector<absl::Status> results;
  REQUIRE(pool->Apply(w.time(0), plan, results).ok());
  CHECK(results[0].code() == absl::StatusCode::kFailedPrecondition);
  CHECK(pool->effective(1) == ResourceVector{});

  REQUIRE(pool->Observe(w.time(5), obs).ok());
  // User 0 is released and reported once more, deleted; user 1 is admitted
  // with its starting limits.
  REQUIRE(obs.users.size() == 2);
  CHECK(obs.users[0].user == UserId{0});
  CHECK((obs.users[0].events & kEventDeleted) != 0);
  CHECK((obs.users[0].events & kEventNoSample) != 0);
  CHECK(obs.users[0].allocation == ResourceVector{});
  CHECK(obs.users[1].events == kEventNone);
  CHECK(obs.users[1].allocation == ResourceVector::Filled(4));
  CHECK_FALSE(pool->alive(0));
  CHECK(pool->alive(1));
  CHECK(pool->effective(0) == ResourceVector{});
  CHECK(pool->host_allocation(0) == ResourceVector::Filled(4));
  // Neither arrival nor departure is a limit change.
  CHECK(pool->changes(0) == 0);
  CHECK(pool->changes(1) == 0);
  CHECK(pool->short_admissions() == 0);
  plan.moves = {Resize(0, Resource::kCpu, 0, 2)};
  REQUIRE(pool->Apply(w.time(5), plan, results).ok());
  CHECK(results[0].code() == absl::StatusCode::kFailedPrecondition);

  REQUIRE(pool->Observe(w.time(6), obs).ok());
  REQUIRE(obs.users.size() == 1);  // the deleted user is not reported again
  CHECK(obs.users[0].user == UserId{1});
  REQUIRE(pool->Observe(w.time(10), obs).ok());
  CHECK(obs.users.size() == 1);  // user 1's deletion
  CHECK((obs.users[0].events & kEventDeleted) != 0);
  REQUIRE(pool->Observe(w.time(11), obs).ok());
  CHECK(obs.users.empty());
  CHECK(pool->host_allocation(0) == ResourceVector{});
  CHECK(pool->capacity_violations() == 0);
}

TEST_CASE_FIXTURE(SuccessivePool,
                  "SimulatedPool never admits a user whose whole life an observation skipped") {
  REQUIRE(pool->Observe(w.time(0), obs).ok());
  REQUIRE(pool->Observe(w.time(11), obs).ok());  // user 1 lived in steps 5-9
  REQUIRE(obs.users.size() == 1);
  CHECK(obs.users[0].user == UserId{0});  // deleted
  CHECK((obs.users[0].events & kEventDeleted) != 0);
  CHECK_FALSE(pool->alive(1));
  CHECK(pool->live().empty());
  CHECK(pool->host_allocation(0) == ResourceVector{});
}

TEST_CASE("SimulatedPool frees a deleted user's pending change and its room") {
  const Workload w = Successive();
  SimulatedPoolOptions o;
  o.lead_time[Resource::kMemory] = absl::Minutes(30);
  auto pool = SimulatedPool::Create(w, o);
  REQUIRE(pool.ok());
  Observation obs;
  REQUIRE(pool->Observe(w.time(4), obs).ok());
  AllocationPlan plan;
  plan.moves = {Resize(0, Resource::kMemory, 4, 9)};  // due at step 10, after its deletion
  std::vector<absl::Status> results;
  REQUIRE(pool->Apply(w.time(4), plan, results).ok());
  REQUIRE(results[0].ok());
  REQUIRE(pool->Observe(w.time(5), obs).ok());
  // The committed 9 left with user 0: user 1 gets its full 4, and may grow
  // to the whole host.
  CHECK(pool->effective(1).memory() == 4);
  plan.moves = {Resize(1, Resource::kMemory, 4, 10)};
  REQUIRE(pool->Apply(w.time(5), plan, results).ok());
  CHECK(results[0].ok());  // refused if user 0's pending 9 still held room
  REQUIRE(pool->Observe(w.time(9), obs).ok());
  REQUIRE(obs.users.size() == 1);
  CHECK(obs.users[0].allocation.memory() == 10);  // committed, due at step 11
  CHECK(pool->effective(0) == ResourceVector{});
  CHECK(pool->capacity_violations() == 0);
}

TEST_CASE("SimulatedPool admits an arrival with only the room its host has free") {
  // User 1 arrives at step 5 while user 0 lives on and has grown to 8 of 10.
  Workload w = TwoUsers(12);
  for (std::size_t t = 0; t < 5; ++t) {
    for (std::size_t r = 0; r < kNumResources; ++r) w.demand.Set(1, t, r, std::nan(""));
  }
  auto pool = SimulatedPool::Create(w);
  REQUIRE(pool.ok());
  Observation obs;
  REQUIRE(pool->Observe(w.time(0), obs).ok());
  AllocationPlan plan;
  plan.moves = {Resize(0, Resource::kCpu, 4, 8)};
  std::vector<absl::Status> results;
  REQUIRE(pool->Apply(w.time(0), plan, results).ok());
  REQUIRE(results[0].ok());  // room: user 1 holds nothing yet
  REQUIRE(pool->Observe(w.time(5), obs).ok());
  CHECK(pool->effective(1).cpu() == 2);     // what was free
  CHECK(pool->effective(1).memory() == 4);  // the rest in full
  CHECK(pool->short_admissions() == 1);
  CHECK(pool->host_allocation(0).cpu() == 10);
  CHECK(pool->capacity_violations() == 0);
}

TEST_CASE("SimulatedPool rejects bad workloads and options") {
  Workload w = TwoUsers();
  w.demand.Set(0, 0, 0, -1);
  CHECK(absl::IsInvalidArgument(SimulatedPool::Create(w).status()));
  w = TwoUsers();
  w.users[1].host = 5;
  CHECK(absl::IsInvalidArgument(SimulatedPool::Create(w).status()));
  SimulatedPoolOptions o;
  o.failure_rate = 1.5;
  CHECK(absl::IsInvalidArgument(SimulatedPool::Create(TwoUsers(), o).status()));
}

TEST_CASE("capacity is never exceeded under random plans with failures and delays") {
  // Property test: random resize plans (shrinks first, as allocators emit
  // them), 30 % failed and 30 % delayed actuations; check every instant.
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    Workload w = TwoUsers(200);
    w.users.push_back(w.users[0]);
    w.users[2].id = UserId{2};
    w.users[2].initial_allocation = ResourceVector::Filled(1);
    w.demand = DemandTable(3, 200);
    w.demand.Fill(1.0);
    auto pool = SimulatedPool::Create(w, Faulty(seed, 0.3, 0.3));
    REQUIRE(pool.ok());
    std::mt19937_64 rng(seed);
    Observation obs;
    std::vector<absl::Status> results;
    for (std::size_t k = 0; k < 200; ++k) {
      REQUIRE(pool->Observe(w.time(k), obs).ok());
      AllocationPlan plan;
      for (const UserObservation& u : obs.users) {
        for (Resource r : kAllResources) {
          const double to = std::uniform_real_distribution<double>(0, 6)(rng);
          plan.moves.push_back(Resize(u.user.value, r, u.allocation[r], to));
        }
      }
      plan.OrderShrinksFirst();
      REQUIRE(pool->Apply(w.time(k), plan, results).ok());
      const ResourceVector used = pool->host_allocation(0);
      CHECK(AllLessEqual(used, w.host_capacity[0], 1e-6));
    }
    CHECK(pool->capacity_violations() == 0);
    CHECK(pool->failed_actuations() > 0);
  }
}

TEST_CASE("a plan applied at once equals its moves applied one by one, each brought into force") {
  // Differential test of the cost of a plan: `Apply` brings a move with no
  // lead time into force by visiting its own user and the grows waiting for
  // room. A second pool gets each move as a plan of its own followed by
  // `AdvanceTo`, which brings every live user up to date (what every move
  // did before session 18). Delayed and failed shrinks leave grows waiting,
  // and two hosts make the users compete for room; limits and change counts
  // must agree after every plan. (Mutations: not retrying the waiting grows
  // in `ApplyNow` fails at every seed; retrying them in reverse order, which
  // matters only when two wait for the same room, first fails at seed 37.)
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    Workload w;
    w.start = absl::FromUnixSeconds(1700000000);
    w.step = absl::Minutes(5);
    w.host_capacity = {ResourceVector::Filled(10), ResourceVector::Filled(7)};
    for (std::uint64_t u = 0; u < 8; ++u) {
      WorkloadUser user;
      user.id = UserId{u};
      user.host = u < 5 ? 0 : 1;
      user.initial_allocation = ResourceVector::Filled(1.5);
      w.users.push_back(user);
    }
    w.demand = DemandTable(8, 120);
    w.demand.Fill(1.0);
    const SimulatedPoolOptions o = Faulty(seed, 0.1, 0.5);
    absl::StatusOr<SimulatedPool> at_once = SimulatedPool::Create(w, o);
    absl::StatusOr<SimulatedPool> one_by_one = SimulatedPool::Create(w, o);
    REQUIRE(at_once.ok());
    REQUIRE(one_by_one.ok());
    std::mt19937_64 rng(seed);
    Observation obs;
    Observation other;
    std::vector<absl::Status> results;
    std::vector<absl::Status> result;
    std::uint64_t waited = 0;
    for (std::size_t k = 0; k < 120; ++k) {
      const absl::Time now = w.time(k);
      REQUIRE(at_once->Observe(now, obs).ok());
      REQUIRE(one_by_one->Observe(now, other).ok());
      // Half the limits move, so a grow left waiting is not always replaced
      // at the next plan and several can wait for the same room.
      AllocationPlan plan;
      for (const UserObservation& u : obs.users) {
        for (Resource r : kAllResources) {
          const double to = std::uniform_real_distribution<double>(0.5, 3)(rng);
          if (std::bernoulli_distribution(0.5)(rng)) {
            plan.moves.push_back(Resize(u.user.value, r, u.allocation[r], to));
          }
        }
      }
      plan.OrderShrinksFirst();
      REQUIRE(at_once->Apply(now, plan, results).ok());
      for (std::size_t i = 0; i < plan.moves.size(); ++i) {
        AllocationPlan single;
        single.moves = {plan.moves[i]};
        REQUIRE(one_by_one->Apply(now, single, result).ok());
        one_by_one->AdvanceTo(now);
        CHECK(result[0].code() == results[i].code());
      }
      for (std::size_t u = 0; u < w.users.size(); ++u) {
        CAPTURE(seed);
        CAPTURE(k);
        CAPTURE(u);
        CHECK(at_once->effective(u) == one_by_one->effective(u));
        CHECK(at_once->changes(u) == one_by_one->changes(u));
      }
      waited = at_once->deferred_grows();
    }
    CHECK(at_once->capacity_violations() == 0);
    CHECK(one_by_one->capacity_violations() == 0);
    CHECK(waited > 0);  // grows did wait for room, so the retries were exercised
  }
}

}  // namespace foresight
