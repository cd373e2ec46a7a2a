// -----------------------------------------------------------------------------
// File: replay.hpp
// -----------------------------------------------------------------------------
//
// `Replay` runs one allocator over a `Workload`: a `SimulatedPool` replays the
// demand, a `Controller` ticks once per workload step, and a
// `MetricsAccumulator` scores each user-step (demand against the limits in
// force). The same function serves `foresight simulate` and
// `foresight evaluate`.
//
//   absl::StatusOr<ReplayResult> r = Replay(workload, VpaStyle{}, ReplayOptions{});
//   r->metrics.underprovisioned_fraction;
//
// A `ReplayRecorder` keeps the limits of chosen users at every step of their
// lives (for plots).
//
// Steps at which no user exists, none is left to report and no change is
// pending are not ticked (`ReplayOptions::skip_idle`): the replay jumps to the
// next arrival. Such a tick observes nothing and plans nothing, so the metrics
// are the same either way; a trace with a long empty span (two clusters' logs
// years apart, a stray timestamp) replays in the time its users need.
#ifndef FORESIGHT_SIM_REPLAY_HPP_
#define FORESIGHT_SIM_REPLAY_HPP_

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/damping.hpp"
#include "foresight/allocate/quantile_target.hpp"
#include "foresight/control/controller.hpp"
#include "foresight/cost/linear_cost.hpp"
#include "foresight/forecast/by_resource.hpp"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/envelope.hpp"
#include "foresight/forecast/ewma.hpp"
#include "foresight/forecast/fleet_peaks.hpp"
#include "foresight/forecast/headroom.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/peak_cap.hpp"
#include "foresight/forecast/peak_headroom.hpp"
#include "foresight/forecast/young_headroom.hpp"
#include "foresight/pool/simulated_pool.hpp"
#include "foresight/sim/demand_table.hpp"
#include "foresight/sim/metrics.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {

struct ReplayOptions {
  SimulatedPoolOptions pool;
  std::size_t history_capacity = 2016;
  absl::Duration warmup = absl::ZeroDuration();  // replayed, not scored
  // Called after every step ticked, and once for each idle span skipped, with
  // (steps done, total steps); may be empty.
  std::function<void(std::size_t, std::size_t)> progress;
  // Jump over steps at which nothing exists (see the file comment).
  bool skip_idle = true;
};

// Limits in force of a few users at every step of their lives, for reports.
struct ReplayRecorder {
  std::vector<std::size_t> users;  // workload user indices to record
  // users.size() x steps x 4, stored over each user's life (`UserLives`) and
  // NaN outside it, where it holds no limits: memory goes with the recorded
  // users' lives, not with the trace's length.
  DemandTable allocation;
  ResourceVector forecast_error_sum{};  // filled by Replay: sum of |one-step error|
};

struct ReplayResult {
  PolicyMetrics metrics;
};

// The cost model of a workload: LinearCost's standard terms, each user's
// under-provision cost scaled by the user's priority.
inline LinearCost WorkloadCost(const Workload& w) {
  LinearCost cost;
  for (const WorkloadUser& u : w.users) {
    CostTerms t = cost.default_terms();
    t.priority = u.priority > 0 ? u.priority : 1.0;
    (void)cost.SetUser(u.id, t);
  }
  return cost;
}

// The forecaster replays use by default: additive Holt-Winters with a daily
// season, tracking errors up to the longest lead time. (Hour-of-day error
// buckets, `ErrorQuantiles::Options::phase_buckets`, were measured worse on
// the built-in workload: too few samples per bucket in a two-week replay.)
inline HoltWinters DefaultReplayForecaster(const Workload& w, const SimulatedPoolOptions& pool) {
  HoltWintersOptions o;
  o.season = std::max(1, static_cast<int>(IDiv(absl::Hours(24), w.step)));
  internal::ErrorQuantiles::Options e;
  e.learning_rate = 0.2;  // adapt fast: a replay sees each user for days, not years
  // Error quantiles in the series' units: their P99 forgets a memory burst
  // over days, not within the hour the running MAE takes. Tracked in MAE
  // units (the library's default) the P05..P95 are better calibrated, but on
  // the 200-VM trace memory P99 covered 98.7 % instead of 99.3 %, and the
  // proactive policies had twice the OOMs (12,983 -> 24,058) for 2 % less
  // memory (docs/forecast/foundation_forecasters.md).
  e.follow_scale = false;
  e.horizon = 1;
  for (Resource r : kAllResources)
    e.horizon = std::max(e.horizon, LeadSteps(pool.lead_time[r], w.step));
  return HoltWinters(o, e);
}

// The error-quantile options of a point model wrapped by `Conformal` in a
// replay: errors tracked for the steps the controller asks for (`c.horizon`,
// the longest lead time), not the default 12. The wrapped model's quantiles
// stand in only until Conformal's residual windows fill, and a step's error
// quantiles do not depend on how many steps are tracked, so the forecasts are
// the same to the last bit (PeakHeadroom's mean `lag` steps ahead, one step
// further, takes no quantiles). The default would cost 12 point forecasts and
// 12 x 9 quantile updates a sample to track steps nothing asks for.
inline internal::ErrorQuantiles::Options WrappedErrorOptions(const ConformalOptions& c) {
  internal::ErrorQuantiles::Options e;
  e.horizon = c.horizon;
  return e;
}

// The `envelope` policy's forecaster: the upper envelope of demand (recent
// peak, yesterday's peak around the same time and last week's rise around the
// same time, `PeakEnvelope`) plus an online conformal margin over the last
// week of its errors, with an exponential tail for levels the week cannot
// resolve. The weekly ramp brings Monday morning back after a quiet weekend
// (session 10: on the built-in workload alone it gave the track+peak family
// 3 % less memory and 159 -> 154 OOMs; on the 200-VM trace, which has no
// weekly rise, 0.3 % more memory and 95 -> 88 OOMs). Measured:
// docs/trace/evaluate.md.
inline Conformal<PeakEnvelope> EnvelopeReplayForecaster(const Workload& w,
                                                        const SimulatedPoolOptions& pool) {
  const int per_hour = std::max(1, static_cast<int>(IDiv(absl::Hours(1), w.step)));
  PeakEnvelopeOptions e;
  e.recent = per_hour;       // the last hour
  e.season = 24 * per_hour;  // one day
  e.seasons = 1;
  e.width = std::max(1, per_hour / 4);  // +- 15 min of jitter
  e.ramp_season = 7 * 24 * per_hour;    // last week's rise at this time
  ConformalOptions c;
  c.horizon = 1;
  for (Resource r : kAllResources)
    c.horizon = std::max(c.horizon, LeadSteps(pool.lead_time[r], w.step));
  c.window = 7 * 24 * per_hour;  // a week of errors per step ahead
  c.calibration = 0;
  c.min_residuals = per_hour;
  c.tail_fraction = 0.02;
  return Conformal<PeakEnvelope>(PeakEnvelope(e, WrappedErrorOptions(c)), c, kTailQuantileLevels);
}

// The `envelope` policy's allocator: tail levels per resource (memory: an
// OOM is one sample over the limit), grows never held back by change costs.
inline QuantileTargetOptions EnvelopeTargetOptions() {
  QuantileTargetOptions o;
  o.level_override = MakeResources(0.95, 0.9999, 0.95, 0.95);
  o.gate_grows = false;
  return o;
}

// The `track+envelope` policy's forecaster: memory as in `envelope`; CPU, IO
// and network *tracked*, the last value plus an online conformal margin over
// the last day of its errors. A CPU limit undercut for one step throttles for
// one step and is corrected at the next tick (CPU has no lead time), so a
// tight one-step model beats a peak envelope there (measured on the VM trace:
// docs/sim/vm_trace.md). The allocator plans at the 0.9 level, which a day of
// residuals resolves; the levels above 0.98 come from the exponential tail
// (`tail_fraction` 0.02), so that the quantiles the forecast reports are
// still what they say where a day cannot tell them apart. Without it, P99.9
// to P99.9999 all covered 99.65 % on 200 VMs x 28 days; with it 99.75 to
// 99.94 % (docs/forecast/coverage.md). At the 0.9 level nothing changes.
using TrackEnvelopeForecaster = ByResource<Conformal<LastValue>, Conformal<PeakEnvelope>>;
inline absl::StatusOr<TrackEnvelopeForecaster> TrackEnvelopeReplayForecaster(
    const Workload& w, const SimulatedPoolOptions& pool) {
  Conformal<PeakEnvelope> memory = EnvelopeReplayForecaster(w, pool);
  const int per_hour = std::max(1, static_cast<int>(IDiv(absl::Hours(1), w.step)));
  ConformalOptions c = memory.options();
  c.window = 24 * per_hour;  // a day of errors per step ahead
  c.tail_fraction = 0.02;
  return TrackEnvelopeForecaster::Create(
      Conformal<LastValue>(LastValue({}, WrappedErrorOptions(c)), c, kTailQuantileLevels),
      std::move(memory));
}

// The `track+envelope` policy's allocator: as `envelope`, CPU (and IO, network)
// at the 0.9 level of the one-step tracking forecast.
inline QuantileTargetOptions TrackEnvelopeTargetOptions() {
  QuantileTargetOptions o = EnvelopeTargetOptions();
  o.level_override = MakeResources(0.9, 0.9999, 0.9, 0.9);
  return o;
}

// The `track+headroom` policy's forecaster: as `track+envelope`, with memory's
// envelope quantiles floored at 1.3 x the envelope (`Headroom`). The
// calibrated margin covers what recurs within its week (spikes, the nightly
// job); the floor covers one-off steps (a deployment lifting memory by up to
// 30 %) that a week of errors has not seen. Its allocator is track+envelope's
// (`TrackEnvelopeTargetOptions`, memory at the 0.9999 level). Measured on the
// VM trace and the built-in workload: docs/trace/evaluate.md.
inline constexpr double kTrackHeadroomMemoryFraction = 0.30;
using TrackHeadroomForecaster = ByResource<Conformal<LastValue>, Headroom<Conformal<PeakEnvelope>>>;
inline absl::StatusOr<TrackHeadroomForecaster> TrackHeadroomReplayForecaster(
    const Workload& w, const SimulatedPoolOptions& pool) {
  absl::StatusOr<TrackEnvelopeForecaster> track = TrackEnvelopeReplayForecaster(w, pool);
  if (!track.ok()) return track.status();
  absl::StatusOr<Headroom<Conformal<PeakEnvelope>>> memory =
      Headroom<Conformal<PeakEnvelope>>::Create(track->memory(),
                                                {.fraction = kTrackHeadroomMemoryFraction});
  if (!memory.ok()) return memory.status();
  return TrackHeadroomForecaster::Create(track->cpu(), *std::move(memory));
}

// The `track+peak` policy's forecaster: as `track+headroom`, with memory's
// margin learned per VM from its daily peaks (`PeakHeadroom`) instead of one
// fixed 1.3 x floor for every VM. A VM's margin is the largest excess over its
// own envelope, in units of its level, on any day of the last four weeks, never
// below `kTrackPeakMemoryMinFraction` (room for a step no day has shown yet)
// and at least `kTrackHeadroomMemoryFraction` for its first three scored days.
// Excesses are scored against the envelope issued one memory lead time plus
// one step before the sample, as the limit in force then was. Its allocator is
// track+envelope's. Measured: docs/trace/evaluate.md.
inline constexpr double kTrackPeakMemoryMinFraction = 0.25;
inline constexpr double kTrackPeakRegimeFraction = 1.0;
inline constexpr double kTrackPeakCapFraction = 0.5;
// Memory of every track+peak-based policy: the peak margin over the conformal
// envelope, capped over the VM's four-week peak.
using TrackPeakMemory = PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>>;
using TrackPeakForecaster = ByResource<Conformal<LastValue>, TrackPeakMemory>;
inline PeakHeadroomOptions TrackPeakMemoryOptions(const Workload& w,
                                                  const SimulatedPoolOptions& pool) {
  PeakHeadroomOptions o;
  o.period = std::max(1, static_cast<int>(IDiv(absl::Hours(24), w.step)));
  o.periods = 28;
  o.level = 0.98;
  o.lag = LeadSteps(pool.lead_time[Resource::kMemory], w.step) + 1;
  o.warmup_periods = 1;
  o.min_periods = 3;
  o.prior = kTrackHeadroomMemoryFraction;
  o.min_fraction = kTrackPeakMemoryMinFraction;
  // A jump of more than a level that holds 6 hours is a new regime (a VM
  // started from idle, resized, redeployed at another scale), not a spike: it
  // restarts the margin's learning instead of pinning it at max_fraction for
  // four weeks. The VM trace never triggers it (its steps are +-40 %, its
  // spikes fall back within 3 samples). On the built-in workload, app
  // launches jump memory many levels from idle; at a 1-hour hold the longest
  // sessions restarted their VMs' margins (3 more OOMs, 1 % less memory); at
  // 6 hours the results are unchanged. Measured: tests/sim_slow/shapes_test.cpp.
  o.regime_fraction = kTrackPeakRegimeFraction;
  o.regime_steps = std::max(1, static_cast<int>(IDiv(absl::Hours(6), w.step)));
  // For its first week, before the envelope's weekly ramp has a week to
  // bring back, a VM's limit is at least the largest sample it has shown at
  // this time of day (+- 15 min) on any day so far: its first Monday after a
  // quiet weekend is then not a miss. The floor sits outside the conformal
  // margin, which still learns the envelope's own misses.
  // The floor carries 3 % of itself as room: it is one day's sample at this
  // time, and the next day's at the same level exceeds it about half the
  // time. Switching and working-day fleets: a job at a known level, first
  // floored at 1-2 % below its later samples, was an OOM on days 2-4
  // (OOM-free days 0.989 -> 0.995 for track+fleet+damped on both); the VM
  // trace and the built-in workload: same OOMs, memory +0.01-0.03 %.
  o.phase_floor_periods = 7;
  o.phase_floor_fraction = 0.03;
  o.phase_floor_width =
      std::min(o.period - 1, std::max(1, static_cast<int>(IDiv(absl::Minutes(15), w.step))));
  return o;
}
// Quantiles are capped over the largest sample of the last four weeks
// (PeakCap). A VM that switches between idle and a job of fixed size has
// jump-sized conformal and peak margins, which would otherwise ride on top of
// its job level too (1.6-2.3x VPA's memory on two switching fleets).
//   * Without a fleet (track+peak, track+peak+damped, track+smooth+damped) the
//     cap is fixed at 0.5 (`kTrackPeakCapFraction`): room for the VM trace's
//     deployment steps (up to +40 %), where a fixed 0.25 cost it 9-20 more
//     OOMs. Switching fleets: 1.2-1.3x VPA's memory. Built-in workload: 13 %
//     less memory, 154 -> 90 OOMs (packed hosts have room for the grows).
//   * With a fleet (`records`: track+fleet, track+fleet+damped) the cap is
//     learned, between `kTrackFleetCapMinFraction` and 0.5: the fleet's
//     0.995 rank of how far VMs' days went past their four-week peak, among
//     VMs whose own days went as far (`TrackFleetCapRecordOptions`). A fleet
//     that switches between known levels learns about 0, one whose VMs are
//     redeployed larger keeps the room. Switching fleets: 1.0x VPA's memory.
// Measured: docs/trace/evaluate.md.
inline constexpr double kTrackFleetCapMinFraction = 0.05;
inline PeakCapOptions TrackPeakCapOptions(const Workload& w, std::shared_ptr<FleetPeaks> records) {
  PeakCapOptions o;
  o.period = std::max(1, static_cast<int>(IDiv(absl::Hours(24), w.step)));
  o.periods = 28;
  o.level = 0.98;
  o.min_periods = 3;
  o.max_fraction = kTrackPeakCapFraction;
  o.min_fraction = records ? kTrackFleetCapMinFraction : kTrackPeakCapFraction;
  o.fleet = std::move(records);
  return o;
}
// The fleet the learned cap pools its records in. At 0.995 a category's cap
// is the largest of its first 199 records; 50 let a 20-VM fleet answer
// within three days (at 100, the switching fleets held 4 % more memory). At
// 0.98, with a VM's own records standing in while its category could not
// answer, the VM trace had 19 more OOMs than with the fixed cap and the
// built-in workload 5; now 3 and 2.
inline FleetPeaksOptions TrackFleetCapRecordOptions() {
  FleetPeaksOptions o;
  o.level = 0.995;
  o.min_samples = 50;
  return o;
}
// `margin` capped as every track+peak-based policy caps memory.
inline absl::StatusOr<TrackPeakMemory> TrackPeakCapped(
    const Workload& w, absl::StatusOr<PeakHeadroom<Conformal<PeakEnvelope>>> margin,
    std::shared_ptr<FleetPeaks> records = nullptr) {
  if (!margin.ok()) return margin.status();
  return TrackPeakMemory::Create(*std::move(margin), TrackPeakCapOptions(w, std::move(records)));
}
inline absl::StatusOr<TrackPeakForecaster> TrackPeakReplayForecaster(
    const Workload& w, const SimulatedPoolOptions& pool) {
  absl::StatusOr<TrackEnvelopeForecaster> track = TrackEnvelopeReplayForecaster(w, pool);
  if (!track.ok()) return track.status();
  absl::StatusOr<TrackPeakMemory> memory =
      TrackPeakCapped(w, PeakHeadroom<Conformal<PeakEnvelope>>::Create(
                             track->memory(), TrackPeakMemoryOptions(w, pool)));
  if (!memory.ok()) return memory.status();
  return TrackPeakForecaster::Create(track->cpu(), *std::move(memory));
}

// The `track+fleet` policy's forecaster: as `track+peak`, with memory's
// margins pooled across the replayed fleet (`FleetPeaks`, at its defaults:
// Mondrian conformal at 0.98 over categories of each VM's own margin) in place
// of the hand-set floor (`min_fraction` 0). Each call builds its own fleet, so
// a replay learns only from the VMs it replays. Measured: docs/trace/evaluate.md.
// track+peak's memory forecaster over `envelope`, its floor learned from a
// fleet of its own (at least `min_fraction`; `fallback` while the fleet cannot
// answer, NaN: the prior).
// `fleet_options`: the margins' fleet (FleetPeaks' defaults: Mondrian
// conformal at 0.98).
inline absl::StatusOr<TrackPeakMemory> FleetMemoryForecaster(
    const Workload& w, const SimulatedPoolOptions& pool, Conformal<PeakEnvelope> envelope,
    double min_fraction, double fallback = std::nan(""),
    const FleetPeaksOptions& fleet_options = {}) {
  absl::StatusOr<std::shared_ptr<FleetPeaks>> fleet = FleetPeaks::Create(fleet_options);
  if (!fleet.ok()) return fleet.status();
  absl::StatusOr<std::shared_ptr<FleetPeaks>> records =
      FleetPeaks::Create(TrackFleetCapRecordOptions());
  if (!records.ok()) return records.status();
  PeakHeadroomOptions o = TrackPeakMemoryOptions(w, pool);
  o.min_fraction = min_fraction;
  o.fleet = *std::move(fleet);
  o.fleet_fallback = fallback;
  return TrackPeakCapped(
      w, PeakHeadroom<Conformal<PeakEnvelope>>::Create(std::move(envelope), std::move(o)),
      *std::move(records));
}
inline absl::StatusOr<TrackPeakForecaster> TrackFleetReplayForecaster(
    const Workload& w, const SimulatedPoolOptions& pool) {
  absl::StatusOr<TrackEnvelopeForecaster> track = TrackEnvelopeReplayForecaster(w, pool);
  if (!track.ok()) return track.status();
  absl::StatusOr<TrackPeakMemory> memory = FleetMemoryForecaster(w, pool, track->memory(), 0.0);
  if (!memory.ok()) return memory.status();
  return TrackPeakForecaster::Create(track->cpu(), *std::move(memory));
}

// The `track+peak+damped` policy's damping: a move smaller than 2% of the
// limit in force is dropped and a shrink needs 10%, with no hold window and no
// change budget (`Damped` otherwise holds the 30-minute max and allows 48
// changes a day); held-back shrinks yield to neighbours' grows. Tracking moves
// every limit almost every step (track+peak: 285 memory changes per VM-day on
// the 200-VM trace); damped, memory changes twice a day at the same memory /
// OOM-free-day trade-off. Urgent moves (OOM bump, clamp) always pass; grows
// under 2% do not (at 5% they cost a third more OOMs on the built-in
// workload). Measured: docs/trace/evaluate.md.
// Memory is held at its limit until the VM first uses some
// (`hold_until_used`): a VM idle at zero since it appeared (not started yet)
// keeps its initial limit, as VPA keeps it by ignoring zero samples, instead of
// following the zeros down and going out of memory at its first start (the
// boot cost the tracking policies that day; tests/sim_slow/shapes_test.cpp).
// No VM of the 200-VM trace and no user of the built-in workload starts at
// zero memory: their results are unchanged.
inline DampingOptions TrackDampingOptions() {
  DampingOptions d;
  d.min_relative_change = 0.02;
  d.hysteresis = 0.10;
  d.hold_window = absl::ZeroDuration();
  d.changes_per_day = 0;
  d.hold_until_used.memory() = true;
  return d;
}

// The `track+smooth+damped` policy: track+peak+damped with IO and network
// tracked by a level smoothed per VM (`AdaptiveEwma`: of the alphas 1, 0.5,
// 0.3 and 0.15, the one whose recent one-step error is smallest) instead of
// always the last sample, and their changes damped harder (moves under 5%
// dropped, shrinks need 20%; a 10% minimum dropped enough small grows to
// leave 9.6% of the built-in workload's user-steps short, against 8.7%). A VM's IO and network
// rates carry step-to-step noise that the last sample passes on whole: a smoothed level misses by
// less, so the 0.9 conformal margin on it is smaller, and it moves less. An
// app's rates that are either on or off are tracked best by the last value,
// and the adaptive choice keeps it for them (a fixed alpha 0.5 lost 8-19% more
// allocated IO and network on the built-in workload). Memory and CPU are
// track+peak+damped's (CPU is persistent enough that smoothing it only lags).
// Measured on the 200-VM trace, held-out seeds and the built-in workload:
// docs/trace/evaluate.md.
using TrackSmoothForecaster = ByResource<Conformal<LastValue>, TrackPeakMemory,
                                         Conformal<AdaptiveEwma>, Conformal<AdaptiveEwma>>;
inline absl::StatusOr<TrackSmoothForecaster> TrackSmoothReplayForecaster(
    const Workload& w, const SimulatedPoolOptions& pool) {
  absl::StatusOr<TrackPeakForecaster> peak = TrackPeakReplayForecaster(w, pool);
  if (!peak.ok()) return peak.status();
  const ConformalOptions c = peak->cpu().options();
  Conformal<AdaptiveEwma> rate(*AdaptiveEwma::Create({}, WrappedErrorOptions(c)), c,
                               kTailQuantileLevels);
  return TrackSmoothForecaster::Create(peak->cpu(), peak->memory(), rate, rate);
}
inline DampingOptions TrackSmoothDampingOptions() {
  DampingOptions d = TrackDampingOptions();
  d.min_relative_change_by_resource = MakeResources(0.02, 0.02, 0.05, 0.05);
  d.hysteresis_by_resource = MakeResources(0.10, 0.10, 0.20, 0.20);
  return d;
}

// The `track+fleet+damped` policy: track+smooth+damped made to adapt where
// that one carries hand-set assumptions about the fleet.
//   * Memory's margin floor is learned from the fleet (`FleetPeaks`, as
//     `track+fleet`) instead of the fixed 0.25 of the level that prices the VM
//     trace's weekly +-40 % deployments: a fleet whose memory is flat gets
//     little room, one whose VMs step gets what their steps needed. The floor
//     left, `kTrackFleetMemoryMinFraction`, is not a step allowance but room
//     for the damping: grows under 2 % are dropped, so a margin under that
//     lets memory creep past its limit (with no floor, the quiet VM trace had
//     4732 OOMs against VPA's 88). While the fleet cannot answer (a few VMs
//     may never file enough peaks), track+peak's 0.25 floor applies.
//   * CPU is tracked by `AdaptiveEwma` as IO and network are: it keeps the
//     last value (alpha 1) on persistent series and smooths noisy ones, where
//     the last value passes its noise on whole and the 0.9 margin on it must
//     cover twice the noise.
// Measured on the VM trace (default and quiet), held-out seeds and series of
// shapes the VM trace lacks: docs/trace/evaluate.md.
inline constexpr double kTrackFleetMemoryMinFraction = 0.05;
//   * A VM in its first day has shown neither its nightly job nor its day's
//     cache, and its own history prices neither: memory's upper quantiles are
//     floored, while it is young, at what the fleet's young VMs went on to
//     reach past their peak at the same age (`YoungHeadroom`, youth a day,
//     `YoungFleetOptions`). A fleet whose VMs all start with the replay never
//     sees a youth end before its VMs are grown, so only VMs born later are
//     floored.
using TrackFleetMemory = YoungHeadroom<TrackPeakMemory>;
using TrackFleetSmoothForecaster = ByResource<Conformal<AdaptiveEwma>, TrackFleetMemory,
                                              Conformal<AdaptiveEwma>, Conformal<AdaptiveEwma>>;
// `fleet_level` is the rank of the pooled margins (the policy's memory knob,
// `track+fleet+damped[fleet_level=...]`: lower holds less memory and risks
// more OOMs); `young_level` the rank of the young records.
inline constexpr double kTrackFleetYouthHours = 24.0;
inline absl::StatusOr<TrackFleetSmoothForecaster> TrackFleetSmoothReplayForecaster(
    const Workload& w, const SimulatedPoolOptions& pool,
    double fleet_level = FleetPeaksOptions{}.level, double young_level = YoungFleetOptions().level,
    absl::Duration youth = absl::Hours(kTrackFleetYouthHours)) {
  absl::StatusOr<TrackEnvelopeForecaster> track = TrackEnvelopeReplayForecaster(w, pool);
  if (!track.ok()) return track.status();
  FleetPeaksOptions fleet;
  fleet.level = fleet_level;
  absl::StatusOr<TrackPeakMemory> memory = FleetMemoryForecaster(
      w, pool, track->memory(), kTrackFleetMemoryMinFraction, kTrackPeakMemoryMinFraction, fleet);
  if (!memory.ok()) return memory.status();
  const double per_hour = absl::FDivDuration(absl::Hours(1), w.step);
  FleetPeaksOptions young_options =
      YoungFleetOptions(per_hour, absl::FDivDuration(youth, absl::Hours(1)));
  young_options.level = young_level;
  absl::StatusOr<std::shared_ptr<FleetPeaks>> young = FleetPeaks::Create(young_options);
  if (!young.ok()) return young.status();
  YoungHeadroomOptions yo;
  yo.youth = std::max(1, static_cast<int>(IDiv(youth, w.step)));
  yo.refresh = std::max(1, static_cast<int>(per_hour));
  yo.fleet = *std::move(young);
  absl::StatusOr<TrackFleetMemory> young_memory =
      TrackFleetMemory::Create(*std::move(memory), std::move(yo));
  if (!young_memory.ok()) return young_memory.status();
  const ConformalOptions c = track->cpu().options();
  Conformal<AdaptiveEwma> rate(*AdaptiveEwma::Create({}, WrappedErrorOptions(c)), c,
                               kTailQuantileLevels);
  return TrackFleetSmoothForecaster::Create(rate, *std::move(young_memory), rate, rate);
}

template <Allocator AllocatorT, Forecaster ForecasterT = HoltWinters,
          CostModel CostModelT = LinearCost>
absl::StatusOr<ReplayResult> Replay(const Workload& w, AllocatorT allocator,
                                    const ReplayOptions& options, ForecasterT forecaster,
                                    CostModelT cost, ReplayRecorder* recorder = nullptr) {
  const auto wall_start = std::chrono::steady_clock::now();
  absl::StatusOr<SimulatedPool> pool = SimulatedPool::Create(w, options.pool);
  if (!pool.ok()) return pool.status();
  ControllerOptions copts;
  copts.step = w.step;
  copts.history_capacity = options.history_capacity;
  Controller<NullProfiler, ForecasterT, CostModelT, AllocatorT, SimulatedPool> controller(
      copts, NullProfiler{}, std::move(forecaster), std::move(cost), std::move(allocator),
      *std::move(pool));
  const std::size_t steps = w.num_steps();
  if (recorder != nullptr) {
    std::vector<StepWindow> lives;
    for (std::size_t u : recorder->users) lives.push_back(controller.pool().life(u));
    recorder->allocation = DemandTable(steps, lives);
  }
  MetricsAccumulator acc(w.num_users(), w.start, w.step, w.start + options.warmup);
  std::vector<PerResource<std::uint64_t>> changes(w.num_users());
  ResourceVector error_sum{};
  const absl::Time warmup_end = w.start + options.warmup;
  bool coverage_cleared = false;
  std::chrono::steady_clock::duration slowest_tick{0};
  for (std::size_t k = 0; k < steps; ++k) {
    const absl::Time now = w.time(k);
    if (!coverage_cleared && now >= warmup_end) {
      // Forecasts are scored as the metrics are: from the first step after the warm-up.
      controller.ClearCoverage();
      coverage_cleared = true;
    }
    // Score the limits in force at `now` before the tick changes them.
    SimulatedPool& p = controller.pool();
    p.AdvanceTo(now);
    // Only users that exist can be present or change a limit.
    for (std::size_t u : p.live()) {
      PerResource<std::uint64_t> delta;
      for (Resource r : kAllResources) {
        const std::uint64_t c = p.changes(u, r);
        delta[r] = c - changes[u][r];
        changes[u][r] = c;
      }
      if (!w.Present(u, k)) continue;
      acc.Add(u, now, w.DemandVector(u, k), p.effective(u),
              controller.cost_model().Terms(w.users[u].id), delta);
    }
    if (options.skip_idle && p.Quiet()) {
      // Nothing exists until the next arrival (or ever again): no tick until then.
      const std::size_t next = std::min(p.NextArrival(), steps);
      if (next > k) {
        k = next - 1;
        if (options.progress) options.progress(next, steps);
        continue;
      }
    }
    if (recorder != nullptr) {
      for (std::size_t j = 0; j < recorder->users.size(); ++j) {
        if (!recorder->allocation.window(j).Contains(k)) continue;
        for (Resource r : kAllResources) {
          recorder->allocation.Set(j, k, Index(r), p.effective(recorder->users[j])[r]);
        }
      }
    }
    const auto tick_start = std::chrono::steady_clock::now();
    absl::StatusOr<TickReport> report = controller.Tick(now);
    slowest_tick = std::max(slowest_tick, std::chrono::steady_clock::now() - tick_start);
    if (!report.ok()) return report.status();
    error_sum = report->forecast_error_lifetime;
    if (options.progress) options.progress(k + 1, steps);
  }
  ReplayResult result;
  result.metrics =
      acc.Finish(std::string(AllocatorT::Name()), controller.pool().capacity_violations(),
                 controller.pool().failed_actuations());
  result.metrics.forecast_mae = error_sum;
  if constexpr (ReadsOutlook<AllocatorT>()) {
    // Only a policy that plans on the forecasts answers for their calibration.
    result.metrics.forecaster = std::string(ForecasterT::Name());
    if (coverage_cleared) result.metrics.coverage = controller.coverage();
  }
  result.metrics.short_admissions = controller.pool().short_admissions();
  result.metrics.controller_slots = controller.slots().size();
  if (recorder != nullptr) recorder->forecast_error_sum = error_sum;
  result.metrics.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  result.metrics.slowest_tick_seconds = std::chrono::duration<double>(slowest_tick).count();
  return result;
}

// Replay with the workload's default cost model and forecaster.
template <Allocator AllocatorT>
absl::StatusOr<ReplayResult> Replay(const Workload& w, AllocatorT allocator,
                                    const ReplayOptions& options = {},
                                    ReplayRecorder* recorder = nullptr) {
  return Replay(w, std::move(allocator), options, DefaultReplayForecaster(w, options.pool),
                WorkloadCost(w), recorder);
}

}  // namespace foresight

#endif  // FORESIGHT_SIM_REPLAY_HPP_
