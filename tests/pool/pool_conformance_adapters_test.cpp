// The `Pool` contract, checked on every pool: SimulatedPool, CgroupPool (fake
// v1 and v2 trees) and LibvirtPool (libvirt's test driver).
//
//   - Apply writes exactly one Status per move, whatever `results` held before;
//   - a move the backend refuses leaves that user's limit as it was;
//   - a grow that would put the host above capacity is refused with
//     FailedPreconditionError and changes nothing;
//   - after any sequence of (seeded random) plans the sum of limits stays
//     within capacity, once it started within it;
//   - Observe with time going backwards is InvalidArgumentError.
//
// A fixture gives the pool, two users, the resources it manages, and a way to
// make the backend refuse a move that fits the host (`ArmRefusal` then
// `RefusedMove`). A new pool joins by adding a fixture of the same shape to
// FORESIGHT_POOL_FIXTURES.
#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "absl/strings/match.h"
#include "cgroup_fake_tree.hpp"
#include "foresight/pool/cgroup_pool.hpp"
#include "foresight/pool/pool.hpp"
#include "foresight/pool/simulated_pool.hpp"
#include "foresight/sim/workload.hpp"
#include "pool_test_util.hpp"

#ifdef FORESIGHT_HAVE_LIBVIRT
#include "foresight/pool/libvirt_pool.hpp"
#include "libvirt_test_driver.hpp"
#endif

namespace foresight {
namespace {

using testing::Resize;

template <CgroupVersion kVersion>
class CgroupFixture {
 public:
  CgroupFixture() : tree_(kVersion) {
    absl::StatusOr<CgroupPool> pool = CgroupPool::Create(tree_.Options(), tree_.fs());
    REQUIRE_MESSAGE(pool.ok(), pool.status());
    pool_.emplace(std::move(*pool));
    REQUIRE(pool_->AddUser(users()[0], "a").ok());
    REQUIRE(pool_->AddUser(users()[1], "b").ok());
  }
  CgroupPool& pool() { return *pool_; }
  std::vector<UserId> users() const { return {UserId{1}, UserId{2}}; }
  std::vector<Resource> managed() const {
    return {Resource::kCpu, Resource::kMemory, Resource::kIo};
  }
  // The kernel refusing a memory shrink below usage (EBUSY).
  void ArmRefusal() {
    tree_.fs()->FailWrites(kVersion == CgroupVersion::kV2 ? "memory.max" : "memory.limit_in_bytes",
                           EBUSY);
  }
  Move RefusedMove(const UserObservation& u) const {
    return Resize(u.user, Resource::kMemory, u.allocation.memory(), u.allocation.memory() / 2);
  }

 private:
  testing::FakeCgroupTree tree_;
  std::optional<CgroupPool> pool_;
};

#ifdef FORESIGHT_HAVE_LIBVIRT
class LibvirtFixture {
 public:
  LibvirtFixture() {
    driver_ = std::make_unique<testing::TestDriver>();
    pool_.emplace(testing::TwoDomainPool(*driver_, testing::TestOptions(), /*u2_devices=*/true));
  }
  LibvirtPool& pool() { return *pool_; }
  std::vector<UserId> users() const { return {UserId{1}, UserId{2}}; }
  std::vector<Resource> managed() const {
    return {Resource::kCpu, Resource::kMemory, Resource::kIo, Resource::kNet};
  }
  // Domain "test" has at most 2 vCPUs; 3 fits the 16-cpu node.
  void ArmRefusal() {}
  Move RefusedMove(const UserObservation& u) const {
    return Resize(u.user, Resource::kCpu, u.allocation.cpu(), 3);
  }

 private:
  std::unique_ptr<testing::TestDriver> driver_;  // opened first, closed last
  std::optional<LibvirtPool> pool_;
};
#endif

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

// Two users on one host of capacity 10 (every resource), 4 each, demand 3,
// no lead time.
class SimulatedFixture {
 public:
  SimulatedFixture() {
    workload_.start = kT0;
    workload_.step = absl::Minutes(5);
    workload_.host_capacity = {ResourceVector::Filled(10)};
    for (UserId id : users()) {
      WorkloadUser user;
      user.id = id;
      user.name = ToString(id);
      user.initial_allocation = ResourceVector::Filled(4);
      workload_.users.push_back(user);
    }
    workload_.demand = DemandTable(2, 48);
    workload_.demand.Fill(3.0);
    Reset(0.0);
  }
  SimulatedPool& pool() { return *pool_; }
  std::vector<UserId> users() const { return {UserId{1}, UserId{2}}; }
  std::vector<Resource> managed() const {
    return {Resource::kCpu, Resource::kMemory, Resource::kIo, Resource::kNet};
  }
  // A fresh pool whose every actuation fails (fault injection).
  void ArmRefusal() { Reset(1.0); }
  Move RefusedMove(const UserObservation& u) const {
    return Resize(u.user, Resource::kMemory, u.allocation.memory(), u.allocation.memory() / 2);
  }

 private:
  void Reset(double failure_rate) {
    SimulatedPoolOptions o;
    o.lead_time = PerResource<absl::Duration>::Filled(absl::ZeroDuration());
    o.failure_rate = failure_rate;
    absl::StatusOr<SimulatedPool> pool = SimulatedPool::Create(workload_, o);
    REQUIRE_MESSAGE(pool.ok(), pool.status());
    pool_.emplace(std::move(*pool));
  }
  Workload workload_;  // outlives the pool
  std::optional<SimulatedPool> pool_;
};

using CgroupV1Fixture = CgroupFixture<CgroupVersion::kV1>;
using CgroupV2Fixture = CgroupFixture<CgroupVersion::kV2>;

template <typename F>
Observation ObserveOk(F& f, absl::Time now) {
  Observation obs;
  const absl::Status s = f.pool().Observe(now, obs);
  REQUIRE_MESSAGE(s.ok(), s);
  REQUIRE(ValidateObservation(obs).ok());
  REQUIRE(obs.host_capacity.size() == 1);
  REQUIRE(obs.users.size() == f.users().size());
  return obs;
}

double SumAllocation(const Observation& obs, Resource r) {
  double sum = 0.0;
  for (const UserObservation& u : obs.users) sum += u.allocation[r];
  return sum;
}

// Shrinks every managed limit to at most capacity / (users + 1), so the host
// starts within capacity (new cgroups and unlimited devices hold the whole host each).
template <typename F>
void ShareHost(F& f, absl::Time now) {
  const Observation obs = ObserveOk(f, now);
  AllocationPlan plan;
  for (const UserObservation& u : obs.users) {
    for (Resource r : f.managed()) {
      const double share = obs.host_capacity[0][r] / static_cast<double>(obs.users.size() + 1);
      plan.moves.push_back(Resize(u.user, r, u.allocation[r], std::min(u.allocation[r], share)));
    }
  }
  plan.OrderShrinksFirst();
  std::vector<absl::Status> results;
  REQUIRE(f.pool().Apply(now, plan, results).ok());
  for (const absl::Status& s : results) REQUIRE_MESSAGE(s.ok(), s);
}

#ifdef FORESIGHT_HAVE_LIBVIRT
#define FORESIGHT_POOL_FIXTURES SimulatedFixture, CgroupV1Fixture, CgroupV2Fixture, LibvirtFixture
#else
#define FORESIGHT_POOL_FIXTURES SimulatedFixture, CgroupV1Fixture, CgroupV2Fixture
#endif

TEST_CASE_TEMPLATE("Pool::Apply writes one Status per move", F, FORESIGHT_POOL_FIXTURES) {
  static_assert(Pool<std::remove_reference_t<decltype(std::declval<F&>().pool())>>);
  F f;
  const Observation obs = ObserveOk(f, kT0);
  std::vector<absl::Status> results(17, absl::InternalError("stale"));
  AllocationPlan empty;
  REQUIRE(f.pool().Apply(kT0, empty, results).ok());
  CHECK(results.empty());

  AllocationPlan plan;
  Move unknown = Resize(UserId{999}, Resource::kCpu, 1, 1);
  Move migrate = Resize(f.users()[0], Resource::kCpu, 1, 1);
  migrate.kind = MoveKind::kMigrate;
  plan.moves = {
      Resize(f.users()[0], Resource::kCpu, obs.users[0].allocation.cpu(), 1.0), unknown, migrate,
      Resize(f.users()[1], Resource::kMemory, obs.users[1].allocation.memory(), std::nan(""))};
  results.assign(2, absl::InternalError("stale"));
  REQUIRE(f.pool().Apply(kT0, plan, results).ok());
  REQUIRE(results.size() == plan.size());
  CHECK(results[0].ok());
  CHECK(results[1].code() == absl::StatusCode::kNotFound);
  CHECK(results[2].code() == absl::StatusCode::kUnimplemented);
  CHECK(results[3].code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE_TEMPLATE("Pool: a refused move leaves the limit unchanged", F, FORESIGHT_POOL_FIXTURES) {
  F f;
  f.ArmRefusal();
  const Observation before = ObserveOk(f, kT0);
  AllocationPlan plan;
  plan.moves = {f.RefusedMove(before.users[0])};
  std::vector<absl::Status> results;
  REQUIRE(f.pool().Apply(kT0, plan, results).ok());
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].ok());
  const bool by_capacity_check = absl::StrContains(results[0].message(), "above its capacity");
  CHECK_FALSE(by_capacity_check);  // refused by the backend, not by the pool
  const Observation after = ObserveOk(f, kT0 + absl::Seconds(1));
  CHECK(after.users[0].allocation == before.users[0].allocation);
  CHECK(after.users[1].allocation == before.users[1].allocation);
  CHECK((after.users[0].events & kEventActuationFailed) != 0);
}

TEST_CASE_TEMPLATE("Pool: a grow above capacity is refused and changes nothing", F,
                   FORESIGHT_POOL_FIXTURES) {
  F f;
  for (bool shared : {false, true}) {
    CAPTURE(shared);
    if (shared) ShareHost(f, kT0);
    const Observation before = ObserveOk(f, kT0);
    for (Resource r : f.managed()) {
      CAPTURE(ResourceName(r));
      const double cap = before.host_capacity[0][r];
      const double a = before.users[0].allocation[r];
      const double to = a + std::max(0.0, cap - SumAllocation(before, r)) + 0.25 * cap + 1.0;
      AllocationPlan plan;
      plan.moves = {Resize(f.users()[0], r, a, to)};
      std::vector<absl::Status> results;
      REQUIRE(f.pool().Apply(kT0, plan, results).ok());
      REQUIRE(results.size() == 1);
      CHECK(results[0].code() == absl::StatusCode::kFailedPrecondition);
    }
    const Observation after = ObserveOk(f, kT0);
    for (std::size_t i = 0; i < after.users.size(); ++i) {
      CHECK(after.users[i].allocation == before.users[i].allocation);
    }
  }
}

TEST_CASE_TEMPLATE("Pool: random plans never put the host above capacity", F,
                   FORESIGHT_POOL_FIXTURES) {
  F f;
  ShareHost(f, kT0);
  std::mt19937 rng(42);
  const std::vector<Resource> managed = f.managed();
  const Observation first = ObserveOk(f, kT0);
  const ResourceVector cap = first.host_capacity[0];
  int applied = 0, refused = 0;
  absl::Time now = kT0;
  for (int round = 0; round < 25; ++round) {
    AllocationPlan plan;
    for (int k = 0; k < 6; ++k) {
      const UserId user = f.users()[rng() % f.users().size()];
      const Resource r = managed[rng() % managed.size()];
      const double to = std::uniform_real_distribution<double>(0.0, 0.9)(rng) * cap[r];
      plan.moves.push_back(Resize(user, r, 0.0, to));
    }
    std::vector<absl::Status> results;
    REQUIRE(f.pool().Apply(now, plan, results).ok());
    REQUIRE(results.size() == plan.size());
    for (const absl::Status& s : results) (s.ok() ? applied : refused) += 1;
    now += absl::Seconds(1);
    const Observation obs = ObserveOk(f, now);
    for (Resource r : managed) {
      CAPTURE(ResourceName(r));
      CHECK(SumAllocation(obs, r) <= cap[r] * (1 + 1e-9));
    }
  }
  MESSAGE(applied, " moves applied, ", refused, " refused");
  CHECK(applied > 0);
  CHECK(refused > 0);
}

TEST_CASE_TEMPLATE("Pool::Observe refuses time going backwards", F, FORESIGHT_POOL_FIXTURES) {
  F f;
  Observation obs = ObserveOk(f, kT0 + absl::Seconds(10));
  CHECK(f.pool().Observe(kT0 + absl::Seconds(9), obs).code() == absl::StatusCode::kInvalidArgument);
  obs = ObserveOk(f, kT0 + absl::Seconds(10));  // the same instant is fine
  obs = ObserveOk(f, kT0 + absl::Seconds(11));
}

}  // namespace
}  // namespace foresight
