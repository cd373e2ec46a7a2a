// Tests of CgroupPool against a fake cgroup tree (v1 and v2 layouts) and, when
// the kernel allows it here, against real cgroups (see the "real kernel" cases).
#include "foresight/pool/cgroup_pool.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "cgroup_fake_tree.hpp"
#include "foresight/core/units.hpp"
#include "foresight/pool/internal/cgroup_parse.hpp"
#include "pool_test_util.hpp"

namespace foresight {
namespace {

using testing::FakeCgroupTree;

struct V1 {
  static constexpr CgroupVersion kVersion = CgroupVersion::kV1;
};
struct V2 {
  static constexpr CgroupVersion kVersion = CgroupVersion::kV2;
};

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);
constexpr double kGi = 1024.0 * 1024 * 1024;

using testing::Resize;

// Sets the user's cumulative CPU time (seconds) in the fake tree.
void SetCpuSeconds(const FakeCgroupTree& tree, CgroupVersion v, const std::string& name,
                   double seconds, int throttled = 0) {
  if (v == CgroupVersion::kV2) {
    tree.Set(name, "cpu.stat",
             absl::StrCat("usage_usec ", static_cast<long long>(seconds * 1e6),
                          "\nuser_usec 0\nsystem_usec 0\nnr_periods 10\nnr_throttled ", throttled,
                          "\nthrottled_usec 0\n"));
  } else {
    tree.Set(name, "cpuacct.usage", absl::StrCat(static_cast<long long>(seconds * 1e9), "\n"));
    tree.Set(name, "cpu.stat",
             absl::StrCat("nr_periods 10\nnr_throttled ", throttled, "\nthrottled_time 0\n"));
  }
}

void SetMemory(const FakeCgroupTree& tree, CgroupVersion v, const std::string& name, double bytes,
               int oom_kills = 0) {
  if (v == CgroupVersion::kV2) {
    tree.Set(name, "memory.current", absl::StrCat(static_cast<long long>(bytes), "\n"));
    tree.Set(name, "memory.events",
             absl::StrCat("low 0\nhigh 0\nmax 0\noom 0\noom_kill ", oom_kills, "\n"));
  } else {
    tree.Set(name, "memory.usage_in_bytes", absl::StrCat(static_cast<long long>(bytes), "\n"));
    tree.Set(name, "memory.oom_control",
             absl::StrCat("oom_kill_disable 0\nunder_oom 0\noom_kill ", oom_kills, "\n"));
  }
}

void SetIoBytes(const FakeCgroupTree& tree, CgroupVersion v, const std::string& name, long long rd,
                long long wr) {
  if (v == CgroupVersion::kV2) {
    tree.Set(name, "io.stat",
             absl::StrCat("8:0 rbytes=", rd, " wbytes=", wr, " rios=1 wios=1 dbytes=0 dios=0\n",
                          "8:16 rbytes=999999 wbytes=999999 rios=1 wios=1 dbytes=0 dios=0\n"));
  } else {
    tree.Set(
        name, "blkio.throttle.io_service_bytes",
        absl::StrCat("8:0 Read ", rd, "\n8:0 Write ", wr, "\n8:0 Sync 0\n8:0 Async 0\n",
                     "8:0 Total ", rd + wr, "\n8:16 Read 999999\nTotal ", rd + wr + 999999, "\n"));
  }
}

std::string CpuLimitFile(CgroupVersion v) {
  return v == CgroupVersion::kV2 ? "cpu.max" : "cpu.cfs_quota_us";
}
std::string MemoryLimitFile(CgroupVersion v) {
  return v == CgroupVersion::kV2 ? "memory.max" : "memory.limit_in_bytes";
}

TEST_CASE("ParseMountInfo finds the unified hierarchy and each v1 controller") {
  // The layout of the build machine: v1 controllers in separate hierarchies, an
  // empty cgroup2 mount beside them.
  const std::string text =
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
      "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
      "50 31 0:40 / /mnt/with\\040space rw shared:3 - cgroup cgroup rw,cpu,cpuacct\n";
  absl::StatusOr<internal::CgroupMounts> m = internal::ParseMountInfo(text);
  REQUIRE(m.ok());
  CHECK(m->unified == "/sys/fs/cgroup/unified");
  CHECK(m->cpu == "/sys/fs/cgroup/cpu");
  CHECK(m->cpuacct == "/sys/fs/cgroup/cpuacct");
  CHECK(m->memory == "/sys/fs/cgroup/memory");
  CHECK(m->blkio == "/sys/fs/cgroup/blkio");

  absl::StatusOr<internal::CgroupMounts> comounted = internal::ParseMountInfo(
      "50 31 0:40 / /mnt/with\\040space rw shared:3 - cgroup cgroup rw,cpu,cpuacct\n");
  REQUIRE(comounted.ok());
  CHECK(comounted->cpu == "/mnt/with space");
  CHECK(comounted->cpuacct == "/mnt/with space");
  CHECK(internal::ParseMountInfo("garbage line\n").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("cgroup file parsers read the kernel's formats and reject garbage") {
  CHECK(internal::ParseLimitValue("max\n", "f")->has_value() == false);
  CHECK(internal::ParseLimitValue("-1\n", "f")->has_value() == false);
  CHECK(**internal::ParseLimitValue("4096\n", "f") == 4096);
  CHECK_FALSE(internal::ParseLimitValue("12ab", "f").ok());
  auto keyed = internal::ParseFlatKeyed("usage_usec 5\nnr_throttled 2\n", "cpu.stat");
  REQUIRE(keyed.ok());
  CHECK(keyed->at("nr_throttled") == 2);
  CHECK_FALSE(internal::ParseFlatKeyed("usage_usec five\n", "cpu.stat").ok());
  auto io = internal::ParseNestedKeyedLine("8:0 rbps=10 wbps=max riops=max\n", "8:0", "io.max");
  REQUIRE(io.ok());
  CHECK(*io->at("rbps") == 10);
  CHECK_FALSE(io->at("wbps").has_value());
  CHECK(*internal::SumNestedKeyed("8:0 rbytes=1 wbytes=2\n8:16 rbytes=4 wbytes=8\n", "",
                                  {"rbytes", "wbytes"}, "io.stat") == 15);
  CHECK(*internal::SumBlkioServiceBytes("8:0 Read 3\n8:0 Write 4\n8:0 Total 7\nTotal 7\n", "8:0",
                                        "f") == 7);
  CHECK(*internal::ParseMemTotal("MemTotal:       24731700 kB\nMemFree: 1 kB\n") ==
        24731700.0 * 1024);
  CHECK_FALSE(internal::ParseMemTotal("MemFree: 1 kB\n").ok());
}

// Found by the cgroup_parse fuzz target's invariants (fuzz/corpus/cgroup_parse/regress-*)
// or while writing it.
TEST_CASE("cgroup file parsers refuse what the kernel never writes instead of misreading it") {
  // Only \ooo escapes of a byte are undone; anything else stays as written.
  CHECK(internal::UnescapeMountPath("/a\\040b\\134c") == "/a b\\c");
  CHECK(internal::UnescapeMountPath("/a\\477") == "/a\\477");  // above \377: not a byte
  CHECK(internal::UnescapeMountPath("/a\\08x") == "/a\\08x");  // 8 is not octal
  CHECK(internal::UnescapeMountPath("/a\\0") == "/a\\0");
  // v1's "-1" is unlimited; any other negative number is malformed, not unlimited.
  CHECK(internal::ParseLimitValue("-5\n", "cpu.cfs_quota_us").status().message() ==
        "negative value '-5' in cpu.cfs_quota_us");
  CHECK_FALSE(internal::ParseLimitValue("-01\n", "cpu.cfs_quota_us").ok());  // fuzzing found it
  CHECK(**internal::ParseLimitValue("18446744073709551615\n", "memory.max") ==
        18446744073709551615ull);
  // A field is key=value: one '=' and a key.
  CHECK_FALSE(internal::ParseNestedKeyedLine("8:0 rbps=1=2\n", "8:0", "io.max").ok());
  CHECK_FALSE(internal::ParseNestedKeyedLine("8:0 =5\n", "8:0", "io.max").ok());
  CHECK_FALSE(internal::SumNestedKeyed("8:0 rbytes=1=2\n", "", {"rbytes"}, "io.stat").ok());
  // Sums that would wrap around 2^64 are refused, not reported as a tiny rate.
  absl::StatusOr<std::uint64_t> wrapped = internal::SumNestedKeyed(
      "8:0 rbytes=18446744073709551615 wbytes=1\n", "", {"rbytes", "wbytes"}, "io.stat");
  REQUIRE_FALSE(wrapped.ok());
  CHECK(absl::StrContains(wrapped.status().message(), "overflows in io.stat"));
  CHECK_FALSE(internal::SumBlkioServiceBytes("8:0 Read 18446744073709551615\n8:0 Write 1\n", "",
                                             "blkio.throttle.io_service_bytes")
                  .ok());
  CHECK(*internal::SumNestedKeyed("8:0 rbytes=18446744073709551614 wbytes=1\n", "",
                                  {"rbytes", "wbytes"}, "io.stat") == 18446744073709551615ull);
}

TEST_CASE("ValidateCgroupName and ParseCgroupUserSpec read foresight run's --user values") {
  CHECK(ValidateCgroupName("web-1.slice").ok());
  CHECK(ValidateCgroupName(std::string(255, 'a')).ok());
  CHECK(ValidateCgroupName("vm:7").ok());  // legal for AddUser; `run --user` splits at ':'
  CHECK(ParseCgroupUserSpec("vm:7")->name == "vm");
  for (std::string bad : {std::string(), std::string("."), std::string(".."), std::string("a/b"),
                          std::string(256, 'a'), std::string("a\nb"),
                          std::string("a\0b", 3)}) {
    absl::Status s = ValidateCgroupName(bad);
    CHECK_MESSAGE(s.code() == absl::StatusCode::kInvalidArgument, bad);
    CHECK(absl::StartsWith(s.message(), "user name '"));
  }
  absl::StatusOr<CgroupUserSpec> plain = ParseCgroupUserSpec("web");
  REQUIRE(plain.ok());
  CHECK(plain->name == "web");
  CHECK_FALSE(plain->pid.has_value());
  absl::StatusOr<CgroupUserSpec> with_pid = ParseCgroupUserSpec("db:4194304");
  REQUIRE(with_pid.ok());
  CHECK(with_pid->name == "db");
  CHECK(*with_pid->pid == 4194304);
  for (const char* bad : {"db:", "db:0", "db:007", "db:+5", "db: 5", "db:5 ", "db:4194305",
                          "db:99999999999", "db:x", ":5", "a:b:5", "../x:5"}) {
    absl::StatusOr<CgroupUserSpec> s = ParseCgroupUserSpec(bad);
    CHECK_MESSAGE(s.status().code() == absl::StatusCode::kInvalidArgument, bad);
  }
  CHECK(ParseCgroupUserSpec("db:x").status().message() ==
        "user 'db:x': expected NAME or NAME:PID with PID a process id in 1..4194304");
}

TEST_CASE_TEMPLATE("CgroupPool detects the version and creates its groups", T, V1, V2) {
  FakeCgroupTree tree(T::kVersion);
  absl::StatusOr<CgroupPool> pool = CgroupPool::Create(tree.Options(), tree.fs());
  REQUIRE_MESSAGE(pool.ok(), pool.status());
  CHECK(pool->version() == T::kVersion);
  CHECK(pool->Supports(Resource::kCpu));
  CHECK(pool->Supports(Resource::kMemory));
  CHECK(pool->Supports(Resource::kIo));
  CHECK_FALSE(pool->Supports(Resource::kNet));
  CHECK(absl::StrContains(pool->unsupported_reason(Resource::kNet), "tc"));

  REQUIRE(pool->AddUser(UserId{1}, "a").ok());
  CHECK(std::filesystem::exists(tree.File("a", CpuLimitFile(T::kVersion))));
  CHECK(pool->AddUser(UserId{1}, "b").code() == absl::StatusCode::kAlreadyExists);
  CHECK(pool->AddUser(UserId{2}, "a").code() == absl::StatusCode::kAlreadyExists);
  CHECK(pool->AddUser(UserId{3}, "../x").code() == absl::StatusCode::kInvalidArgument);
  CHECK(pool->AddUser(UserId{3}, "").code() == absl::StatusCode::kInvalidArgument);
  // A name taken by one of the parent's control files is not a group to adopt;
  // any directory made in the other hierarchies is removed again.
  const std::string taken = MemoryLimitFile(T::kVersion);
  absl::Status clash = pool->AddUser(UserId{3}, taken);
  CHECK(clash.code() == absl::StatusCode::kAlreadyExists);
  CHECK(absl::StrContains(clash.message(), "which is not a group directory"));
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tree.root())) {
    const bool made = entry.is_directory() && entry.path().filename() == taken;
    CHECK_FALSE_MESSAGE(made, entry.path());
  }
  CHECK_FALSE(pool->FilePath(UserId{3}, "cgroup.procs").ok());
  CHECK(pool->RemoveUser(UserId{1}).ok());
  CHECK_FALSE(std::filesystem::exists(tree.File("a", CpuLimitFile(T::kVersion))));
  CHECK(pool->RemoveUser(UserId{1}).code() == absl::StatusCode::kNotFound);
  testing::CheckReportsRemovedOnce(*pool, UserId{1});
  CHECK(pool->RemoveParentGroup().ok());
}

TEST_CASE("CgroupPool picks v1 on a hybrid host whose cgroup2 mount has no controllers") {
  FakeCgroupTree tree(CgroupVersion::kV1);
  // Add an empty unified hierarchy to the v1 tree.
  std::filesystem::create_directories(tree.root() + "/unified");
  testing::WriteTextFile(tree.root() + "/unified/cgroup.controllers", "hugetlb\n");
  testing::WriteTextFile(tree.root() + "/mountinfo",
                         testing::ReadTextFile(tree.root() + "/mountinfo") +
                             absl::StrCat("41 31 0:38 / ", tree.root(),
                                          "/unified rw,relatime - cgroup2 cgroup2 rw\n"));
  absl::StatusOr<CgroupPool> pool = CgroupPool::Create(tree.Options(), tree.fs());
  REQUIRE(pool.ok());
  CHECK(pool->version() == CgroupVersion::kV1);

  // Forcing v2 there works but can limit nothing, and says why.
  CgroupPoolOptions o = tree.Options();
  o.version = CgroupVersion::kV2;
  absl::StatusOr<CgroupPool> v2 = CgroupPool::Create(o, tree.fs());
  REQUIRE(v2.ok());
  CHECK_FALSE(v2->Supports(Resource::kCpu));
  CHECK(absl::StrContains(v2->unsupported_reason(Resource::kCpu), "not available"));
}

TEST_CASE("CgroupPool::Create rejects bad options with a clear status") {
  FakeCgroupTree tree(CgroupVersion::kV2);
  CgroupPoolOptions o = tree.Options();
  o.mountinfo_path = tree.root() + "/nope";
  CHECK(CgroupPool::Create(o, tree.fs()).status().code() == absl::StatusCode::kNotFound);
  o = tree.Options();
  o.capacity.io() = 0.0;
  CHECK(CgroupPool::Create(o, tree.fs()).status().code() == absl::StatusCode::kInvalidArgument);
  o = tree.Options();
  o.io_device = "sda";
  CHECK(CgroupPool::Create(o, tree.fs()).status().code() == absl::StatusCode::kInvalidArgument);
  o = tree.Options();
  o.cpu_period = absl::Microseconds(10);
  CHECK(CgroupPool::Create(o, tree.fs()).status().code() == absl::StatusCode::kInvalidArgument);
  o = tree.Options();
  o.group = "../escape";
  CHECK(CgroupPool::Create(o, tree.fs()).status().code() == absl::StatusCode::kInvalidArgument);
  o = tree.Options();
  o.create_group = false;
  CHECK(CgroupPool::Create(o, tree.fs()).status().code() == absl::StatusCode::kNotFound);
  o = tree.Options();
  o.io_device.clear();
  absl::StatusOr<CgroupPool> no_io = CgroupPool::Create(o, tree.fs());
  REQUIRE(no_io.ok());
  CHECK_FALSE(no_io->Supports(Resource::kIo));
}

TEST_CASE_TEMPLATE("CgroupPool::Observe turns counter deltas into usage over the given time", T, V1,
                   V2) {
  constexpr CgroupVersion v = T::kVersion;
  FakeCgroupTree tree(v);
  absl::StatusOr<CgroupPool> pool = CgroupPool::Create(tree.Options(), tree.fs());
  REQUIRE(pool.ok());
  REQUIRE(pool->AddUser(UserId{7}, "a").ok());
  SetCpuSeconds(tree, v, "a", 10.0);
  SetMemory(tree, v, "a", 3 * kGi);
  SetIoBytes(tree, v, "a", 1000, 2000);

  Observation obs;
  REQUIRE(pool->Observe(kT0, obs).ok());
  REQUIRE(obs.users.size() == 1);
  CHECK(ValidateObservation(obs).ok());
  CHECK(obs.host_capacity.at(0) == tree.Options().capacity);
  CHECK(obs.users[0].user == UserId{7});
  CHECK(obs.users[0].usage.cpu() == 0.0);  // no previous sample
  CHECK(obs.users[0].usage.memory() == 3 * kGi);
  // Unlimited groups hold the whole host.
  CHECK(obs.users[0].allocation == tree.Options().capacity);

  SetCpuSeconds(tree, v, "a", 13.0, /*throttled=*/4);
  SetIoBytes(tree, v, "a", 1000 + 4000, 2000 + 2000);
  SetMemory(tree, v, "a", 2 * kGi, /*oom_kills=*/1);
  REQUIRE(pool->Observe(kT0 + absl::Seconds(2), obs).ok());
  CHECK(obs.interval == absl::Seconds(2));
  CHECK(obs.users[0].usage.cpu() == doctest::Approx(1.5));
  CHECK(obs.users[0].usage.io() == doctest::Approx(3000.0));  // device 8:0 only
  CHECK(obs.users[0].usage.memory() == 2 * kGi);
  CHECK(obs.users[0].usage.net() == 0.0);
  CHECK((obs.users[0].events & kEventCpuThrottled) != 0);
  CHECK((obs.users[0].events & kEventOom) != 0);

  // Time going backwards is refused and changes nothing.
  SetCpuSeconds(tree, v, "a", 14.0, 4);
  CHECK(pool->Observe(kT0 + absl::Seconds(1), obs).code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(pool->Observe(kT0 + absl::Seconds(4), obs).ok());
  CHECK(obs.users[0].usage.cpu() == doctest::Approx(0.5));
  CHECK(obs.users[0].events == kEventNone);

  // A malformed control file fails Observe with the file's name, state intact.
  tree.Set("a", v == CgroupVersion::kV2 ? "cpu.stat" : "cpuacct.usage", "garbage words here\n");
  absl::Status bad = pool->Observe(kT0 + absl::Seconds(5), obs);
  CHECK(bad.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(bad.message(), "/a/"));
}

TEST_CASE_TEMPLATE("CgroupPool::Apply writes the kernel's formats in plan order", T, V1, V2) {
  constexpr CgroupVersion v = T::kVersion;
  FakeCgroupTree tree(v);
  absl::StatusOr<CgroupPool> pool = CgroupPool::Create(tree.Options(), tree.fs());
  REQUIRE(pool.ok());
  REQUIRE(pool->AddUser(UserId{1}, "a").ok());
  REQUIRE(pool->AddUser(UserId{2}, "b").ok());

  AllocationPlan plan;
  plan.moves = {Resize(UserId{1}, Resource::kCpu, 4, 1.5),
                Resize(UserId{2}, Resource::kCpu, 4, 2.5),
                Resize(UserId{1}, Resource::kMemory, 8 * kGi, 1 * kGi + 123),
                Resize(UserId{2}, Resource::kMemory, 8 * kGi, 4 * kGi),
                Resize(UserId{1}, Resource::kIo, 100 << 20, 10 << 20),
                Resize(UserId{2}, Resource::kIo, 100 << 20, 20 << 20),
                Resize(UserId{1}, Resource::kNet, 0, 0)};
  std::vector<absl::Status> results;
  REQUIRE(pool->Apply(kT0, plan, results).ok());
  REQUIRE(results.size() == plan.size());
  for (std::size_t k = 0; k + 1 < results.size(); ++k) CHECK_MESSAGE(results[k].ok(), results[k]);
  CHECK(results.back().code() == absl::StatusCode::kUnimplemented);
  CHECK(absl::StrContains(results.back().message(), "network"));

  if (v == CgroupVersion::kV2) {
    CHECK(tree.Get("a", "cpu.max") == "150000 100000");
    CHECK(tree.Get("a", "memory.max") == "1073741824");  // rounded down to a page
    CHECK(tree.Get("a", "memory.high") == "1073741824");
    CHECK(tree.Get("a", "io.max") == "8:0 rbps=10485760 wbps=10485760");
  } else {
    CHECK(tree.Get("a", "cpu.cfs_quota_us") == "150000");
    CHECK(tree.Get("a", "memory.limit_in_bytes") == "1073741824");
    CHECK(tree.Get("a", "blkio.throttle.read_bps_device") == "8:0 10485760");
    CHECK(tree.Get("a", "blkio.throttle.write_bps_device") == "8:0 10485760");
  }
  absl::StatusOr<ResourceVector> limits = pool->ReadLimits(UserId{1});
  REQUIRE(limits.ok());
  CHECK(limits->cpu() == doctest::Approx(1.5));
  CHECK(limits->memory() == 1 * kGi);
  CHECK(limits->io() == 10 << 20);

  Observation obs;
  REQUIRE(pool->Observe(kT0, obs).ok());
  CHECK(obs.users[1].allocation.cpu() == doctest::Approx(2.5));
  CHECK(obs.users[0].events == kEventActuationFailed);  // its net move failed
  CHECK(obs.users[1].events == kEventNone);
}

TEST_CASE("CgroupPool on v1 never raises the CPU share while changing the CFS period") {
  FakeCgroupTree tree(CgroupVersion::kV1);
  CgroupPoolOptions o = tree.Options();
  o.cpu_period = absl::Milliseconds(50);  // shorter than the kernel's 100 ms default
  absl::StatusOr<CgroupPool> pool = CgroupPool::Create(o, tree.fs());
  REQUIRE(pool.ok());
  REQUIRE(pool->AddUser(UserId{1}, "a").ok());
  tree.Set("a", "cpu.cfs_quota_us", "200000\n");  // 2 cores at 100 ms
  AllocationPlan plan;
  plan.moves = {Resize(UserId{1}, Resource::kCpu, 2, 1)};
  std::vector<absl::Status> results;
  REQUIRE(pool->Apply(kT0, plan, results).ok());
  REQUIRE(results[0].ok());
  // Quota first (50 ms / 100 ms = 0.5 cores in between), then the period.
  REQUIRE(tree.fs()->written().size() == 2);
  CHECK(tree.fs()->written()[0] == "cpu.cfs_quota_us");
  CHECK(tree.fs()->written()[1] == "cpu.cfs_period_us");
  CHECK(tree.Get("a", "cpu.cfs_quota_us") == "50000");
  CHECK(tree.Get("a", "cpu.cfs_period_us") == "50000");
  CHECK(pool->ReadLimits(UserId{1})->cpu() == doctest::Approx(1.0));
  // Same period next time: only the quota is written.
  plan.moves = {Resize(UserId{1}, Resource::kCpu, 1, 0.5)};
  REQUIRE(pool->Apply(kT0, plan, results).ok());
  CHECK(tree.fs()->written().size() == 3);
  CHECK(tree.Get("a", "cpu.cfs_quota_us") == "25000");
}

TEST_CASE_TEMPLATE("CgroupPool::Apply refuses grows above capacity and unsupported moves", T, V1,
                   V2) {
  constexpr CgroupVersion v = T::kVersion;
  FakeCgroupTree tree(v);
  absl::StatusOr<CgroupPool> pool = CgroupPool::Create(tree.Options(), tree.fs());
  REQUIRE(pool.ok());
  REQUIRE(pool->AddUser(UserId{1}, "a").ok());
  REQUIRE(pool->AddUser(UserId{2}, "b").ok());
  std::vector<absl::Status> results;

  // Both start unlimited (4 cores each on a 4-core host): the grow comes first
  // and is refused, the shrinks pass, then a grow that now fits passes.
  AllocationPlan plan;
  plan.moves = {Resize(UserId{1}, Resource::kCpu, 4, 3),    // shrink: fine
                Resize(UserId{1}, Resource::kCpu, 3, 3.5),  // grow while b holds 4: refused
                Resize(UserId{2}, Resource::kCpu, 4, 1), Resize(UserId{1}, Resource::kCpu, 3, 3)};
  REQUIRE(pool->Apply(kT0, plan, results).ok());
  CHECK(results[0].ok());
  CHECK(results[1].code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(results[1].message(), "capacity"));
  CHECK(results[2].ok());
  CHECK(results[3].ok());
  CHECK(pool->ReadLimits(UserId{1})->cpu() == doctest::Approx(3.0));

  plan.moves = {Resize(UserId{1}, Resource::kCpu, 3, 3.5)};  // 3.5 + 1 > 4
  REQUIRE(pool->Apply(kT0, plan, results).ok());
  CHECK(results[0].code() == absl::StatusCode::kFailedPrecondition);
  CHECK(pool->ReadLimits(UserId{1})->cpu() == doctest::Approx(3.0));
  plan.moves = {Resize(UserId{2}, Resource::kCpu, 1, 0.5),
                Resize(UserId{1}, Resource::kCpu, 3, 3.5)};  // fits after the shrink
  REQUIRE(pool->Apply(kT0, plan, results).ok());
  CHECK(results[0].ok());
  CHECK(results[1].ok());

  Move preempt = Resize(UserId{1}, Resource::kCpu, 3, 0);
  preempt.kind = MoveKind::kPreempt;
  Move migrate = Resize(UserId{1}, Resource::kCpu, 3, 3);
  migrate.kind = MoveKind::kMigrate;
  plan.moves = {preempt, migrate, Resize(UserId{9}, Resource::kCpu, 1, 1),
                Resize(UserId{1}, Resource::kMemory, 1, -5),
                Resize(UserId{1}, Resource::kMemory, 1, std::nan(""))};
  REQUIRE(pool->Apply(kT0, plan, results).ok());
  CHECK(results[0].code() == absl::StatusCode::kUnimplemented);
  CHECK(results[1].code() == absl::StatusCode::kUnimplemented);
  CHECK(results[2].code() == absl::StatusCode::kNotFound);
  CHECK(results[3].code() == absl::StatusCode::kInvalidArgument);
  CHECK(results[4].code() == absl::StatusCode::kInvalidArgument);
  Observation obs;
  REQUIRE(pool->Observe(kT0, obs).ok());
  CHECK((obs.users[0].events & kEventActuationFailed) != 0);
  CHECK((obs.users[1].events & kEventActuationFailed) == 0);
}

TEST_CASE_TEMPLATE("A write the kernel rejects names file and errno and leaves the old limit", T,
                   V1, V2) {
  constexpr CgroupVersion v = T::kVersion;
  FakeCgroupTree tree(v);
  absl::StatusOr<CgroupPool> pool = CgroupPool::Create(tree.Options(), tree.fs());
  REQUIRE(pool.ok());
  REQUIRE(pool->AddUser(UserId{1}, "a").ok());
  std::vector<absl::Status> results;
  AllocationPlan plan;
  plan.moves = {Resize(UserId{1}, Resource::kMemory, 8 * kGi, 4 * kGi)};
  REQUIRE(pool->Apply(kT0, plan, results).ok());
  REQUIRE(results[0].ok());
  const std::string high_before = v == CgroupVersion::kV2 ? tree.Get("a", "memory.high") : "";

  // Shrinking below what the group uses: the kernel answers EBUSY.
  tree.fs()->FailWrites(MemoryLimitFile(v), EBUSY);
  plan.moves = {Resize(UserId{1}, Resource::kMemory, 4 * kGi, 1 * kGi),
                Resize(UserId{1}, Resource::kCpu, 4, 2)};
  REQUIRE(pool->Apply(kT0, plan, results).ok());
  REQUIRE(results.size() == 2);
  CHECK(results[0].code() == absl::StatusCode::kFailedPrecondition);  // absl's EBUSY
  CHECK(absl::StrContains(results[0].message(), tree.File("a", MemoryLimitFile(v))));
  CHECK(absl::StrContains(results[0].message(), "errno 16"));
  CHECK(absl::StrContains(results[0].message(), "(verified)"));
  CHECK(results[1].ok());  // the next move still runs
  CHECK(pool->ReadLimits(UserId{1})->memory() == 4 * kGi);
  // v2 wrote memory.high first on the shrink; it was put back.
  if (v == CgroupVersion::kV2) CHECK(tree.Get("a", "memory.high") == high_before);

  // A failed grow never touches capacity accounting: the host stays within it.
  tree.fs()->ClearFaults();
  tree.fs()->FailWrites(CpuLimitFile(v), EINVAL);
  plan.moves = {Resize(UserId{1}, Resource::kCpu, 2, 3)};
  REQUIRE(pool->Apply(kT0, plan, results).ok());
  CHECK(results[0].code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(results[0].message(), "errno 22"));
  CHECK(pool->ReadLimits(UserId{1})->cpu() == doctest::Approx(2.0));

  // Unreadable limits fail the whole Apply, every move with the reason.
  std::filesystem::remove(tree.File("a", CpuLimitFile(v)));
  plan.moves = {Resize(UserId{1}, Resource::kMemory, 4 * kGi, 2 * kGi),
                Resize(UserId{1}, Resource::kMemory, 2 * kGi, 1 * kGi)};
  CHECK(pool->Apply(kT0, plan, results).code() == absl::StatusCode::kNotFound);
  REQUIRE(results.size() == 2);
  CHECK(results[1].code() == absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace foresight

// -----------------------------------------------------------------------------
// Against the real kernel. Each case creates its own parent group
// (foresight-test-<pid>), touches nothing else, removes everything it made even
// when a check fails, and skips (with a message) where the hierarchy or the
// controller is not available.
// -----------------------------------------------------------------------------
namespace foresight {
namespace {

// A forked child that waits on a pipe until `Start()`, runs `work`, and exits.
// The destructor kills and reaps it.
class ChildProcess {
 public:
  template <typename F>
  explicit ChildProcess(F work) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::close(fds[1]);
      char c = 0;
      if (::read(fds[0], &c, 1) != 1) ::_exit(2);
      work();
      ::_exit(0);
    }
    ::close(fds[0]);
    gate_ = fds[1];
  }
  ~ChildProcess() {
    if (gate_ >= 0) ::close(gate_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Start() {
    CHECK(::write(gate_, "x", 1) == 1);
    ::close(gate_);
    gate_ = -1;
  }
  // waitpid status.
  int Wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int gate_ = -1;
  bool reaped_ = false;
};

void Spin() {
  volatile std::uint64_t x = 0;
  for (;;) x = x + 1;
}

// Allocates and touches `bytes`, then sleeps until killed.
void Allocate(std::size_t bytes) {
  char* p = static_cast<char*>(std::malloc(bytes));
  if (p == nullptr) ::_exit(3);
  for (std::size_t i = 0; i < bytes; i += 4096) p[i] = 1;
  for (;;) ::pause();
}

// Writes `bytes` with O_DIRECT (so blkio charges this group) into a temp file.
void DirectWrite(std::size_t bytes) {
  char path[] = "/tmp/foresight-io-XXXXXX";
  const int tmp = ::mkstemp(path);
  if (tmp < 0) ::_exit(4);
  ::close(tmp);
  const int fd = ::open(path, O_WRONLY | O_DIRECT);
  ::unlink(path);
  if (fd < 0) ::_exit(5);
  constexpr std::size_t kChunk = 256 * 1024;
  void* buffer = nullptr;
  if (::posix_memalign(&buffer, 4096, kChunk) != 0) ::_exit(6);
  std::memset(buffer, 7, kChunk);
  for (std::size_t done = 0; done < bytes; done += kChunk) {
    if (::write(fd, buffer, kChunk) != static_cast<ssize_t>(kChunk)) ::_exit(7);
  }
  ::close(fd);
  for (;;) ::pause();
}

// Removes the users and the parent group a real-kernel case created, after its
// children are gone (declare it before them). Retries while the kernel still
// holds the group busy.
class RealGroupsGuard {
 public:
  explicit RealGroupsGuard(CgroupPool& pool) : pool_(pool) {}
  ~RealGroupsGuard() {
    for (UserId id : users_) {
      for (int attempt = 0; attempt < 100 && !pool_.RemoveUser(id).ok(); ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    for (int attempt = 0; attempt < 100 && !pool_.RemoveParentGroup().ok(); ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  absl::Status Add(UserId id, std::string_view name) {
    absl::Status s = pool_.AddUser(id, name);
    if (s.ok()) users_.push_back(id);
    return s;
  }

 private:
  CgroupPool& pool_;
  std::vector<UserId> users_;
};

std::string DeviceOf(const char* path) {
  struct stat st {};
  if (::stat(path, &st) != 0) return "";
  return absl::StrCat(major(st.st_dev), ":", minor(st.st_dev));
}

absl::StatusOr<CgroupPool> RealPool(CgroupVersion version) {
  CgroupPoolOptions o;
  o.version = version;
  o.group = absl::StrCat("foresight-test-", ::getpid());
  o.io_device = DeviceOf("/tmp");
  o.capacity.io() = 1024.0 * 1024 * 1024;
  return CgroupPool::Create(o);
}

// Usage and a real throttle of a spinning child, shared by v1 and v2.
void CheckRealCpu(CgroupPool& pool, RealGroupsGuard& guard) {
  const UserId id{1};
  REQUIRE(guard.Add(id, "spin").ok());
  ChildProcess child(Spin);
  REQUIRE(pool.AttachProcess(id, child.pid()).ok());
  child.Start();
  Observation obs;
  absl::Time t = absl::Now();
  REQUIRE(pool.Observe(t, obs).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  t = absl::Now();
  REQUIRE(pool.Observe(t, obs).ok());
  REQUIRE(obs.users.size() == 1);
  const double free_usage = obs.users[0].usage.cpu();
  MESSAGE("spinning child, unlimited: ", free_usage, " cores over ",
          absl::FormatDuration(obs.interval));
  CHECK(free_usage > 0.05);  // it ran (the host is shared, so not necessarily a full core)
  CHECK(free_usage <= pool.capacity().cpu() * 1.05);
  if (!pool.Supports(Resource::kCpu)) {
    AllocationPlan plan;
    plan.moves = {Resize(id, Resource::kCpu, pool.capacity().cpu(), 0.5)};
    std::vector<absl::Status> results;
    REQUIRE(pool.Apply(t, plan, results).ok());
    CHECK(results[0].code() == absl::StatusCode::kUnimplemented);
    MESSAGE("cpu limits unavailable here: ", results[0]);
    return;
  }
  AllocationPlan plan;
  plan.moves = {Resize(id, Resource::kCpu, pool.capacity().cpu(), 0.1)};
  std::vector<absl::Status> results;
  REQUIRE(pool.Apply(t, plan, results).ok());
  REQUIRE_MESSAGE(results[0].ok(), results[0]);
  CHECK(pool.ReadLimits(id)->cpu() == doctest::Approx(0.1));
  REQUIRE(pool.Observe(absl::Now(), obs).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  REQUIRE(pool.Observe(absl::Now(), obs).ok());
  MESSAGE("spinning child, limited to 0.1 core: ", obs.users[0].usage.cpu(), " cores");
  CHECK(obs.users[0].usage.cpu() < 0.3);
  CHECK((obs.users[0].events & kEventCpuThrottled) != 0);
  CHECK(obs.users[0].allocation.cpu() == doctest::Approx(0.1));
}

TEST_CASE("CgroupPool on real cgroup v1: usage, throttle, EBUSY shrink, OOM, IO" *
          doctest::test_suite("real_kernel")) {
  if (::geteuid() != 0) {
    MESSAGE("skipped: real cgroup tests need root");
    return;
  }
  absl::StatusOr<CgroupPool> pool = RealPool(CgroupVersion::kV1);
  if (!pool.ok()) {
    MESSAGE("skipped: no writable cgroup v1 here: ", pool.status());
    return;
  }
  RealGroupsGuard guard(*pool);
  CheckRealCpu(*pool, guard);
  if (!pool->Supports(Resource::kMemory)) {
    MESSAGE("skipped memory: ", pool->unsupported_reason(Resource::kMemory));
    return;
  }

  // A shrink below what the group holds: without swap the kernel refuses (EBUSY)
  // and the old limit stays; with swap it reclaims and the shrink succeeds.
  constexpr double kMi = 1024.0 * 1024;
  const UserId hog{2};
  REQUIRE(guard.Add(hog, "hog").ok());
  ChildProcess hog_child([] { Allocate(96 << 20); });
  REQUIRE(pool->AttachProcess(hog, hog_child.pid()).ok());
  std::vector<absl::Status> results;
  AllocationPlan plan;
  plan.moves = {Resize(hog, Resource::kMemory, pool->capacity().memory(), 256 * kMi)};
  REQUIRE(pool->Apply(absl::Now(), plan, results).ok());
  REQUIRE_MESSAGE(results[0].ok(), results[0]);
  CHECK(pool->ReadLimits(hog)->memory() == 256 * kMi);
  hog_child.Start();
  Observation obs;
  for (int i = 0; i < 200; ++i) {  // until the child has touched its memory
    REQUIRE(pool->Observe(absl::Now(), obs).ok());
    if (obs.users[1].usage.memory() >= 90 * kMi) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(obs.users[1].usage.memory() >= 90 * kMi);
  MESSAGE("hog uses ", FormatQuantity(obs.users[1].usage.memory(), Resource::kMemory));
  plan.moves = {Resize(hog, Resource::kMemory, 256 * kMi, 16 * kMi)};
  REQUIRE(pool->Apply(absl::Now(), plan, results).ok());
  if (results[0].ok()) {
    MESSAGE("the kernel reclaimed below usage (swap present)");
    CHECK(pool->ReadLimits(hog)->memory() == 16 * kMi);
  } else {
    MESSAGE("shrink below usage: ", results[0]);
    CHECK(absl::StrContains(results[0].message(), "memory.limit_in_bytes"));
    CHECK(absl::StrContains(results[0].message(), "errno 16"));
    CHECK(absl::StrContains(results[0].message(), "(verified)"));
    CHECK(pool->ReadLimits(hog)->memory() == 256 * kMi);
  }

  // Allocating past the limit gets the child OOM-killed, seen as kEventOom.
  const UserId victim{3};
  REQUIRE(guard.Add(victim, "victim").ok());
  plan.moves = {Resize(victim, Resource::kMemory, pool->capacity().memory(), 32 * kMi)};
  REQUIRE(pool->Apply(absl::Now(), plan, results).ok());
  REQUIRE_MESSAGE(results[0].ok(), results[0]);
  REQUIRE(pool->Observe(absl::Now(), obs).ok());
  {
    ChildProcess victim_child([] { Allocate(128 << 20); });
    REQUIRE(pool->AttachProcess(victim, victim_child.pid()).ok());
    victim_child.Start();
    const int status = victim_child.Wait();
    CHECK(WIFSIGNALED(status));
    if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGKILL);
  }
  REQUIRE(pool->Observe(absl::Now(), obs).ok());
  CHECK((obs.users[2].events & kEventOom) != 0);

  if (!pool->Supports(Resource::kIo)) {
    MESSAGE("skipped io: ", pool->unsupported_reason(Resource::kIo));
    return;
  }
  // Direct writes are charged to the group; a bandwidth limit is written and read back.
  const UserId writer{4};
  REQUIRE(guard.Add(writer, "writer").ok());
  plan.moves = {Resize(writer, Resource::kIo, pool->capacity().io(), 8 * kMi)};
  REQUIRE(pool->Apply(absl::Now(), plan, results).ok());
  if (!results[0].ok()) {
    MESSAGE("skipped io: the kernel refused a blkio limit on ", DeviceOf("/tmp"), ": ", results[0]);
    return;
  }
  CHECK(pool->ReadLimits(writer)->io() == 8 * kMi);
  ChildProcess writer_child([] { DirectWrite(8 << 20); });
  REQUIRE(pool->AttachProcess(writer, writer_child.pid()).ok());
  REQUIRE(pool->Observe(absl::Now(), obs).ok());
  writer_child.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  REQUIRE(pool->Observe(absl::Now(), obs).ok());
  MESSAGE("O_DIRECT writer limited to 8 MiB/s: ",
          FormatQuantity(obs.users[3].usage.io(), Resource::kIo), "/s");
  CHECK(obs.users[3].usage.io() > 0.0);
  CHECK(obs.users[3].usage.io() < 16 * kMi);
}

TEST_CASE("CgroupPool on real cgroup v2: usage from cpu.stat, limits where enabled" *
          doctest::test_suite("real_kernel")) {
  if (::geteuid() != 0) {
    MESSAGE("skipped: real cgroup tests need root");
    return;
  }
  absl::StatusOr<CgroupPool> pool = RealPool(CgroupVersion::kV2);
  if (!pool.ok()) {
    MESSAGE("skipped: no writable cgroup v2 here: ", pool.status());
    return;
  }
  for (Resource r : {Resource::kCpu, Resource::kMemory, Resource::kIo}) {
    if (!pool->Supports(r)) MESSAGE("v2 ", ResourceName(r), ": ", pool->unsupported_reason(r));
  }
  RealGroupsGuard guard(*pool);
  CheckRealCpu(*pool, guard);
}

}  // namespace
}  // namespace foresight
