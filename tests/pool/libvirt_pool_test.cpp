// Tests of LibvirtPool against libvirt's in-process test driver
// (test:///default: no daemon; a node of 16 cpus and 3 GiB, one running domain
// "test" with 2 vCPUs (max 2), a 2 GiB balloon (max 8 GiB), disk vda and
// interface testnet0). What the driver supports is tested as such: vCPUs,
// balloon, block iotune, interface bandwidth, cpu/block/interface counters and
// memory statistics; virConnectGetAllDomainStats only reports the state there,
// and migration is absent.
#ifdef FORESIGHT_HAVE_LIBVIRT

#include "foresight/pool/libvirt_pool.hpp"

#include <doctest/doctest.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <chrono>
#include <optional>
#include <thread>

#include "absl/strings/match.h"
#include "libvirt_test_driver.hpp"
#include "pool_test_util.hpp"

namespace foresight {
namespace {

using testing::TestDriver;

constexpr double kMi = 1024.0 * 1024;
constexpr double kGi = 1024.0 * 1024 * 1024;

using testing::Resize;

using testing::TestOptions;

TEST_CASE("LibvirtPool::Open reads the node and refuses bad options") {
  CHECK(LibvirtPool::Open(LibvirtPoolOptions{}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  LibvirtPoolOptions bad = TestOptions();
  bad.capacity.cpu() = -1;
  CHECK(LibvirtPool::Open(bad).status().code() == absl::StatusCode::kInvalidArgument);
  bad = TestOptions();
  bad.uri = "test:///no/such/file.xml";
  absl::StatusOr<LibvirtPool> missing = LibvirtPool::Open(bad);
  CHECK_FALSE(missing.ok());
  CHECK(absl::StrContains(missing.status().message(), "virConnectOpen"));

  absl::StatusOr<LibvirtPool> pool = LibvirtPool::Open(TestOptions());
  REQUIRE_MESSAGE(pool.ok(), pool.status());
  CHECK(pool->capacity().cpu() == 16.0);
  CHECK(pool->capacity().memory() == 3 * kGi);
  CHECK(pool->capacity().io() == 100 * kMi);
  CHECK_FALSE(pool->capabilities().can_migrate);  // the test driver cannot migrate
  CHECK(pool->LeadTime(Resource::kMemory) == absl::ZeroDuration());
}

TEST_CASE("LibvirtPool::AddDomain checks the domain and its devices") {
  absl::StatusOr<LibvirtPool> pool = LibvirtPool::Open(TestOptions());
  REQUIRE(pool.ok());
  CHECK(pool->AddDomain(UserId{1}, "nope").code() == absl::StatusCode::kNotFound);
  CHECK(pool->AddDomain(UserId{1}, "test", "sdz").code() == absl::StatusCode::kNotFound);
  CHECK(pool->AddDomain(UserId{1}, "test", "vda", "eth9").code() == absl::StatusCode::kNotFound);
  REQUIRE(pool->AddDomain(UserId{1}, "test", "vda", "testnet0").ok());
  CHECK(pool->AddDomain(UserId{1}, "other").code() == absl::StatusCode::kAlreadyExists);
  CHECK(pool->AddDomain(UserId{2}, "test").code() == absl::StatusCode::kAlreadyExists);
  CHECK(pool->RemoveDomain(UserId{1}).ok());
  CHECK(pool->RemoveDomain(UserId{1}).code() == absl::StatusCode::kNotFound);
  testing::CheckReportsRemovedOnce(*pool, UserId{1});
}

TEST_CASE("LibvirtPool::Observe reports settings and counter rates of the test driver") {
  TestDriver driver;
  std::optional<LibvirtPool> pool = testing::TwoDomainPool(driver);  // u2: io/net unmanaged

  Observation obs;
  const absl::Time t0 = absl::Now();
  REQUIRE(pool->Observe(t0, obs).ok());
  REQUIRE(obs.users.size() == 2);
  CHECK(ValidateObservation(obs).ok());
  const UserObservation& test = obs.users[0];
  CHECK(test.allocation.cpu() == 2.0);
  CHECK(test.allocation.memory() == 2 * kGi);
  CHECK(test.allocation.io() == 100 * kMi);  // no iotune: unlimited = capacity
  CHECK(test.allocation.net() == 100 * kMi);
  CHECK(test.usage.memory() == 1 * kGi);  // available 2 GiB - unused 1 GiB
  CHECK(test.usage.cpu() == 0.0);         // first sample
  CHECK(obs.users[1].allocation.cpu() == 1.0);
  CHECK(obs.users[1].allocation.memory() == 512 * kMi);

  // The test driver's counters advance with the wall clock.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const absl::Time t1 = absl::Now();
  REQUIRE(pool->Observe(t1, obs).ok());
  CHECK(obs.interval == t1 - t0);
  CHECK(obs.users[0].usage.cpu() > 0.0);
  CHECK(obs.users[0].usage.io() > 0.0);
  CHECK(obs.users[0].usage.net() > 0.0);
  CHECK(obs.users[1].usage.io() == 0.0);
  MESSAGE("test driver rates: cpu ", obs.users[0].usage.cpu(), " cores, io ",
          obs.users[0].usage.io(), " B/s, net ", obs.users[0].usage.net(), " B/s");

  CHECK(pool->Observe(t0, obs).code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(pool->Observe(t1 + absl::Seconds(1), obs).ok());
}

TEST_CASE("LibvirtPool::Apply sets vCPUs, balloon, iotune and bandwidth live") {
  TestDriver driver;
  std::optional<LibvirtPool> pool = testing::TwoDomainPool(driver, TestOptions(), true);
  const UserId test{1}, u2{2};

  AllocationPlan plan;
  plan.moves = {Resize(test, Resource::kCpu, 2, 1.7),  // whole vCPUs: 1
                Resize(test, Resource::kMemory, 2 * kGi, 1 * kGi + 100),
                Resize(test, Resource::kIo, 100 * kMi, 10 * kMi),
                Resize(test, Resource::kNet, 100 * kMi, 1 * kMi),
                Resize(u2, Resource::kIo, 100 * kMi, 20 * kMi),
                Resize(u2, Resource::kNet, 100 * kMi, 3 * kMi + 5),  // KiB/s: 3 MiB/s
                Resize(u2, Resource::kCpu, 1, 3.2)};
  std::vector<absl::Status> results;
  REQUIRE(pool->Apply(absl::Now(), plan, results).ok());
  REQUIRE(results.size() == plan.size());
  for (const absl::Status& s : results) CHECK_MESSAGE(s.ok(), s);
  absl::StatusOr<ResourceVector> limits = pool->ReadLimits(test);
  REQUIRE(limits.ok());
  CHECK(limits->cpu() == 1.0);
  CHECK(limits->memory() == 1 * kGi);  // rounded down to KiB
  CHECK(limits->io() == 10 * kMi);
  CHECK(limits->net() == 1 * kMi);
  CHECK(pool->ReadLimits(u2)->cpu() == 3.0);
  CHECK(pool->ReadLimits(u2)->io() == 20 * kMi);
  CHECK(pool->ReadLimits(u2)->net() == 3 * kMi);

  Observation obs;
  REQUIRE(pool->Observe(absl::Now(), obs).ok());
  CHECK(obs.users[0].allocation.io() == 10 * kMi);
  CHECK(obs.users[0].events == kEventNone);
}

TEST_CASE("LibvirtPool::Apply: driver refusals, capacity and unsupported moves") {
  TestDriver driver;
  driver.CreateDomain("u2", 1, 4, 512 * kMi, 1 * kGi);
  LibvirtPoolOptions o = TestOptions();
  o.capacity.cpu() = 4.0;
  absl::StatusOr<LibvirtPool> pool = LibvirtPool::Open(o);
  REQUIRE(pool.ok());
  const UserId test{1}, u2{2};
  REQUIRE(pool->AddDomain(test, "test", "vda").ok());
  REQUIRE(pool->AddDomain(u2, "u2").ok());

  Move migrate = Resize(u2, Resource::kCpu, 1, 1);
  migrate.kind = MoveKind::kMigrate;
  Move preempt = Resize(u2, Resource::kCpu, 1, 0);
  preempt.kind = MoveKind::kPreempt;
  AllocationPlan plan;
  plan.moves = {
      Resize(test, Resource::kMemory, 2 * kGi, 1 * kGi),
      Resize(u2, Resource::kMemory, 512 * kMi, 1.5 * kGi),  // fits the host, above u2's 1 GiB max
      Resize(test, Resource::kCpu, 2, 1),
      Resize(test, Resource::kCpu, 1, 3),  // fits the host (3 + 1 <= 4), above max vCPUs (2)
      Resize(u2, Resource::kCpu, 1, 4),    // 1 + 4 > 4: refused before libvirt is asked
      Resize(u2, Resource::kIo, 100 * kMi, 1 * kMi),     // no disk named
      Resize(test, Resource::kNet, 100 * kMi, 1 * kMi),  // no interface named
      migrate,
      preempt,
      Resize(UserId{9}, Resource::kCpu, 1, 1),
      Resize(test, Resource::kMemory, 2 * kGi, -1)};
  std::vector<absl::Status> results;
  REQUIRE(pool->Apply(absl::Now(), plan, results).ok());
  REQUIRE(results.size() == plan.size());
  CHECK(results[0].ok());
  CHECK(results[1].code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(results[1].message(), "virDomainSetMemoryFlags"));
  CHECK(absl::StrContains(results[1].message(), "(verified)"));
  CHECK(results[2].ok());
  CHECK(results[3].code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(results[3].message(), "exceeds maximum"));
  CHECK(results[4].code() == absl::StatusCode::kFailedPrecondition);
  CHECK(results[5].code() == absl::StatusCode::kUnimplemented);
  CHECK(absl::StrContains(results[5].message(), "no disk"));
  CHECK(results[6].code() == absl::StatusCode::kUnimplemented);
  CHECK(results[7].code() == absl::StatusCode::kUnimplemented);
  CHECK(absl::StrContains(results[7].message(), "migrate"));
  CHECK(results[8].code() == absl::StatusCode::kUnimplemented);
  CHECK(results[9].code() == absl::StatusCode::kNotFound);
  CHECK(results[10].code() == absl::StatusCode::kInvalidArgument);
  for (std::size_t k = 0; k < results.size(); ++k) MESSAGE(k, ": ", results[k]);

  CHECK(pool->ReadLimits(u2)->memory() == 512 * kMi);
  CHECK(pool->ReadLimits(test)->cpu() == 1.0);
  CHECK(pool->ReadLimits(u2)->cpu() == 1.0);
  Observation obs;
  REQUIRE(pool->Observe(absl::Now(), obs).ok());
  CHECK((obs.users[0].events & kEventActuationFailed) != 0);
  CHECK((obs.users[1].events & kEventActuationFailed) != 0);
}

TEST_CASE("LibvirtPool leaves out shut-off domains and refuses their moves") {
  TestDriver driver;
  std::optional<LibvirtPool> pool = testing::TwoDomainPool(driver);
  const UserId test{1}, u2{2};
  Observation obs;
  absl::Time now = absl::Now();
  REQUIRE(pool->Observe(now, obs).ok());
  CHECK(obs.users.size() == 2);

  driver.SetRunning("test", false);
  REQUIRE(pool->Observe(now += absl::Seconds(1), obs).ok());
  REQUIRE(obs.users.size() == 1);
  CHECK(obs.users[0].user == u2);
  CHECK(pool->ReadLimits(test).status().code() == absl::StatusCode::kFailedPrecondition);
  AllocationPlan plan;
  // The shut-off domain's 2 GiB are free: u2 may grow into them.
  plan.moves = {Resize(test, Resource::kCpu, 2, 1),
                Resize(u2, Resource::kMemory, 512 * kMi, 1 * kGi)};
  std::vector<absl::Status> results;
  REQUIRE(pool->Apply(now, plan, results).ok());
  CHECK(results[0].code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(results[0].message(), "not running"));
  CHECK_MESSAGE(results[1].ok(), results[1]);

  driver.SetRunning("test", true);
  REQUIRE(pool->Observe(now += absl::Seconds(1), obs).ok());
  REQUIRE(obs.users.size() == 2);
  CHECK(obs.users[0].usage.cpu() == 0.0);  // a first sample again
  CHECK(obs.users[0].allocation.cpu() == 2.0);
}

}  // namespace
}  // namespace foresight

#endif  // FORESIGHT_HAVE_LIBVIRT
