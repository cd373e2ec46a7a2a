// Google Benchmarks of the decision engine: one Plan of water-filling and of
// donor matching over 10k, 100k and 1M users (50 users per host, contended:
// capacity 0.7 x the summed targets), 9 quantile levels. Report ns per user
// as 1e9 / items_per_second.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "foresight/allocate/proactive_donor.hpp"
#include "foresight/allocate/water_filling.hpp"

namespace foresight {
namespace {

struct Problem {
  std::vector<UserObservation> users;
  std::vector<Slot> slots;
  std::vector<CostTerms> costs;
  std::vector<ResourceVector> capacity;
  DemandOutlook outlook;

  AllocationRequest Request() const {
    AllocationRequest req;
    req.now = absl::FromUnixSeconds(1'700'000'000);
    req.users = users;
    req.slots = slots;
    req.costs = costs;
    req.outlook = &outlook;
    req.host_capacity = capacity;
    return req;
  }
};

Problem Make(std::size_t n, std::uint64_t seed = 1) {
  constexpr std::size_t kPerHost = 50;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Problem p;
  p.users.resize(n);
  p.slots.resize(n);
  p.costs.resize(n);
  p.outlook.Resize(n, kDefaultQuantileLevels);
  const std::size_t hosts = (n + kPerHost - 1) / kPerHost;
  std::vector<ResourceVector> demand(hosts);
  for (std::size_t i = 0; i < n; ++i) {
    UserObservation& o = p.users[i];
    o.user = UserId{i};
    o.host = static_cast<std::uint32_t>(i / kPerHost);
    p.slots[i] = static_cast<Slot>(i);
    CostTerms& t = p.costs[i];
    t.priority = 1.0 + static_cast<double>(rng() % 3);
    for (Resource r : kAllResources) {
      const double base = std::exp(u(rng) * 3), cv = 0.1 + 0.4 * u(rng);
      for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) {
        const double z = (kDefaultQuantileLevels[k] - 0.5) * 3.3;
        p.outlook.quantiles(i, Index(r), k) = std::max(0.0, base * (1 + cv * z));
      }
      p.outlook.mean(i, Index(r)) = base;
      o.usage[r] = base;
      o.allocation[r] = base * (0.5 + u(rng));
      t.under[r] = t.priority * (0.5 + u(rng));
      t.over[r] = 0.1 * (0.5 + u(rng));
      t.change[r] = 0.01;
      demand[o.host][r] += base * 1.3;
    }
  }
  p.capacity.resize(hosts);
  std::vector<ResourceVector> alloc(hosts);
  for (const UserObservation& o : p.users) alloc[o.host] += o.allocation;
  for (std::size_t h = 0; h < hosts; ++h) p.capacity[h] = Max(demand[h] * 0.7, alloc[h]);
  return p;
}

template <typename A>
void Run(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const Problem p = Make(n);
  const AllocationRequest req = p.Request();
  A allocator;
  AllocationPlan plan;
  plan.moves.reserve(n * kNumResources);
  for (auto _ : state) {
    const absl::Status s = allocator.Plan(req, plan);
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
    benchmark::DoNotOptimize(plan.moves.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(n));
  state.counters["moves"] = static_cast<double>(plan.size());
}

void BM_WaterFilling_Plan(benchmark::State& state) { Run<WaterFilling>(state); }
void BM_ProactiveDonor_Plan(benchmark::State& state) { Run<ProactiveDonor>(state); }

BENCHMARK(BM_WaterFilling_Plan)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ProactiveDonor_Plan)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace foresight
