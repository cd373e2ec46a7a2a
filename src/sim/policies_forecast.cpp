// The "proactive(<method>)" policy family: any method of the forecaster
// registry (`foresight forecast-eval --list`) drives the proactive allocator
// in a replay, so a method scored offline by `forecast-eval` can be judged
// on the allocations it leads to, on the same trace as `vpa`.
//
// Per series the method is wrapped twice:
//   Refitting  — refitted on its last `history_days` every `refit_hours`
//                (ETS, ARIMA, Theta, the LSTM and the ensembles estimate only
//                in Fit, and a replay meets every VM with an empty history),
//                the series' refits staggered over `refit_hours` so that no
//                tick refits the whole fleet (`stagger` 0: all on one tick);
//   Conformal  — its quantiles replaced by online conformal ones over
//                `conformal_days` of its own errors, with the exponential tail
//                for the levels a window cannot resolve (memory's 0.9999):
//                the registry's methods report levels up to 0.99 only.
// With `memory_peak_hours` > 0, memory's method is fed the running peak of
// that many hours instead of the samples (RunningPeak, between Refitting and
// the method), and Conformal calibrates that forecast against the samples.
// With `memory_fleet`, memory's upper quantiles are at least the forecast
// plus track+fleet's margin: the daily peak excesses over the forecast,
// pooled across the replayed fleet (PeakHeadroom with FleetPeaks).
// The allocator is `envelope`'s (QuantileTarget, grows not gated), at
// `memory_level` for memory and `cpu_level` for CPU, IO and network. With
// `damping`, it is wrapped in Damped with track+fleet+damped's options, so
// that a limit moves when the forecast moves it far enough, not every step
// (undamped, memory's limit changes at nearly every step: its 0.9999
// quantile moves with each sample); memory_fleet's margin then keeps
// track+fleet+damped's floor too (kTrackFleetMemoryMinFraction), the room
// for the grows the damping drops.
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "foresight/allocate/damping.hpp"
#include "foresight/allocate/quantile_target.hpp"
#include "foresight/forecast/by_resource.hpp"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/fleet_peaks.hpp"
#include "foresight/forecast/peak_headroom.hpp"
#include "foresight/forecast/refit.hpp"
#include "foresight/forecast/registry.hpp"
#include "foresight/forecast/running_peak.hpp"
#include "foresight/sim/policy_registry.hpp"
#include "foresight/sim/replay.hpp"

namespace foresight {
namespace {

const std::vector<PolicyKnob> kForecastPolicyKnobs = {
    {"cpu_level", 0.95, "quantile of the CPU, IO and network forecasts allocated, in (0, 1)"},
    {"memory_level", 0.9999, "quantile of the memory forecast allocated, in (0, 1)"},
    {"refit_hours", 24,
     "hours between refits of the method on its recent history, in (0, 1e6] (1e6: never)"},
    {"history_days", 7, "days of each series the method is refitted on, in (0, 366]"},
    {"conformal_days", 7,
     "days of errors per step ahead the conformal quantiles rank, in (0, 366]"},
    {"stagger", 1,
     "1: spread the series' first refits over refit_hours (no tick refits the whole fleet); "
     "0: every series refits on the same tick"},
    {"memory_peak_hours", 0,
     "if > 0: memory's method forecasts the running peak of this many hours, not the samples, "
     "in [0, 24]"},
    {"memory_fleet", 0,
     "1: memory's limits are at least its forecast plus a margin learned from the whole fleet's "
     "daily peak excesses (track+fleet's PeakHeadroom); 0: its own conformal errors only"},
    {"damping", 0,
     "1: limit changes damped as track+fleet+damped's (moves under 2% of the limit dropped, 5% "
     "for IO and network; shrinks need 10%, 20%; memory kept until first used); memory's grows "
     "are all made unless memory_fleet=1, whose margin then keeps a floor of 5% of the level; "
     "0: every change made"},
};

// `span` in whole `step`s, at least one.
int StepsIn(absl::Duration span, absl::Duration step) {
  return static_cast<int>(std::max<std::int64_t>(1, IDiv(span, step)));
}

absl::StatusOr<PolicyRunner> MakeForecastPolicy(std::string_view method,
                                                const std::vector<double>& v) {
  const double cpu_level = v.at(0), memory_level = v.at(1);
  const double refit_hours = v.at(2), history_days = v.at(3), conformal_days = v.at(4);
  const double stagger = v.at(5), memory_peak_hours = v.at(6), memory_fleet = v.at(7);
  const double damping = v.at(8);
  if (!(memory_peak_hours >= 0.0 && memory_peak_hours <= 24.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("memory_peak_hours must be in [0, 24], got ", memory_peak_hours));
  }
  for (const auto& [name, flag] :
       {std::pair{"stagger", stagger}, std::pair{"memory_fleet", memory_fleet},
        std::pair{"damping", damping}}) {
    if (flag != 0.0 && flag != 1.0) {
      return absl::InvalidArgumentError(absl::StrCat(name, " must be 0 or 1, got ", flag));
    }
  }
  for (const auto& [name, level] :
       {std::pair{"cpu_level", cpu_level}, std::pair{"memory_level", memory_level}}) {
    if (!(level > 0.0 && level < 1.0)) {
      return absl::InvalidArgumentError(absl::StrCat(name, " must be in (0, 1), got ", level));
    }
  }
  // Bounded so that a window (kept per series, and per step ahead for the
  // conformal errors) stays a size a host can hold, and a step count an int.
  for (const auto& [name, span, most] : {std::tuple{"refit_hours", refit_hours, 1e6},
                                         std::tuple{"history_days", history_days, 366.0},
                                         std::tuple{"conformal_days", conformal_days, 366.0}}) {
    if (!(span > 0.0 && span <= most)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " must be in (0, ", most, "], got ", span));
    }
  }
  // The method must exist and take its knobs: checked now, at a day of
  // 5-minute steps, so that a misspelt name fails before anything is replayed.
  const ForecasterRegistry& registry = ForecasterRegistry::Default();
  if (absl::StatusOr<AnyForecaster> probe = registry.Make(method, {.season = 288, .horizon = 1});
      !probe.ok()) {
    return absl::InvalidArgumentError(probe.status().message());  // unknown: not a lookup miss
  }
  const std::string name(method);
  return PolicyRunner([=, &registry](const Workload& w, const ReplayOptions& o,
                                     ReplayRecorder* rec) -> absl::StatusOr<ReplayResult> {
    int horizon = 1;
    for (Resource r : kAllResources) {
      horizon = std::max(horizon, LeadSteps(o.pool.lead_time[r], w.step));
    }
    absl::StatusOr<AnyForecaster> model =
        registry.Make(name, {.season = StepsIn(absl::Hours(24), w.step), .horizon = horizon});
    if (!model.ok()) return model.status();
    const RefitOptions refit_options{.every = StepsIn(absl::Hours(refit_hours), w.step),
                                     .window = StepsIn(absl::Hours(24 * history_days), w.step),
                                     .stagger = stagger == 1.0};
    absl::StatusOr<Refitting<AnyForecaster>> refit =
        Refitting<AnyForecaster>::Create(*model, refit_options);
    if (!refit.ok()) return refit.status();
    ConformalOptions c;
    c.horizon = horizon;
    c.window = StepsIn(absl::Hours(24 * conformal_days), w.step);
    c.calibration = 0;  // a replay fits on nothing
    c.min_residuals = std::min(c.window, StepsIn(absl::Hours(1), w.step));
    c.tail_fraction = 0.02;
    QuantileTargetOptions target = EnvelopeTargetOptions();
    target.level_override = MakeResources(cpu_level, memory_level, cpu_level, cpu_level);
    Conformal<Refitting<AnyForecaster>> forecaster(*std::move(refit), c, kTailQuantileLevels);
    // The replay of forecaster `f` with the allocator, damped or not.
    auto replay = [&]<Forecaster F>(F f) -> absl::StatusOr<ReplayResult> {
      if (damping == 0.0) {
        return Replay(w, QuantileTarget(target), o, std::move(f), WorkloadCost(w), rec);
      }
      DampingOptions d = TrackSmoothDampingOptions();
      // Without the fleet margin's floor nothing makes room for a dropped
      // grow: memory's are all made (only its shrinks are damped).
      if (memory_fleet == 0.0) (*d.min_relative_change_by_resource).memory() = 0.0;
      Damped<QuantileTarget> damped{QuantileTarget(target)};
      if (absl::Status s = damped.set_options(d); !s.ok()) return s;
      return Replay(w, std::move(damped), o, std::move(f), WorkloadCost(w), rec);
    };
    if (memory_peak_hours == 0.0 && memory_fleet == 0.0) return replay(std::move(forecaster));
    // Memory's own copy of the method, fed the running peak (of one sample, the
    // samples themselves, at memory_peak_hours=0); Conformal scores its
    // forecast against the samples, so the margin is what the peak missed.
    absl::StatusOr<RunningPeak<AnyForecaster>> peak = RunningPeak<AnyForecaster>::Create(
        *std::move(model), {.width = StepsIn(absl::Hours(memory_peak_hours), w.step)});
    if (!peak.ok()) return peak.status();
    absl::StatusOr<Refitting<RunningPeak<AnyForecaster>>> peak_refit =
        Refitting<RunningPeak<AnyForecaster>>::Create(*std::move(peak), refit_options);
    if (!peak_refit.ok()) return peak_refit.status();
    using PeakMemory = Conformal<Refitting<RunningPeak<AnyForecaster>>>;
    PeakMemory memory(*std::move(peak_refit), c, kTailQuantileLevels);
    // CPU, IO and network keep `forecaster`; memory gets its own model.
    auto replay_split =
        [&]<Forecaster MemoryF>(MemoryF memory_model) -> absl::StatusOr<ReplayResult> {
      using Split = ByResource<Conformal<Refitting<AnyForecaster>>, MemoryF>;
      absl::StatusOr<Split> split = Split::Create(forecaster, std::move(memory_model));
      if (!split.ok()) return split.status();
      return replay(*std::move(split));
    };
    if (memory_fleet == 0.0) return replay_split(std::move(memory));
    // track+fleet's memory margin over the method's forecast: each VM's daily
    // peak excess over its forecast (in units of its level), pooled across
    // the replayed fleet (Mondrian conformal, FleetPeaks' defaults), with the
    // same period, lag, prior, regime restarts and first-week phase floor;
    // no floor of its own (min_fraction 0), as track+fleet, unless damped.
    absl::StatusOr<std::shared_ptr<FleetPeaks>> fleet = FleetPeaks::Create({});
    if (!fleet.ok()) return fleet.status();
    PeakHeadroomOptions margin = TrackPeakMemoryOptions(w, o.pool);
    margin.min_fraction = damping == 0.0 ? 0.0 : kTrackFleetMemoryMinFraction;
    margin.fleet = *std::move(fleet);
    absl::StatusOr<PeakHeadroom<PeakMemory>> pooled =
        PeakHeadroom<PeakMemory>::Create(std::move(memory), std::move(margin));
    if (!pooled.ok()) return pooled.status();
    return replay_split(*std::move(pooled));
  });
}

FORESIGHT_REGISTER_POLICY_FAMILY(
    kForecastFamily,
    PolicyFamily{"proactive", "<method>",
                 "newsvendor quantile of any forecast-eval method (forecast-eval --list), "
                 "refitted on its recent history, with conformal quantiles over its own errors",
                 kForecastPolicyKnobs, MakeForecastPolicy, 30});

}  // namespace
}  // namespace foresight
