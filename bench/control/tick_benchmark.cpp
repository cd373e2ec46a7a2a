// One Controller::Tick over 10k and 100k users (observe -> forecast -> plan ->
// apply). The pool synthesises diurnal demand on the fly so the benchmark
// measures the controller, not a stored workload. Reports ns per user.
#include <benchmark/benchmark.h>

#include <cmath>

#include "foresight/allocate/quantile_target.hpp"
#include "foresight/allocate/vpa_style.hpp"
#include "foresight/control/controller.hpp"

namespace foresight {
namespace {

// Users with sinusoidal daily demand, 64 users per host, hourly steps.
class SyntheticPool {
 public:
  explicit SyntheticPool(std::size_t users) : alloc_(users, ResourceVector::Filled(2.0)) {}
  static std::string_view Name() { return "synthetic"; }
  absl::Status Observe(absl::Time now, Observation& out) {
    out.users.resize(alloc_.size());
    const std::size_t hosts = (alloc_.size() + 63) / 64;
    out.host_capacity.assign(hosts, ResourceVector::Filled(64 * 4.0));
    out.time = now;
    const double hour = absl::ToDoubleHours(now - absl::UnixEpoch());
    for (std::size_t i = 0; i < alloc_.size(); ++i) {
      UserObservation& u = out.users[i];
      u.user = UserId{i};
      u.host = static_cast<std::uint32_t>(i / 64);
      const double d = 1.5 + std::sin(2 * M_PI * (hour + static_cast<double>(i % 24)) / 24.0);
      u.usage = ResourceVector::Filled(d);
      u.allocation = alloc_[i];
      u.events = 0;
    }
    return absl::OkStatus();
  }
  absl::Status Apply(absl::Time, const AllocationPlan& plan, std::vector<absl::Status>& results) {
    results.assign(plan.size(), absl::OkStatus());
    for (const Move& m : plan.moves) alloc_[m.index][m.resource] = m.to;
    return absl::OkStatus();
  }
  absl::Duration LeadTime(Resource) const { return absl::ZeroDuration(); }
  PoolCapabilities capabilities() const { return {}; }

 private:
  std::vector<ResourceVector> alloc_;
};

template <typename AllocatorT>
void BM_Controller_Tick(benchmark::State& state) {
  const std::size_t users = static_cast<std::size_t>(state.range(0));
  internal::ErrorQuantiles::Options errors;
  errors.horizon = 1;
  ControllerOptions options;
  options.step = absl::Hours(1);
  options.history_capacity = 48;
  Controller<NullProfiler, HoltWinters, LinearCost, AllocatorT, SyntheticPool> c(
      options, NullProfiler{}, HoltWinters({.season = 24}, errors), LinearCost{}, AllocatorT{},
      SyntheticPool(users));
  absl::Time now = absl::UnixEpoch();
  for (int warm = 0; warm < 48; ++warm, now += absl::Hours(1)) {
    if (!c.Tick(now).ok()) state.SkipWithError("tick failed");
  }
  for (auto _ : state) {
    auto report = c.Tick(now);
    benchmark::DoNotOptimize(report);
    now += absl::Hours(1);
  }
  state.counters["users"] = static_cast<double>(users);
  state.counters["ns_per_user"] = benchmark::Counter(
      static_cast<double>(users) * 1e-9, benchmark::Counter::kIsIterationInvariantRate |
                                             benchmark::Counter::kInvert);
}

BENCHMARK(BM_Controller_Tick<QuantileTarget>)
    ->Name("BM_Controller_Tick/proactive")
    ->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Controller_Tick<VpaStyle>)
    ->Name("BM_Controller_Tick/vpa")
    ->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace foresight
