// Replay throughput of `foresight evaluate` per policy, in entity-steps per
// second: 100 entities x 7 days at 5-minute steps (201,600 entity-steps), in
// right-sizing mode (one ample host per entity), as evaluate replays a trace.
//
// BM_Replay_Policy/proactive(<method>): registry methods as policies
// (src/sim/policies_forecast.cpp), each with a "[refit_hours=1e6]" run that
// never refits within the week: the ratio prices the daily refits; and one
// with "[stagger=0]", every series refitted on the same tick, against which
// slowest_tick_ms (the longest controller tick, what a host's tick period must
// hold) shows what staggering the refits over the day buys.
//
// BM_Replay_Lifetimes: the VM trace with VMs that come and go (1-day mean
// lifetimes, 600 VMs x 7 days, about 1 in 8 alive at a time) against the same
// generator with every VM alive throughout (75 VMs x 7 days: about as many
// alive entity-steps). A replay should cost per alive entity-step, not per VM
// ever seen: compare ns_per_alive_entity_step between the two, and
// controller_slots (the controller's per-user state) with entities, and
// demand_MB (the trace as stored) with dense_demand_MB.
//
// BM_Replay_IdleSpan: 20 VMs for 2 days, 60 days with none, 20 more for 2 days
// (a trace joined from two logs), replayed with `ReplayOptions::skip_idle`
// (skip) and without it (tick, the baseline): the skip should make the replay
// cost what the 4 lived days cost.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "foresight/sim/generator.hpp"
#include "foresight/sim/policy_registry.hpp"
#include "foresight/sim/vm_trace.hpp"
#include "foresight/trace/layout.hpp"

namespace foresight {
namespace {

const Workload& BenchWorkload() {
  static const Workload w = [] {
    GeneratorOptions g;
    g.users = 100;
    g.days = 7;
    g.seed = 5;
    Workload out = *GenerateWorkload(g);
    (void)RightSizingLayout(out);
    return out;
  }();
  return w;
}

const Workload& VmWorkload(bool lifetimes) {
  auto make = [](int vms, absl::Duration life) {
    Workload out = *GenerateVmTrace({.vms = vms, .days = 7, .seed = 5, .mean_lifetime = life});
    (void)RightSizingLayout(out);
    return out;
  };
  static const Workload with = make(600, absl::Hours(24));
  static const Workload without = make(75, absl::ZeroDuration());
  return lifetimes ? with : without;
}

// Two 2-day fleets of 20 VMs with 60 empty days between them.
const Workload& IdleSpanWorkload() {
  static const Workload w = [] {
    const Workload a = *GenerateVmTrace({.vms = 20, .days = 2, .seed = 5});
    const Workload b = *GenerateVmTrace({.vms = 20, .days = 2, .seed = 6});
    const std::size_t gap = static_cast<std::size_t>(IDiv(absl::Hours(24 * 60), a.step));
    const std::size_t steps = a.num_steps() + gap + b.num_steps();
    Workload out = a;
    std::vector<StepWindow> lives;
    for (std::size_t u = 0; u < a.num_users(); ++u) lives.push_back({0, a.num_steps() - 1});
    for (std::size_t u = 0; u < b.num_users(); ++u) {
      lives.push_back({steps - b.num_steps(), steps - 1});
      WorkloadUser user = b.users[u];
      user.id = UserId{a.num_users() + u + 1};
      user.name = "b" + user.name;
      out.users.push_back(user);
    }
    out.demand = DemandTable(steps, lives);
    out.app = xt::xtensor<std::int32_t, 2>();
    for (std::size_t u = 0; u < out.num_users(); ++u) {
      const bool first = u < a.num_users();
      const Workload& src = first ? a : b;
      const std::size_t su = first ? u : u - a.num_users();
      for (std::size_t t = 0; t < src.num_steps(); ++t) {
        for (std::size_t r = 0; r < kNumResources; ++r) {
          out.demand.Set(u, lives[u].first + t, r, src.demand(su, t, r));
        }
      }
    }
    (void)RightSizingLayout(out);
    return out;
  }();
  return w;
}

void ReplayPolicy(benchmark::State& state, const Workload& w, const char* policy,
                  bool skip_idle = true) {
  // Resolve, not Find: family members ("proactive(ets)") are built on demand.
  const absl::StatusOr<std::vector<const PolicyInfo*>> resolved =
      PolicyRegistry::Global().Resolve(policy);
  if (!resolved.ok()) {
    state.SkipWithError(std::string(resolved.status().message()).c_str());
    return;
  }
  const PolicyInfo* info = resolved->front();
  ReplayOptions options;
  options.warmup = absl::Hours(24);
  options.skip_idle = skip_idle;
  std::uint64_t slots = 0;
  double slowest_tick = 0.0;
  for (auto _ : state) {
    absl::StatusOr<ReplayResult> r = info->run(w, options, nullptr);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(r->metrics.underprovisioned_fraction);
    slots = r->metrics.controller_slots;
    slowest_tick = std::max(slowest_tick, r->metrics.slowest_tick_seconds);
  }
  state.counters["slowest_tick_ms"] = slowest_tick * 1e3;
  // The controller's per-user slots against the entities in the trace: a
  // deleted VM's slot goes to the next VM, so with lifetimes it holds about
  // the most VMs alive together.
  state.counters["controller_slots"] = static_cast<double>(slots);
  state.counters["entities"] = static_cast<double>(w.num_users());
  // Demand held for the replay (each entity over its life) against a dense
  // entities x steps x 4 array.
  state.counters["demand_MB"] = static_cast<double>(w.demand.bytes()) / 1e6;
  state.counters["dense_demand_MB"] =
      static_cast<double>(w.num_users() * w.num_steps() * kNumResources * sizeof(double)) / 1e6;
  std::size_t alive = 0;
  for (std::size_t u = 0; u < w.num_users(); ++u) {
    for (std::size_t t = 0; t < w.num_steps(); ++t) alive += w.Present(u, t) ? 1 : 0;
  }
  state.counters["ns_per_alive_entity_step"] =
      benchmark::Counter(static_cast<double>(alive) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  const double entity_steps = static_cast<double>(LiveEntitySteps(w));
  state.counters["entity_steps_per_s"] = benchmark::Counter(
      entity_steps * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["ns_per_entity_step"] =
      benchmark::Counter(entity_steps * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Replay_Policy(benchmark::State& state, const char* policy) {
  ReplayPolicy(state, BenchWorkload(), policy);
}

// One benchmark per policy, named BM_Replay_Policy/<policy>; and
// BM_Replay_Lifetimes/<policy>/{with,without}.
const bool kRegistered = [] {
  for (const char* policy : {"vpa", "track+fleet+damped"}) {
    for (bool lifetimes : {true, false}) {
      benchmark::RegisterBenchmark(
          (std::string("BM_Replay_Lifetimes/") + policy + (lifetimes ? "/with" : "/without"))
              .c_str(),
          [policy, lifetimes](benchmark::State& state) {
            ReplayPolicy(state, VmWorkload(lifetimes), policy);
          })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1);
    }
  }
  for (const char* policy : {"vpa", "track+fleet+damped"}) {
    for (bool skip : {false, true}) {
      benchmark::RegisterBenchmark(
          (std::string("BM_Replay_IdleSpan/") + policy + (skip ? "/skip" : "/tick")).c_str(),
          [policy, skip](benchmark::State& state) {
            ReplayPolicy(state, IdleSpanWorkload(), policy, skip);
          })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1);
    }
  }
  for (const char* policy :
       {"vpa", "hpa", "proactive", "proactive+margin", "max(proactive,vpa)", "envelope",
        "envelope+damped", "track+envelope", "track+headroom", "track+peak", "track+fleet",
        "track+peak+damped", "track+smooth+damped", "track+fleet+damped", "oracle",
        // Registry methods as policies; the refit_hours=1e6 runs never
        // refit within the week, the baseline that prices the daily refits.
        "proactive(holt_winters)", "proactive(theta)", "proactive(theta)[refit_hours=1e6]",
        "proactive(theta)[stagger=0]", "proactive(ets)", "proactive(ets)[refit_hours=1e6]",
        "proactive(ets)[stagger=0]", "proactive(theta)[memory_peak_hours=3]"}) {
    benchmark::RegisterBenchmark(
        (std::string("BM_Replay_Policy/") + policy).c_str(),
        [policy](benchmark::State& state) { BM_Replay_Policy(state, policy); })
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
  }
  return true;
}();

}  // namespace
}  // namespace foresight
