// Cost of BehaviorProfiler per user and tick: Observe over a population of
// users (one observation each per iteration, as a controller tick does), and
// Summary / ExpectedDemand over the same population.
//
//   bench_behavior_profiler --benchmark_filter=Observe
// Counters: ns_per_user (wall time of one tick / users), bytes_per_user.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "foresight/profile/behavior_profiler.hpp"

namespace foresight {
namespace {

constexpr absl::Duration kStep = absl::Minutes(5);

// Deterministic cheap usage: a daily wave per user plus hashed noise; some
// users launch apps and declare sessions.
UserObservation Sample(std::uint32_t user, std::int64_t step) {
  std::uint64_t x = (static_cast<std::uint64_t>(user) << 32) ^ static_cast<std::uint64_t>(step);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  const double noise = static_cast<double>(x & 0xffff) / 65536.0;
  const int minute = static_cast<int>((step * 5) % 1440);
  const double wave = minute > 540 && minute < 1020 ? 1.0 : 0.1;
  UserObservation o;
  o.usage = MakeResources(wave + 0.5 * noise, (1.0 + wave) * 1e9, 1e6 * noise, 1e5 * wave);
  if (user % 4 == 0 && (x >> 20) % 16 == 0) {
    o.events = kEventAppLaunch;
    o.app = static_cast<std::int32_t>((x >> 24) % 6);
  }
  if (user % 4 == 1 && minute == 540) o.events |= kEventSessionStart;
  if (user % 4 == 1 && minute == 1020) o.events |= kEventSessionEnd;
  return o;
}

struct Population {
  BehaviorProfiler profiler;
  std::int64_t step = 0;
  absl::Time start = absl::FromUnixSeconds(1704067200);  // a Monday

  Population(int users, int buckets, int warm_steps) : profiler(Options(buckets)) {
    profiler.Reserve(static_cast<std::size_t>(users));
    for (int s = 0; s < warm_steps; ++s) Tick(users);
  }
  static BehaviorProfilerOptions Options(int buckets) {
    BehaviorProfilerOptions o;
    o.buckets = buckets;
    return o;
  }
  void Tick(int users) {
    const absl::Time now = start + kStep * step;
    for (int u = 0; u < users; ++u) {
      profiler.Observe(static_cast<Slot>(u), now, Sample(static_cast<std::uint32_t>(u), step));
    }
    ++step;
  }
};

void BM_BehaviorProfiler_Observe(benchmark::State& state) {
  const int users = static_cast<int>(state.range(0));
  Population pop(users, static_cast<int>(state.range(1)), /*warm_steps=*/288);
  for (auto _ : state) pop.Tick(users);
  state.SetItemsProcessed(state.iterations() * users);
  state.counters["ns_per_user"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * users,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["bytes_per_user"] = static_cast<double>(pop.profiler.BytesPerSlot());
}
BENCHMARK(BM_BehaviorProfiler_Observe)
    ->Args({1000, 168})
    ->Args({100000, 168})
    ->Args({100000, 42})
    ->Unit(benchmark::kMillisecond);

void BM_BehaviorProfiler_Summary(benchmark::State& state) {
  const int users = static_cast<int>(state.range(0));
  Population pop(users, 168, 288);
  const absl::Time now = pop.start + kStep * pop.step;
  for (auto _ : state) {
    for (int u = 0; u < users; ++u) {
      benchmark::DoNotOptimize(pop.profiler.Summary(static_cast<Slot>(u), now));
    }
  }
  state.counters["ns_per_user"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * users,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_BehaviorProfiler_Summary)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_BehaviorProfiler_ExpectedDemand(benchmark::State& state) {
  const int users = static_cast<int>(state.range(0));
  Population pop(users, 168, 288);
  const absl::Time at = pop.start + kStep * (pop.step + 6);
  for (auto _ : state) {
    for (int u = 0; u < users; ++u) {
      benchmark::DoNotOptimize(pop.profiler.ExpectedDemand(static_cast<Slot>(u), at));
    }
  }
  state.counters["ns_per_user"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * users,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_BehaviorProfiler_ExpectedDemand)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace foresight
