// The synthetic VM trace: determinism, the documented features, and the
// comparisons it exists for (oracle exact, envelope vs VPA on memory).
#include "foresight/sim/vm_trace.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "foresight/allocate/oracle.hpp"
#include "foresight/allocate/vpa_style.hpp"
#include "foresight/sim/replay.hpp"

namespace foresight {
namespace {

TEST_CASE("GenerateVmTrace is seeded, bounded by the VM sizes and has gaps") {
  auto a = GenerateVmTrace({.vms = 60, .days = 3, .seed = 5});
  auto b = GenerateVmTrace({.vms = 60, .days = 3, .seed = 5});
  auto c = GenerateVmTrace({.vms = 60, .days = 3, .seed = 6});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(c.ok());
  CHECK(ValidateWorkload(*a).ok());
  CHECK(a->num_steps() == 3 * 288);
  std::size_t same = 0, missing = 0, total = 0;
  std::set<std::string> kinds;
  for (std::size_t u = 0; u < a->num_users(); ++u) {
    kinds.insert(a->users[u].archetype);
    for (std::size_t t = 0; t < a->num_steps(); ++t) {
      ++total;
      if (!a->Present(u, t)) {
        ++missing;
        CHECK_FALSE(b->Present(u, t));
        continue;
      }
      same += a->Demand(u, t, Resource::kMemory) == b->Demand(u, t, Resource::kMemory);
      for (Resource r : kAllResources) {
        CHECK(a->Demand(u, t, r) >= 0.0);
        CHECK(a->Demand(u, t, r) <= a->users[u].initial_allocation[r]);
      }
    }
  }
  CHECK(same == total - missing);
  CHECK(missing > 0);
  CHECK(static_cast<double>(missing) / static_cast<double>(total) < 0.05);
  CHECK(kinds.size() >= 8);  // a mix of cpu x memory archetypes
  CHECK(a->Demand(0, 10, Resource::kCpu) != c->Demand(0, 10, Resource::kCpu));
  CHECK_FALSE(GenerateVmTrace({.vms = 0}).ok());
  CHECK_FALSE(GenerateVmTrace({.vms = 1, .days = 1, .step = absl::Minutes(7)}).ok());
}

TEST_CASE("on the VM trace the oracle never OOMs and the envelope keeps OOMs and throttling low") {
  auto w = GenerateVmTrace({.vms = 24, .days = 8, .seed = 3});
  REQUIRE(w.ok());
  ReplayOptions o;
  o.warmup = absl::Hours(48);
  auto oracle = Replay(*w, Oracle(*w), o);
  auto vpa = Replay(*w, VpaStyle{}, o);
  auto env = Replay(*w, QuantileTarget(EnvelopeTargetOptions()), o,
                    EnvelopeReplayForecaster(*w, o.pool), WorkloadCost(*w));
  REQUIRE(oracle.ok());
  REQUIRE(vpa.ok());
  REQUIRE(env.ok());
  const PolicyMetrics &m = oracle->metrics, &v = vpa->metrics, &e = env->metrics;
  CHECK(m.oom_events == 0);  // pending changes and ulp-exact grows (both once broke this)
  MESSAGE("memory vs vpa ", e.allocated_resource_seconds.memory() /
                                v.allocated_resource_seconds.memory(),
          ", oom-free days ", e.oom_free_entity_days, " (vpa ", v.oom_free_entity_days, ")");
  // Not the targets (see docs/trace/evaluate.md for the measured
  // frontier on 200 VMs x 28 days, where the envelope uses 0.9x VPA's memory).
  // On six scored days its week-long error window has not filled and it holds
  // more memory than VPA (measured 1.15x); what it must do here: stay within
  // 1.3x, keep most entity-days OOM-free and cut CPU throttling.
  CHECK(e.allocated_resource_seconds.memory() < 1.3 * v.allocated_resource_seconds.memory());
  CHECK(e.oom_free_entity_days > 0.9);
  CHECK(e.throttled_cpu_seconds < 0.5 * v.throttled_cpu_seconds);
  CHECK(e.capacity_violations == 0);
}

}  // namespace
}  // namespace foresight
