// Series shapes that real traces have and the synthetic VM trace does not, and
// what the track+* policies do on them against VPA. The VM trace was what the
// policies were tuned on; these are the hand-set assumptions it let through:
// - a VM started from idle, or resized: one jump of many levels, which
//   PeakHeadroom scored as a spike and held as a margin of max_fraction (3
//   levels) for four weeks: 2.4x VPA's memory on the VM below without
//   regime restarts (measured);
// - a fleet whose memory is flat (real VM and container memory often is):
//   track+peak's fixed 0.25 floor, priced for the VM trace's weekly
//   deployments, holds more than VPA's 15 % margin over its peak;
// - CPU that is noise around a mean: the last value passes the noise on whole;
// - memory that follows working days (up on weekday mornings, quiet at night
//   and over the weekend): yesterday's peak cannot show Monday's rise, which
//   the envelope's weekly ramp brings back;
// - memory that switches between idle and a job of fixed size (a batch VM):
//   jump-sized margins ride on top of the job level unless capped, and a
//   return to the job level must not restart the margin; a cap learned from
//   the fleet holds about what VPA holds.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "foresight/sim/replay.hpp"
#include "foresight/sim/shape_fleet.hpp"
#include "registered.hpp"

namespace foresight {
namespace {

constexpr double kGiB = kShapeGiB;
constexpr std::size_t kPerDay = kShapeStepsPerDay;

// A shape fleet (sim/shape_fleet.hpp), checked valid.
Workload NamedFleet(ShapeFleetKind kind, int vms, int days) {
  ShapeFleetOptions o;
  o.kind = kind;
  o.vms = vms;
  o.days = days;
  absl::StatusOr<Workload> w = GenerateShapeFleet(o);
  REQUIRE(w.ok());
  REQUIRE(ValidateWorkload(*w).ok());
  return *std::move(w);
}
Workload Shapes(std::size_t users, std::size_t days, double cores, double memory,
                const ShapeDemand& demand) {
  Workload w = ShapeWorkload(users, days, cores, memory, demand);
  REQUIRE(ValidateWorkload(w).ok());
  return w;
}

ReplayOptions Options() {
  ReplayOptions o;
  o.warmup = absl::Hours(24);
  return o;
}

PolicyMetrics Vpa(const Workload& w) { return testing::RunRegistered("vpa", w, Options()); }
PolicyMetrics Smooth(const Workload& w) {
  const PolicyMetrics m = testing::RunRegistered("track+smooth+damped", w, Options());
  CHECK(m.capacity_violations == 0);
  return m;
}
PolicyMetrics Fleet(const Workload& w) {
  const PolicyMetrics m = testing::RunRegistered("track+fleet+damped", w, Options());
  CHECK(m.capacity_violations == 0);
  return m;
}

double Memory(const PolicyMetrics& m, const PolicyMetrics& vpa) {
  return m.allocated_resource_seconds.memory() / vpa.allocated_resource_seconds.memory();
}

// VPA, track+smooth+damped and track+fleet+damped on `w`, with the line the
// measurements quoted in the tests' comments come from.
struct Runs {
  PolicyMetrics v, s, f;
};
Runs MemoryRuns(const std::string& name, const Workload& w) {
  Runs r{Vpa(w), Smooth(w), Fleet(w)};
  MESSAGE(name, ": memory vs VPA: track+smooth+damped ", Memory(r.s, r.v),
          "x, track+fleet+damped ", Memory(r.f, r.v), "x; OOM-free days ",
          r.s.oom_free_entity_days, ", ", r.f.oom_free_entity_days, " (vpa ",
          r.v.oom_free_entity_days, ")");
  return r;
}

TEST_CASE("a VM started from idle or resized costs track+* policies no lasting margin") {
  // Idle (zero) for 3 days, then 8 GiB; and 2 GiB resized to 8 GiB on day 7.
  // Measured with regime restarts off: track+smooth+damped 2.41x and 2.28x
  // VPA's memory (a margin of 3 levels for the rest of the trace). With them,
  // 1.13x and 1.19x: the prior 0.3 for three days, then the floor; with
  // the cap over the window's peak (PeakCap, fixed at 1.5x here: a one-VM
  // fleet never answers) too, 0.98x and 1.05x. Since the idle VM's memory is
  // held at its initial 16 GiB until its first use (Damped's
  // hold_until_used, session 12), as VPA holds it, the start costs 1.22x: the
  // 0.98x counted two idle scored days at next to nothing, and an OOM on the
  // boot day.
  const Workload start = Shapes(1, 14, 4.0, 16 * kGiB, [](std::size_t, std::size_t t, auto& rng) {
    const bool on = t >= 3 * kPerDay;
    return std::pair{on ? 1.0 * ShapeNoise(rng, 0.1) : 0.0,
                     on ? 8 * kGiB * ShapeNoise(rng, 0.005) : 0.0};
  });
  const Workload resize = Shapes(1, 14, 8.0, 16 * kGiB, [](std::size_t, std::size_t t, auto& rng) {
    const double scale = t >= 7 * kPerDay ? 4.0 : 1.0;
    return std::pair{0.5 * scale * ShapeNoise(rng, 0.1),
                     2 * kGiB * scale * ShapeNoise(rng, 0.005)};
  });
  for (const Workload* w : {&start, &resize}) {
    const std::string name = w == &start ? "start" : "resize";
    INFO(name);
    const auto [v, s, f] = MemoryRuns(name, *w);
    CHECK(Memory(s, v) < 1.4);
    CHECK(Memory(f, v) < 1.4);
    // Nothing is lost, not even the boot day: before the hold, a limit that
    // followed the idle VM down was not ahead of its start (12 of 13 scored
    // days OOM-free, VPA 13).
    CHECK(s.oom_free_entity_days >= v.oom_free_entity_days);
    CHECK(f.oom_free_entity_days >= v.oom_free_entity_days);
  }
}

TEST_CASE("track+fleet+damped gives a flat fleet less memory than VPA; the 0.25 floor cannot") {
  // 40 VMs whose memory is a flat level with 0.5 % noise, as real container
  // memory often is. VPA holds 1.15x the peak. track+smooth+damped's floor
  // holds a quarter of the level above the envelope whatever the fleet shows;
  // track+fleet+damped learns from the fleet that flat VMs stay flat.
  const Workload w = NamedFleet(ShapeFleetKind::kFlat, 40, 14);
  const auto [v, s, f] = MemoryRuns("flat fleet", w);
  // Measured: 1.08x and 0.98x (the fleet-less prior of 0.3 holds for the
  // first three scored days of 13; the rest sit at the 5 % floor). With
  // track+fleet+damped's cap learned from the fleet, 0.94x: its conformal
  // envelope's own margin is held to 5 % over the four-week peak too. With
  // the cold category answering for the flat one until it fills (PeakCap,
  // session 14), 0.92x: no return to the 0.5 cap on days 4-5.
  CHECK(Memory(s, v) > 1.0);
  CHECK(Memory(f, v) < 1.0);
  CHECK(Memory(f, v) < 0.92 * Memory(s, v));
  CHECK(f.oom_free_entity_days >= v.oom_free_entity_days);
}

TEST_CASE("a working-day fleet: the weekly ramp is ahead of Monday morning") {
  // 20 VMs, 21 days from a Wednesday: memory 2.5x its base from 8-10 h to
  // 18 h on weekdays, the base at night and over the weekend (2 % noise).
  // Without ramps (PeakEnvelope's ramp_season 0) track+smooth+damped and
  // track+fleet+damped held 0.97x VPA's memory at 0.933 OOM-free days (VPA
  // 1.000): every Monday a miss whose conformal margin then held for a week.
  // With ramps but no phase floor (PeakHeadroom's phase_floor_periods 0):
  // 0.83x and 0.82x at 0.980 and 0.975, the first Monday (no week behind
  // it) each VM's miss.
  const Workload w = NamedFleet(ShapeFleetKind::kWorkingDays, 20, 21);
  const auto [v, s, f] = MemoryRuns("working days", w);
  CHECK(Memory(s, v) < 0.88);
  CHECK(Memory(f, v) < 0.88);
  // Not even the first Monday is lost: fewer than a fifth of the VMs miss it.
  const double monday = 0.2 / 20;
  CHECK(s.oom_free_entity_days >= v.oom_free_entity_days - monday);
  CHECK(f.oom_free_entity_days >= v.oom_free_entity_days - monday);
}

TEST_CASE("a fleet switching between idle and a job: capped margins, no restarts") {
  // 20 VMs, 21 days: memory at its base or 3.5x it, switching at random with
  // a mean dwell of 8 hours. VPA holds 1.15x the job level throughout.
  // Measured before PeakHeadroom's cap and the known-level rule for restarts:
  // track+smooth+damped and track+fleet+damped at 1.54x and 1.66x VPA's
  // memory, at 0.953 and 0.958 OOM-free days (VPA 0.998): the job level is
  // not new after the first switch, yet each switch that held 6 hours
  // restarted the margin. With them: 1.20x and 1.21x at 0.970 and 0.978.
  // track+fleet+damped's cap is learned from the fleet's days past their
  // four-week peak (PeakCap), which a switching fleet's never go far past:
  // 0.99x at 0.985 (fixed at 0.5, as track+smooth+damped's: 1.21x); with
  // the phase floor's 3 % room, 0.99x at 0.988 (track+smooth+damped 0.973).
  const Workload w = NamedFleet(ShapeFleetKind::kSwitching, 20, 21);
  const auto [v, s, f] = MemoryRuns("switching", w);
  CHECK(Memory(s, v) < 1.35);
  CHECK(Memory(f, v) < 1.1);
  CHECK(s.oom_free_entity_days >= v.oom_free_entity_days - 0.035);
  CHECK(f.oom_free_entity_days >= v.oom_free_entity_days - 0.035);
}

TEST_CASE("track+fleet+damped smooths CPU that is noise around a mean") {
  // Uniform 0-8 cores each step, independent: the last value misses by the
  // difference of two draws, a level smoothed per VM by one draw's spread.
  const Workload w = NamedFleet(ShapeFleetKind::kNoisyCpu, 4, 14);
  const PolicyMetrics v = Vpa(w), s = Smooth(w), f = Fleet(w);
  const double vc = v.allocated_resource_seconds.cpu();
  MESSAGE("noisy cpu: allocated vs VPA: track+smooth+damped ",
          s.allocated_resource_seconds.cpu() / vc, "x throttled ", s.throttled_cpu_seconds,
          " s; track+fleet+damped ", f.allocated_resource_seconds.cpu() / vc, "x throttled ",
          f.throttled_cpu_seconds, " s; vpa ", v.throttled_cpu_seconds, " s");
  CHECK(f.allocated_resource_seconds.cpu() < s.allocated_resource_seconds.cpu());
  CHECK(f.throttled_cpu_seconds < 0.7 * s.throttled_cpu_seconds);
}

}  // namespace
}  // namespace foresight
