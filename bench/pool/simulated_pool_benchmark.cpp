// SimulatedPool::Apply of one tick's plan: one CPU move per user (CPU has no
// lead time, so every move takes effect at once), with each user on its own
// host (right-sizing) or the users packed onto 8 hosts (contention). Reports
// ns per move; a pool whose cost per move grows with the users alive makes
// a replay quadratic in fleet size. Compare ns_per_move across the user
// counts of one run: it should stay flat.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "foresight/pool/simulated_pool.hpp"

namespace foresight {
namespace {

Workload Fleet(std::size_t users, std::size_t hosts) {
  Workload w;
  w.start = absl::FromUnixSeconds(1700000000);
  w.step = absl::Minutes(5);
  const double per_host = static_cast<double>((users + hosts - 1) / hosts);
  w.host_capacity.assign(hosts, ResourceVector::Filled(4.0 * per_host));
  for (std::size_t u = 0; u < users; ++u) {
    WorkloadUser user;
    user.id = UserId{u};
    user.host = static_cast<std::uint32_t>(u % hosts);
    user.initial_allocation = ResourceVector::Filled(2.0);
    w.users.push_back(user);
  }
  w.demand = DemandTable(users, 2);
  w.demand.Fill(1.0);
  return w;
}

void BM_SimulatedPool_Apply(benchmark::State& state, bool own_hosts) {
  const std::size_t users = static_cast<std::size_t>(state.range(0));
  const Workload w = Fleet(users, own_hosts ? users : 8);
  absl::StatusOr<SimulatedPool> pool = SimulatedPool::Create(w);
  if (!pool.ok()) {
    state.SkipWithError("pool");
    return;
  }
  Observation obs;
  if (!pool->Observe(w.time(0), obs).ok()) state.SkipWithError("observe");
  // Two plans that undo each other: every user's CPU limit 2 -> 1, then
  // 1 -> 2 (shrinks before grows, as allocators emit them).
  AllocationPlan down;
  AllocationPlan up;
  for (std::size_t u = 0; u < users; ++u) {
    Move m;
    m.user = UserId{u};
    m.index = static_cast<std::uint32_t>(u);
    m.resource = Resource::kCpu;
    m.from = 2.0;
    m.to = 1.0;
    down.moves.push_back(m);
    std::swap(m.from, m.to);
    up.moves.push_back(m);
  }
  std::vector<absl::Status> results;
  bool grow = false;
  for (auto _ : state) {
    if (!pool->Apply(w.time(0), grow ? up : down, results).ok()) state.SkipWithError("apply");
    grow = !grow;
    benchmark::DoNotOptimize(results.data());
  }
  if (pool->failed_actuations() != 0 || pool->capacity_violations() != 0) {
    state.SkipWithError("a move failed or a host went over capacity");
  }
  state.counters["users"] = static_cast<double>(users);
  state.counters["ns_per_move"] = benchmark::Counter(
      static_cast<double>(users) * 1e-9,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

BENCHMARK_CAPTURE(BM_SimulatedPool_Apply, own_hosts, true)
    ->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SimulatedPool_Apply, eight_hosts, false)
    ->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace foresight
