// Cost of one CgroupPool tick: Observe (every user's counters and limits) and
// Apply (one resize per user), on a fake tree of N users and, when run as root
// on a host with cgroup v1, on real cgroups.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <optional>

#include "../../tests/pool/cgroup_fake_tree.hpp"
#include "foresight/pool/cgroup_pool.hpp"

namespace foresight {
namespace {

CgroupPool MakeFakePool(testing::FakeCgroupTree& tree, int users) {
  absl::StatusOr<CgroupPool> pool = CgroupPool::Create(tree.Options(), tree.fs());
  if (!pool.ok()) std::abort();
  for (int u = 0; u < users; ++u) {
    if (!pool->AddUser(UserId{static_cast<std::uint64_t>(u)}, absl::StrCat("u", u)).ok()) {
      std::abort();
    }
  }
  return std::move(*pool);
}

AllocationPlan ShrinkAll(int users, double cpu) {
  AllocationPlan plan;
  for (int u = 0; u < users; ++u) {
    Move m;
    m.user = UserId{static_cast<std::uint64_t>(u)};
    m.resource = Resource::kCpu;
    m.to = cpu;
    plan.moves.push_back(m);
  }
  return plan;
}

void BM_CgroupPool_ObserveFake(benchmark::State& state, CgroupVersion version) {
  testing::FakeCgroupTree tree(version);
  const int users = static_cast<int>(state.range(0));
  CgroupPool pool = MakeFakePool(tree, users);
  Observation obs;
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  for (auto _ : state) {
    now += absl::Seconds(1);
    if (!pool.Observe(now, obs).ok()) state.SkipWithError("Observe failed");
    benchmark::DoNotOptimize(obs.users.data());
  }
  state.SetItemsProcessed(state.iterations() * users);
}
BENCHMARK_CAPTURE(BM_CgroupPool_ObserveFake, v1, CgroupVersion::kV1)->Arg(1)->Arg(16)->Arg(128);
BENCHMARK_CAPTURE(BM_CgroupPool_ObserveFake, v2, CgroupVersion::kV2)->Arg(1)->Arg(16)->Arg(128);

void BM_CgroupPool_ApplyFake(benchmark::State& state, CgroupVersion version) {
  testing::FakeCgroupTree tree(version);
  const int users = static_cast<int>(state.range(0));
  CgroupPool pool = MakeFakePool(tree, users);
  std::vector<absl::Status> results;
  const AllocationPlan a = ShrinkAll(users, 0.01), b = ShrinkAll(users, 0.02);
  bool flip = false;
  for (auto _ : state) {
    flip = !flip;
    if (!pool.Apply(absl::UnixEpoch(), flip ? a : b, results).ok()) state.SkipWithError("Apply");
  }
  state.SetItemsProcessed(state.iterations() * users);
}
BENCHMARK_CAPTURE(BM_CgroupPool_ApplyFake, v1, CgroupVersion::kV1)->Arg(1)->Arg(16)->Arg(128);
BENCHMARK_CAPTURE(BM_CgroupPool_ApplyFake, v2, CgroupVersion::kV2)->Arg(1)->Arg(16)->Arg(128);

// Real cgroup v1 groups (root only); removes what it created.
void BM_CgroupPool_ObserveApplyRealV1(benchmark::State& state) {
  const int users = static_cast<int>(state.range(0));
  CgroupPoolOptions o;
  o.version = CgroupVersion::kV1;
  o.group = absl::StrCat("foresight-bench-", ::getpid());
  absl::StatusOr<CgroupPool> created =
      ::geteuid() == 0 ? CgroupPool::Create(o) : absl::PermissionDeniedError("not root");
  if (!created.ok()) {
    state.SkipWithError(std::string(created.status().message()).c_str());
    return;
  }
  CgroupPool& pool = *created;
  for (int u = 0; u < users; ++u) {
    if (!pool.AddUser(UserId{static_cast<std::uint64_t>(u)}, absl::StrCat("u", u)).ok()) {
      state.SkipWithError("AddUser failed");
      break;
    }
  }
  Observation obs;
  std::vector<absl::Status> results;
  const AllocationPlan a = ShrinkAll(users, 0.01), b = ShrinkAll(users, 0.02);
  bool flip = false;
  absl::Time now = absl::Now();
  for (auto _ : state) {
    now += absl::Seconds(1);
    flip = !flip;
    if (!pool.Observe(now, obs).ok() || !pool.Apply(now, flip ? a : b, results).ok()) {
      state.SkipWithError("tick failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * users);
  for (int u = 0; u < users; ++u)
    pool.RemoveUser(UserId{static_cast<std::uint64_t>(u)}).IgnoreError();
  pool.RemoveParentGroup().IgnoreError();
}
BENCHMARK(BM_CgroupPool_ObserveApplyRealV1)->Arg(1)->Arg(16);

}  // namespace
}  // namespace foresight
