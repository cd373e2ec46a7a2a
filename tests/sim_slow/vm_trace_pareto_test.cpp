// Issue 5's Pareto comparison with VpaStyle, on the synthetic VM trace, on
// three seeds other than the one the settings were tuned on (seed 1 at 100
// VMs x 14 days). These seeds were measured under an earlier setting too
// (0.99999 level, 1.25x floor), which did better on them. The setting moved to
// 0.9999 and 1.3x because of the built-in workload, where the 0.99999 tail
// outgrew host capacity (docs/trace/evaluate.md).
// - CPU: most of VPA's throttled CPU-seconds removed with less CPU. Holds.
// - Memory: less memory than VPA at VPA's OOM-free entity-days. That does not
//   hold on every seed. On 720 entity-days, a seed's OOM-free days land near
//   VPA's, above on some seeds and below on others: seed 12 is 0.3 points
//   above, seeds 11 and 13 are 1.1 and 1.0 points below. docs/trace/evaluate.md
//   lists every run. The check is therefore "within 1.5 points, with less
//   memory", not domination. The tolerance was set after measuring these seeds.
#include <doctest/doctest.h>

#include <cstdint>

#include "foresight/allocate/damping.hpp"
#include "foresight/allocate/vpa_style.hpp"
#include "foresight/sim/generator.hpp"
#include "foresight/sim/replay.hpp"
#include "foresight/sim/vm_trace.hpp"
#include "registered.hpp"

namespace foresight {
namespace {

// A VM trace replayed with a two-day warm-up, and VPA's metrics on it.
struct VmTraceRun {
  Workload w;
  ReplayOptions o;
  PolicyMetrics vpa;
};
VmTraceRun RunVpa(const VmTraceOptions& trace) {
  VmTraceRun run;
  absl::StatusOr<Workload> w = GenerateVmTrace(trace);
  REQUIRE(w.ok());
  run.w = *std::move(w);
  run.o.warmup = absl::Hours(48);
  absl::StatusOr<ReplayResult> vpa = Replay(run.w, VpaStyle{}, run.o);
  REQUIRE(vpa.ok());
  run.vpa = vpa->metrics;
  return run;
}

// The track+* policies' replay: `allocator` (track+envelope's QuantileTarget
// unless given) over the forecaster `f`.
template <typename F, Allocator A = QuantileTarget>
PolicyMetrics ReplayTrack(const Workload& w, const ReplayOptions& o, absl::StatusOr<F> f,
                          A allocator = QuantileTarget(TrackEnvelopeTargetOptions())) {
  REQUIRE(f.ok());
  absl::StatusOr<ReplayResult> r = Replay(w, std::move(allocator), o, *std::move(f), WorkloadCost(w));
  REQUIRE(r.ok());
  return r->metrics;
}

// track+peak, and track+peak with `TrackDampingOptions` (and the yield on or
// off), replayed as the policy registry does.
PolicyMetrics TrackPeak(const Workload& w, const ReplayOptions& o) {
  return ReplayTrack(w, o, TrackPeakReplayForecaster(w, o.pool));
}
PolicyMetrics TrackPeakDamped(const Workload& w, const ReplayOptions& o, bool yield) {
  Damped<QuantileTarget> damped{QuantileTarget(TrackEnvelopeTargetOptions())};
  DampingOptions d = TrackDampingOptions();
  d.yield_to_grows = yield;
  REQUIRE(damped.set_options(d).ok());
  return ReplayTrack(w, o, TrackPeakReplayForecaster(w, o.pool), std::move(damped));
}

// track+smooth+damped and track+fleet+damped, as registered.
PolicyMetrics TrackSmoothDamped(const Workload& w, const ReplayOptions& o) {
  return testing::RunRegistered("track+smooth+damped", w, o);
}
PolicyMetrics TrackFleetDamped(const Workload& w, const ReplayOptions& o) {
  return testing::RunRegistered("track+fleet+damped", w, o);
}

TEST_CASE("track+headroom, track+peak and track+peak+damped against VPA across seeds: CPU dominated, memory at VPA's OOM-free days") {
  for (std::uint64_t seed : {11u, 12u, 13u}) {
    INFO("seed ", seed);
    const VmTraceRun run = RunVpa({.vms = 60, .days = 14, .seed = seed});
    const PolicyMetrics& v = run.vpa;
    const PolicyMetrics m =
        ReplayTrack(run.w, run.o, TrackHeadroomReplayForecaster(run.w, run.o.pool));
    const double memory = m.allocated_resource_seconds.memory() / v.allocated_resource_seconds.memory();
    const double cpu = m.allocated_resource_seconds.cpu() / v.allocated_resource_seconds.cpu();
    const double throttled = m.throttled_cpu_seconds / v.throttled_cpu_seconds;
    MESSAGE("seed ", seed, ": memory ", memory, "x at ", m.oom_free_entity_days,
            " OOM-free days (vpa ", v.oom_free_entity_days, "); cpu ", cpu, "x, throttled ",
            throttled, "x");
    CHECK(m.oom_free_entity_days >= v.oom_free_entity_days - 0.015);
    CHECK(memory < 0.97);
    CHECK(cpu < 1.0);
    CHECK(throttled < 0.25);
    CHECK(m.capacity_violations == 0);

    // track+peak: memory's margin learned per VM (PeakHeadroom, at least 0.25
    // of the level). Measured: 0.85-0.90x VPA's memory, 2-3 points less than
    // track+headroom on every seed, at OOM-free days from 1.25 points below
    // VPA's (seed 13) to 0.3 above (seed 12).
    const PolicyMetrics k = TrackPeak(run.w, run.o);
    const double peak_memory =
        k.allocated_resource_seconds.memory() / v.allocated_resource_seconds.memory();
    MESSAGE("seed ", seed, ": track+peak memory ", peak_memory, "x at ", k.oom_free_entity_days,
            " OOM-free days");
    CHECK(k.oom_free_entity_days >= v.oom_free_entity_days - 0.015);
    CHECK(peak_memory < 0.92);
    CHECK(peak_memory < memory);
    CHECK(k.capacity_violations == 0);

    // track+peak+damped (tuned on seed 1): far fewer memory limit changes
    // than track+peak, memory within 4% of it, OOM-free days no lower, still
    // within 1.5 points of VPA's. Measured: 1-4 memory changes per VM-day
    // against 274-284, 1.02-1.03x track+peak's memory, OOM-free days 0.1-0.8
    // points higher; seed 13 stays 1.0 point below VPA's (track+peak: 1.25).
    const PolicyMetrics d = TrackPeakDamped(run.w, run.o, true);
    MESSAGE("seed ", seed, ": damped memory changes/day ",
            d.changes_per_entity_day_median_by_resource.memory(), " (track+peak ",
            k.changes_per_entity_day_median_by_resource.memory(), "), memory ",
            d.allocated_resource_seconds.memory() / v.allocated_resource_seconds.memory(),
            "x VPA (", k.allocated_resource_seconds.memory() / v.allocated_resource_seconds.memory(),
            "x) at ", d.oom_free_entity_days, " OOM-free days (", k.oom_free_entity_days,
            "; vpa ", v.oom_free_entity_days, ")");
    CHECK(d.changes_per_entity_day_median_by_resource.memory() <
          0.05 * k.changes_per_entity_day_median_by_resource.memory());
    CHECK(d.allocated_resource_seconds.memory() < 1.04 * k.allocated_resource_seconds.memory());
    CHECK(d.oom_free_entity_days >= k.oom_free_entity_days);
    CHECK(d.oom_free_entity_days >= v.oom_free_entity_days - 0.015);
    CHECK(d.capacity_violations == 0);

    // track+smooth+damped: IO and network on a level smoothed per VM
    // (AdaptiveEwma), damped at 5% / 20%. Tuned on seed 1 (100 VMs x 14 days);
    // measured here against track+peak+damped: 0.97-0.98x the IO and network
    // allocated, 0.91-0.93x the under-provisioned byte-seconds, 51-61 changes
    // a VM-day against 193-211; memory and CPU untouched.
    const PolicyMetrics sm = TrackSmoothDamped(run.w, run.o);
    for (Resource r : {Resource::kIo, Resource::kNet}) {
      INFO(ResourceName(r));
      MESSAGE("seed ", seed, " ", ResourceName(r), ": smooth allocated ",
              sm.allocated_resource_seconds[r] / d.allocated_resource_seconds[r],
              "x damped's, under-provisioned ",
              sm.underprovisioned_resource_seconds[r] / d.underprovisioned_resource_seconds[r],
              "x, changes/day ", sm.changes_per_entity_day_median_by_resource[r], " (",
              d.changes_per_entity_day_median_by_resource[r], ")");
      CHECK(sm.allocated_resource_seconds[r] < d.allocated_resource_seconds[r]);
      CHECK(sm.underprovisioned_resource_seconds[r] < d.underprovisioned_resource_seconds[r]);
      CHECK(sm.changes_per_entity_day_median_by_resource[r] <
            0.6 * d.changes_per_entity_day_median_by_resource[r]);
    }
    CHECK(sm.allocated_resource_seconds.memory() == d.allocated_resource_seconds.memory());
    CHECK(sm.allocated_resource_seconds.cpu() == d.allocated_resource_seconds.cpu());
    CHECK(sm.oom_free_entity_days == d.oom_free_entity_days);
    CHECK(sm.capacity_violations == 0);

    // track+fleet+damped: memory's floor learned from the fleet, CPU smoothed
    // per VM. On these steppy fleets (a deployment a VM-week) the fleet
    // prices the steps about as the hand-set floor did. Measured: 0.87-0.92x
    // VPA's memory (0.4-0.5 % under track+smooth+damped's) at OOM-free days
    // 0-0.3 points below its; 0.1 % more CPU with 4 % more throttling.
    const PolicyMetrics fl = TrackFleetDamped(run.w, run.o);
    const double fl_memory =
        fl.allocated_resource_seconds.memory() / v.allocated_resource_seconds.memory();
    MESSAGE("seed ", seed, ": track+fleet+damped memory ", fl_memory, "x at ",
            fl.oom_free_entity_days, " OOM-free days (smooth ",
            sm.allocated_resource_seconds.memory() / v.allocated_resource_seconds.memory(),
            "x at ", sm.oom_free_entity_days, "); cpu ",
            fl.allocated_resource_seconds.cpu() / v.allocated_resource_seconds.cpu(),
            "x throttled ", fl.throttled_cpu_seconds / v.throttled_cpu_seconds, "x (smooth ",
            sm.allocated_resource_seconds.cpu() / v.allocated_resource_seconds.cpu(), "x, ",
            sm.throttled_cpu_seconds / v.throttled_cpu_seconds, "x)");
    CHECK(fl.oom_free_entity_days >= v.oom_free_entity_days - 0.015);
    CHECK(fl_memory < 0.95);
    CHECK(fl.allocated_resource_seconds.cpu() < 1.01 * sm.allocated_resource_seconds.cpu());
    CHECK(fl.throttled_cpu_seconds < 1.1 * sm.throttled_cpu_seconds);
    CHECK(fl.capacity_violations == 0);
  }
}

TEST_CASE("track+fleet prices deployments from the fleet: less memory than track+peak where quiet VMs stay quiet") {
  // track+peak's 0.25 floor was tuned on a trace whose flat VMs are redeployed
  // about once a week; track+fleet learns the floor from the fleet instead
  // (FleetPeaks). On a fleet without deployments it should give the floor
  // back. Measured (100 VMs x 21 days, seed 21, deploys_per_week 0):
  // VPA 0.994 OOM-free days; track+peak 0.90x VPA memory at 0.993; track+fleet
  // 0.82x at 0.992.
  const VmTraceRun run =
      RunVpa({.vms = 100, .days = 21, .seed = 21, .deploys_per_week = 0.0});
  const PolicyMetrics peak = TrackPeak(run.w, run.o);
  const PolicyMetrics fleet =
      ReplayTrack(run.w, run.o, TrackFleetReplayForecaster(run.w, run.o.pool));
  const PolicyMetrics& v = run.vpa;
  const double vm = v.allocated_resource_seconds.memory();
  MESSAGE("quiet fleet: vpa OOM-free ", v.oom_free_entity_days, "; track+peak memory ",
          peak.allocated_resource_seconds.memory() / vm, "x at ", peak.oom_free_entity_days,
          "; track+fleet ", fleet.allocated_resource_seconds.memory() / vm, "x at ",
          fleet.oom_free_entity_days);
  CHECK(fleet.allocated_resource_seconds.memory() < 0.95 * peak.allocated_resource_seconds.memory());
  CHECK(fleet.oom_free_entity_days >= v.oom_free_entity_days - 0.01);
  CHECK(fleet.allocated_resource_seconds.cpu() == peak.allocated_resource_seconds.cpu());
  CHECK(fleet.capacity_violations == 0);

  // The damped policies: track+smooth+damped keeps track+peak's floor,
  // track+fleet+damped learns it (with a 5 % floor for the damping's 2 % dead
  // band: with none, grows under 2 % were dropped until memory crept past its
  // limit, 4732 OOMs on the 200-VM quiet trace against VPA's 88).
  const PolicyMetrics smooth = TrackSmoothDamped(run.w, run.o);
  const PolicyMetrics fleet_damped = TrackFleetDamped(run.w, run.o);
  MESSAGE("quiet fleet: track+smooth+damped memory ",
          smooth.allocated_resource_seconds.memory() / vm, "x at ", smooth.oom_free_entity_days,
          "; track+fleet+damped ", fleet_damped.allocated_resource_seconds.memory() / vm, "x at ",
          fleet_damped.oom_free_entity_days);
  CHECK(fleet_damped.allocated_resource_seconds.memory() <
        0.93 * smooth.allocated_resource_seconds.memory());
  CHECK(fleet_damped.oom_free_entity_days >= v.oom_free_entity_days - 0.01);
  CHECK(fleet_damped.capacity_violations == 0);
}


TEST_CASE("track+peak's envelope alone holds too much memory for the issue's 0.7x aim") {
  // What bounds every margin scheme built on this envelope: with no margin at
  // all (PeakHeadroom pinned at 0), memory is still far above 0.7x VPA's,
  // with several times VPA's OOM days. More margin only adds memory, so no
  // per-VM margin, however it is learned, gets below this here. Measured (60
  // VMs x 14 days, seed 1): 0.79x VPA's memory at 0.933 OOM-free days (VPA
  // 0.983; oracle 0.64x). A scratch sweep of fixed margins 0-1.0 chosen per VM
  // in hindsight needed 0.80x to match VPA's OOM days (docs/trace/evaluate.md).
  const VmTraceRun run = RunVpa({.vms = 60, .days = 14, .seed = 1});
  absl::StatusOr<TrackEnvelopeForecaster> track = TrackEnvelopeReplayForecaster(run.w, run.o.pool);
  REQUIRE(track.ok());
  PeakHeadroomOptions none = TrackPeakMemoryOptions(run.w, run.o.pool);
  none.min_fraction = none.max_fraction = none.prior = 0.0;
  absl::StatusOr<TrackPeakMemory> memory = TrackPeakCapped(
      run.w, PeakHeadroom<Conformal<PeakEnvelope>>::Create(track->memory(), none));
  REQUIRE(memory.ok());
  const PolicyMetrics bare =
      ReplayTrack(run.w, run.o, TrackPeakForecaster::Create(track->cpu(), *std::move(memory)));
  const PolicyMetrics peak = TrackPeak(run.w, run.o);
  const double vm = run.vpa.allocated_resource_seconds.memory();
  MESSAGE("no margin: memory ", bare.allocated_resource_seconds.memory() / vm, "x VPA's at ",
          bare.oom_free_entity_days, " OOM-free days (vpa ", run.vpa.oom_free_entity_days,
          "); track+peak ", peak.allocated_resource_seconds.memory() / vm, "x at ",
          peak.oom_free_entity_days);
  CHECK(bare.allocated_resource_seconds.memory() > 0.75 * vm);
  CHECK(bare.allocated_resource_seconds.memory() < peak.allocated_resource_seconds.memory());
  CHECK(bare.oom_free_entity_days < run.vpa.oom_free_entity_days - 0.02);
}

TEST_CASE("on tightly packed hosts Damped's yield keeps track+peak+damped's OOMs near track+peak's") {
  // The built-in workload (40 users on 5 hosts), packed onto hosts of 1.2x
  // their users' summed peaks. Without the yield, shrinks held back leave
  // neighbours' grows no room. Measured: track+peak 161 OOMs and 0.948
  // OOM-free user-days; damped with the yield 160 and 0.948; without it 195
  // and 0.941. On `foresight simulate`'s 1.5x hosts the three had 147, 154
  // and 223 OOMs until PeakHeadroom's cap (session 10) left the hosts room
  // enough: 90 each there now.
  GeneratorOptions g;
  g.capacity_factor = 1.2;
  absl::StatusOr<Workload> w = GenerateWorkload(g);
  REQUIRE(w.ok());
  ReplayOptions o;
  o.pool.seed = 42;
  const PolicyMetrics p = TrackPeak(*w, o), yield = TrackPeakDamped(*w, o, true),
                      hold = TrackPeakDamped(*w, o, false);
  MESSAGE("OOMs: track+peak ", p.oom_events, ", damped ", yield.oom_events, ", damped without yield ",
          hold.oom_events, "; OOM-free days ", p.oom_free_entity_days, ", ",
          yield.oom_free_entity_days, ", ", hold.oom_free_entity_days);
  CHECK(yield.oom_events < hold.oom_events);
  CHECK(yield.oom_events < 1.1 * p.oom_events);
  CHECK(yield.oom_free_entity_days >= p.oom_free_entity_days - 0.005);
  CHECK(yield.changes_per_entity_day_median < 0.7 * p.changes_per_entity_day_median);
  CHECK(yield.capacity_violations == 0);
  CHECK(hold.capacity_violations == 0);

  // track+smooth+damped on app-launch rates, which are on or off rather than
  // noisy: the per-VM smoothing keeps them on the last value, so IO and
  // network stay about where track+peak+damped has them (a fixed alpha 0.5
  // held 8-19% more and was under-provisioned 4-15% more). Measured: IO
  // 1.04x the allocation at 0.90x the under-provisioned byte-seconds,
  // network 1.03x at 0.89x; 8.7% of user-steps short on some resource
  // against 8.5% (9.6% when IO and network moves under 10% were dropped).
  const PolicyMetrics smooth = TrackSmoothDamped(*w, o);
  for (Resource r : {Resource::kIo, Resource::kNet}) {
    INFO(ResourceName(r));
    MESSAGE(ResourceName(r), ": smooth allocated ",
            smooth.allocated_resource_seconds[r] / yield.allocated_resource_seconds[r],
            "x damped's, under-provisioned ",
            smooth.underprovisioned_resource_seconds[r] / yield.underprovisioned_resource_seconds[r],
            "x");
    CHECK(smooth.allocated_resource_seconds[r] < 1.06 * yield.allocated_resource_seconds[r]);
    CHECK(smooth.underprovisioned_resource_seconds[r] <= yield.underprovisioned_resource_seconds[r]);
  }
  CHECK(smooth.underprovisioned_fraction < yield.underprovisioned_fraction + 0.005);
  CHECK(smooth.oom_events == yield.oom_events);
  CHECK(smooth.capacity_violations == 0);
}

}  // namespace
}  // namespace foresight
