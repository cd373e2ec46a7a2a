// Under contention (16 users per host, capacity 0.6 x summed peaks) the
// decision engine's water-filling, donor, preemption and fallback allocators
// beat the VPA-style and QuantileTarget baselines on total cost and
// under-provisioned fraction, and no decision
// allocator ever puts a host above capacity, with or without injected faults.
// Seeded small workloads; no hard-coded numbers.
#include <doctest/doctest.h>

#include "foresight/allocate/autopilot.hpp"
#include "foresight/allocate/damping.hpp"
#include "foresight/allocate/fallback.hpp"
#include "foresight/allocate/preemption.hpp"
#include "foresight/allocate/proactive_donor.hpp"
#include "foresight/allocate/quantile_target.hpp"
#include "foresight/allocate/thresholds.hpp"
#include "foresight/allocate/vpa_style.hpp"
#include "foresight/allocate/water_filling.hpp"
#include "foresight/sim/generator.hpp"
#include "foresight/sim/replay.hpp"

namespace foresight {
namespace {

// The comparisons replay 48 workloads; under the sanitizers (10x slower) they
// are skipped and only the capacity checks run.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

Workload Contended(std::uint64_t seed, int days = 3) {
  GeneratorOptions g;
  g.users = 32;
  g.days = days;
  g.seed = seed;
  g.users_per_host = 16;
  g.capacity_factor = 0.6;
  absl::StatusOr<Workload> w = GenerateWorkload(g);
  REQUIRE(w.ok());
  return *std::move(w);
}

template <typename A>
PolicyMetrics Run(const Workload& w, double failure_rate = 0.0) {
  ReplayOptions o;
  o.pool.failure_rate = failure_rate;
  o.pool.delay_rate = failure_rate;
  o.pool.seed = 3;
  absl::StatusOr<ReplayResult> r = Replay(w, A{}, o);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return r->metrics;
}

TEST_CASE_TEMPLATE("Under contention the decision allocators beat VpaStyle and QuantileTarget" *
                       doctest::skip(kSanitized),
                   A,
                   WaterFilling, ProactiveDonor, WithPreemption<ProactiveDonor>, Fallback) {
  for (std::uint64_t seed : {7u, 11u}) {
    const Workload w = Contended(seed);
    const PolicyMetrics vpa = Run<VpaStyle>(w);
    const PolicyMetrics proactive = Run<QuantileTarget>(w);
    const PolicyMetrics x = Run<A>(w);
    MESSAGE(A::Name(), " seed ", seed, ": cost vpa ", vpa.cost, " proactive ", proactive.cost,
            " this ", x.cost, "; under% vpa ", vpa.underprovisioned_fraction, " proactive ",
            proactive.underprovisioned_fraction, " this ", x.underprovisioned_fraction);
    CHECK(x.cost < proactive.cost);
    CHECK(x.cost < vpa.cost);
    CHECK(x.underprovisioned_fraction < proactive.underprovisioned_fraction);
    CHECK(x.underprovisioned_fraction < vpa.underprovisioned_fraction);
    CHECK(x.capacity_violations == 0);
  }
}

TEST_CASE_TEMPLATE("Decision allocators keep capacity under contention and faults", A, WaterFilling,
                   ProactiveDonor, Thresholds, Fallback, WithPreemption<ProactiveDonor>,
                   Damped<WaterFilling>, AutopilotMovingWindow, AutopilotMl) {
  const Workload w = Contended(5, kSanitized ? 1 : 3);
  const PolicyMetrics clean = Run<A>(w);
  CHECK(clean.capacity_violations == 0);
  const PolicyMetrics faulty = Run<A>(w, 0.1);
  CHECK(faulty.capacity_violations == 0);
  CHECK(faulty.failed_actuations > 0);
}

}  // namespace
}  // namespace foresight
