// Replay throughput of `foresight evaluate` per policy, in entity-steps per
// second: 100 entities x 7 days at 5-minute steps (201,600 entity-steps), in
// right-sizing mode (one ample host per entity), as evaluate replays a trace.
#include <benchmark/benchmark.h>

#include <string>

#include "foresight/sim/generator.hpp"
#include "foresight/sim/policy_registry.hpp"
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

void BM_Replay_Policy(benchmark::State& state, const char* policy) {
  const Workload& w = BenchWorkload();
  const PolicyInfo* info = PolicyRegistry::Global().Find(policy);
  if (info == nullptr) {
    state.SkipWithError("unknown policy");
    return;
  }
  ReplayOptions options;
  options.warmup = absl::Hours(24);
  for (auto _ : state) {
    absl::StatusOr<ReplayResult> r = info->run(w, options, nullptr);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(r->metrics.underprovisioned_fraction);
  }
  const double entity_steps = static_cast<double>(w.num_users() * w.num_steps());
  state.counters["entity_steps_per_s"] = benchmark::Counter(
      entity_steps * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["ns_per_entity_step"] =
      benchmark::Counter(entity_steps * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// One benchmark per policy, named BM_Replay_Policy/<policy>.
const bool kRegistered = [] {
  for (const char* policy : {"vpa", "hpa", "proactive", "proactive+margin", "max(proactive,vpa)",
                             "envelope", "envelope+damped", "track+envelope", "track+headroom", "track+peak", "track+fleet",
                             "track+peak+damped", "track+smooth+damped", "track+fleet+damped", "oracle"}) {
    benchmark::RegisterBenchmark((std::string("BM_Replay_Policy/") + policy).c_str(),
                                 [policy](benchmark::State& state) { BM_Replay_Policy(state, policy); })
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
  }
  return true;
}();

}  // namespace
}  // namespace foresight
