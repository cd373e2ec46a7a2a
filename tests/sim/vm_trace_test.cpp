// The synthetic VM trace: determinism, the documented features, and the
// comparisons it exists for (oracle exact, envelope vs VPA on memory).
#include "foresight/sim/vm_trace.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "foresight/allocate/damping.hpp"
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
  CHECK_FALSE(GenerateVmTrace({.vms = 1, .days = 1, .deploys_per_week = -1.0}).ok());
  // The deployment rate only moves memory levels: CPU is the same draw.
  auto quiet = GenerateVmTrace({.vms = 60, .days = 3, .seed = 5, .deploys_per_week = 0.0});
  REQUIRE(quiet.ok());
  CHECK(quiet->Demand(7, 500, Resource::kCpu) == a->Demand(7, 500, Resource::kCpu));
}

TEST_CASE("GenerateVmTrace with lifetimes: one window of life per VM, the same samples in it") {
  const VmTraceOptions whole{.vms = 80, .days = 6, .seed = 5};
  VmTraceOptions living = whole;
  living.mean_lifetime = absl::Hours(24);
  auto a = GenerateVmTrace(whole);
  auto b = GenerateVmTrace(living);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(ValidateWorkload(*b).ok());
  const std::size_t steps = b->num_steps();
  std::size_t born_late = 0, gone_early = 0, alive_steps = 0;
  for (std::size_t u = 0; u < b->num_users(); ++u) {
    CHECK(b->users[u].archetype == a->users[u].archetype);
    std::size_t first = steps, last = 0;
    for (std::size_t t = 0; t < steps; ++t) {
      if (!b->Present(u, t)) continue;
      first = std::min(first, t);
      last = t;
      // Alive, a VM has the samples it has without lifetimes.
      REQUIRE(a->Present(u, t));
      CHECK(b->Demand(u, t, Resource::kMemory) == a->Demand(u, t, Resource::kMemory));
    }
    REQUIRE(first < steps);  // every VM lives at least one step
    // Inside its life a VM misses only what it misses without lifetimes.
    std::size_t missing_inside = 0, missing_whole = 0;
    for (std::size_t t = first; t <= last; ++t) {
      missing_inside += !b->Present(u, t);
      missing_whole += !a->Present(u, t);
    }
    CHECK(missing_inside == missing_whole);
    born_late += first > 0;
    gone_early += last + 1 < steps;
    alive_steps += last + 1 - first;
  }
  // Lifetimes of a day in a 6-day trace: most VMs are born into it or deleted
  // in it, and about 1/7 of the VM-steps are alive (a lifetime L arriving
  // uniformly in (-L, T) is alive at a given step with probability L/(T+L)).
  CHECK(born_late > 40);
  CHECK(gone_early > 40);
  const double alive = static_cast<double>(alive_steps) / static_cast<double>(80 * steps);
  MESSAGE("alive share of VM-steps: ", alive);
  CHECK(alive > 0.05);
  CHECK(alive < 0.35);
  VmTraceOptions bad = whole;
  bad.mean_lifetime = absl::Hours(-1);
  CHECK(GenerateVmTrace(bad).status().message().find("mean_lifetime") != std::string::npos);
}

TEST_CASE("VM lifetimes are lognormal with the mean asked for, cut to the trace") {
  std::mt19937_64 rng(11);
  const std::size_t steps = 1000000;  // long enough that nothing is cut
  double sum = 0.0;
  std::vector<double> lives;
  for (int i = 0; i < 20000; ++i) {
    const internal::VmLife v = internal::DrawVmLife(rng, 288.0, steps);
    REQUIRE(v.begin < v.end);
    REQUIRE(v.end <= steps);
    if (v.begin == 0 || v.end == steps) continue;  // cut at an end of the trace
    lives.push_back(static_cast<double>(v.end - v.begin));
    sum += lives.back();
  }
  std::sort(lives.begin(), lives.end());
  const double mean = sum / static_cast<double>(lives.size());
  const double median = lives[lives.size() / 2];
  MESSAGE("mean ", mean, " median ", median);
  CHECK(mean == doctest::Approx(288.0).epsilon(0.1).scale(0));
  // log-sd 1.5: the median is exp(-1.125) = 0.32 of the mean.
  CHECK(median == doctest::Approx(288.0 * std::exp(-1.125)).epsilon(0.1).scale(0));
  // A trace shorter than a lifetime: every window is cut to it, never empty.
  for (int i = 0; i < 100; ++i) {
    const internal::VmLife v = internal::DrawVmLife(rng, 1e6, 10);
    CHECK(v.begin < v.end);
    CHECK(v.end <= 10);
  }
}

// One small VM trace replayed once under the policies the cases below compare.
struct VmReplays {
  Workload w;
  PolicyMetrics oracle, vpa, envelope, track_envelope, track_headroom, track_peak,
      track_peak_damped;
};

const VmReplays& Replays() {
  static const VmReplays r = [] {
    VmReplays out;
    absl::StatusOr<Workload> w = GenerateVmTrace({.vms = 24, .days = 8, .seed = 3});
    REQUIRE(w.ok());
    out.w = *std::move(w);
    ReplayOptions o;
    o.warmup = absl::Hours(48);
    auto metrics = [](absl::StatusOr<ReplayResult> r) {
      REQUIRE(r.ok());
      return r->metrics;
    };
    const Workload& t = out.w;
    out.oracle = metrics(Replay(t, Oracle(t), o));
    out.vpa = metrics(Replay(t, VpaStyle{}, o));
    out.envelope = metrics(Replay(t, QuantileTarget(EnvelopeTargetOptions()), o,
                                  EnvelopeReplayForecaster(t, o.pool), WorkloadCost(t)));
    absl::StatusOr<TrackEnvelopeForecaster> f = TrackEnvelopeReplayForecaster(t, o.pool);
    REQUIRE(f.ok());
    out.track_envelope = metrics(Replay(t, QuantileTarget(TrackEnvelopeTargetOptions()), o,
                                        *std::move(f), WorkloadCost(t)));
    absl::StatusOr<TrackHeadroomForecaster> h = TrackHeadroomReplayForecaster(t, o.pool);
    REQUIRE(h.ok());
    out.track_headroom = metrics(Replay(t, QuantileTarget(TrackEnvelopeTargetOptions()), o,
                                        *std::move(h), WorkloadCost(t)));
    absl::StatusOr<TrackPeakForecaster> p = TrackPeakReplayForecaster(t, o.pool);
    REQUIRE(p.ok());
    out.track_peak = metrics(Replay(t, QuantileTarget(TrackEnvelopeTargetOptions()), o,
                                    *std::move(p), WorkloadCost(t)));
    absl::StatusOr<TrackPeakForecaster> pd = TrackPeakReplayForecaster(t, o.pool);
    REQUIRE(pd.ok());
    Damped<QuantileTarget> damped{QuantileTarget(TrackEnvelopeTargetOptions())};
    REQUIRE(damped.set_options(TrackDampingOptions()).ok());
    out.track_peak_damped =
        metrics(Replay(t, std::move(damped), o, *std::move(pd), WorkloadCost(t)));
    return out;
  }();
  return r;
}

TEST_CASE("on the VM trace the oracle never OOMs and the envelope keeps OOMs and throttling low") {
  const PolicyMetrics &m = Replays().oracle, &v = Replays().vpa, &e = Replays().envelope;
  CHECK(m.oom_events == 0);  // pending changes and ulp-exact grows (both once broke this)
  MESSAGE("memory vs vpa ", e.allocated_resource_seconds.memory() /
                                v.allocated_resource_seconds.memory(),
          ", oom-free days ", e.oom_free_entity_days, " (vpa ", v.oom_free_entity_days, ")");
  // Not the targets (see docs/trace/evaluate.md for the measured
  // frontier on 200 VMs x 28 days). Measured here: 0.85x VPA's memory. Until
  // Conformal stopped scoring the cold state's first guess it was 1.15x (that
  // residual, the whole first sample, widened the margin for a week). What it
  // must do here: hold less memory than VPA, keep most entity-days OOM-free
  // and cut CPU throttling.
  CHECK(e.allocated_resource_seconds.memory() < 0.95 * v.allocated_resource_seconds.memory());
  CHECK(e.oom_free_entity_days > 0.9);
  CHECK(e.throttled_cpu_seconds < 0.5 * v.throttled_cpu_seconds);
  CHECK(e.capacity_violations == 0);
}

TEST_CASE("on the VM trace track+envelope's CPU quantiles are calibrated and its tail adds room") {
  // The tracking forecaster's CPU margin comes from a day of one-step errors
  // (288). Up to P99 the window resolves the level; above it, a window of n
  // residuals gives every level its largest one, so P99.9 to P99.9999 covered
  // the same share (99.65 % on 200 VMs x 28 days) until the exponential tail
  // (`tail_fraction` 0.02) priced them.
  const QuantileCoverage& c = Replays().track_envelope.coverage;
  REQUIRE(c.scored(Resource::kCpu) > 30000);
  const auto at = [&](double p) {
    const int k = c.LevelIndex(p);
    REQUIRE(k >= 0);
    return c.Coverage(Resource::kCpu, k);
  };
  MESSAGE("cpu coverage at P50 ", at(0.5), ", P90 ", at(0.9), ", P99 ", at(0.99), ", P99.9 ",
          at(0.999), ", P99.99 ", at(0.9999), ", P99.9999 ", at(0.999999));
  for (double p : {0.25, 0.5, 0.75, 0.9, 0.95, 0.99}) CHECK(std::abs(at(p) - p) < 0.01);
  // Each rarer level covers more than the one below it.
  CHECK(at(0.999) > at(0.99) + 0.001);
  CHECK(at(0.9999) > at(0.999) + 0.0005);
  CHECK(at(0.999999) > at(0.9999));
}

TEST_CASE("on the VM trace track+envelope removes most throttling with less CPU than VPA") {
  // The CPU half of the Pareto comparison: tracking CPU one step ahead
  // (last value + a day's conformal margin, 0.9 level). Measured on 200 VMs x
  // 28 days: 0.86x VPA's CPU with 0.13x its throttled CPU-seconds (the oracle
  // needs 0.74x). Memory is the envelope's, so it must match `envelope` exactly.
  const PolicyMetrics &v = Replays().vpa, &t = Replays().track_envelope, &e = Replays().envelope;
  MESSAGE("cpu vs vpa ", t.allocated_resource_seconds.cpu() / v.allocated_resource_seconds.cpu(),
          ", throttled vs vpa ", t.throttled_cpu_seconds / v.throttled_cpu_seconds);
  CHECK(t.allocated_resource_seconds.cpu() < v.allocated_resource_seconds.cpu());
  CHECK(t.throttled_cpu_seconds < 0.25 * v.throttled_cpu_seconds);
  CHECK(t.allocated_resource_seconds.memory() == e.allocated_resource_seconds.memory());
  CHECK(t.oom_events == e.oom_events);
  CHECK(t.capacity_violations == 0);
}

TEST_CASE("on the VM trace track+headroom's floor buys back OOM-free days below VPA's memory") {
  // Memory's envelope quantiles floored at 1.3x the envelope: the one-off
  // steps a week of errors has not seen are covered. CPU is track+envelope's.
  // The Pareto claim against VPA (at least its OOM-free days, less memory) is
  // checked on larger traces in tests/sim_slow/vm_trace_pareto_test.cpp.
  const PolicyMetrics &v = Replays().vpa, &h = Replays().track_headroom,
                      &t = Replays().track_envelope;
  MESSAGE("memory vs vpa ", h.allocated_resource_seconds.memory() /
                                v.allocated_resource_seconds.memory(),
          ", oom-free days ", h.oom_free_entity_days, " (vpa ", v.oom_free_entity_days,
          ", track+envelope ", t.oom_free_entity_days, ")");
  CHECK(h.allocated_resource_seconds.memory() < v.allocated_resource_seconds.memory());
  CHECK(h.allocated_resource_seconds.memory() > t.allocated_resource_seconds.memory());
  CHECK(h.oom_free_entity_days > t.oom_free_entity_days);
  CHECK(h.oom_free_entity_days >= 0.99);
  CHECK(h.allocated_resource_seconds.cpu() == t.allocated_resource_seconds.cpu());
  CHECK(h.throttled_cpu_seconds == t.throttled_cpu_seconds);
  CHECK(h.capacity_violations == 0);
}

TEST_CASE("on the VM trace track+peak learns each VM's margin: less memory than the fixed floor") {
  // Memory's margin learned per VM from its daily peak excess over the
  // envelope (PeakHeadroom), at least 0.25 of the level; 0.3 (track+headroom's
  // floor) for the first scored days. Quiet VMs give back the fixed floor,
  // spiky ones keep the room their spikes showed. The Pareto claim against
  // VPA is checked on larger traces in tests/sim_slow/vm_trace_pareto_test.cpp.
  // Measured here: 0.93x VPA's memory (track+headroom 0.95x) at 0.986 OOM-free
  // days (track+headroom 0.993, VPA 1.0: 2 OOM days of 144).
  const PolicyMetrics &v = Replays().vpa, &p = Replays().track_peak,
                      &h = Replays().track_headroom, &t = Replays().track_envelope;
  MESSAGE("memory vs vpa ", p.allocated_resource_seconds.memory() /
                                v.allocated_resource_seconds.memory(),
          " (track+headroom ", h.allocated_resource_seconds.memory() /
                                   v.allocated_resource_seconds.memory(),
          "), oom-free days ", p.oom_free_entity_days, " (vpa ", v.oom_free_entity_days,
          ", track+headroom ", h.oom_free_entity_days, ")");
  CHECK(p.allocated_resource_seconds.memory() < h.allocated_resource_seconds.memory());
  CHECK(p.allocated_resource_seconds.memory() > t.allocated_resource_seconds.memory());
  CHECK(p.oom_free_entity_days > t.oom_free_entity_days);
  CHECK(p.oom_free_entity_days >= 0.98);
  CHECK(p.allocated_resource_seconds.cpu() == t.allocated_resource_seconds.cpu());
  CHECK(p.throttled_cpu_seconds == t.throttled_cpu_seconds);
  CHECK(p.capacity_violations == 0);
}

TEST_CASE("on the VM trace damping track+peak's changes keeps its trade-off with far fewer moves") {
  // Tracking moves a limit almost every step; `TrackDampingOptions` drops
  // moves under 2% of the limit and shrinks under 10%. What must hold: far
  // fewer memory limit changes (memory tracks a slow envelope, so most of its
  // moves are small), fewer in all, memory and CPU within a few percent of
  // undamped track+peak, at least its OOM-free days (each VM has a roomy host
  // of its own here, so shrinks held back only add room; on packed hosts they
  // do not), throttling still far below VPA's, capacity never exceeded.
  const PolicyMetrics &v = Replays().vpa, &p = Replays().track_peak,
                      &d = Replays().track_peak_damped;
  const ResourceVector &dm = d.changes_per_entity_day_median_by_resource,
                       &pm = p.changes_per_entity_day_median_by_resource;
  MESSAGE("changes/entity-day median ", d.changes_per_entity_day_median, " (track+peak ",
          p.changes_per_entity_day_median, "); memory ", dm.memory(), " (", pm.memory(),
          "), cpu ", dm.cpu(), " (", pm.cpu(), "), io ", dm.io(), " (", pm.io(), "), net ",
          dm.net(), " (", pm.net(), "); memory vs track+peak ",
          d.allocated_resource_seconds.memory() / p.allocated_resource_seconds.memory(),
          ", cpu ", d.allocated_resource_seconds.cpu() / p.allocated_resource_seconds.cpu(),
          "; oom-free days ", d.oom_free_entity_days, " (", p.oom_free_entity_days, ")");
  double by_resource = 0.0;
  for (Resource r : kAllResources) by_resource += pm[r];
  CHECK(by_resource == doctest::Approx(p.changes_per_entity_day_median).epsilon(0.2).scale(0));
  CHECK(dm.memory() < 0.1 * pm.memory());
  CHECK(d.changes_per_entity_day_median < 0.8 * p.changes_per_entity_day_median);
  CHECK(d.changes_per_entity_day_p99 < p.changes_per_entity_day_p99);
  CHECK(d.allocated_resource_seconds.memory() < 1.05 * p.allocated_resource_seconds.memory());
  CHECK(d.allocated_resource_seconds.cpu() < 1.05 * p.allocated_resource_seconds.cpu());
  CHECK(d.oom_free_entity_days >= p.oom_free_entity_days);
  CHECK(d.throttled_cpu_seconds < 0.25 * v.throttled_cpu_seconds);
  CHECK(d.capacity_violations == 0);
}

}  // namespace
}  // namespace foresight
