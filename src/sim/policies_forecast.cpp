// The "proactive(<method>)" policy family: any method of the forecaster
// registry (`foresight forecast-eval --list`) drives the proactive allocator
// in a replay, so a method scored offline by `forecast-eval` can be judged
// on the allocations it leads to, on the same trace as `vpa`.
//
// Per series the method is wrapped twice:
//   Refitting  — refitted on its last `history_days` every `refit_hours`
//                (ETS, ARIMA, Theta, the LSTM and the ensembles estimate only
//                in Fit, and a replay meets every VM with an empty history);
//   Conformal  — its quantiles replaced by online conformal ones over
//                `conformal_days` of its own errors, with the exponential tail
//                for the levels a window cannot resolve (memory's 0.9999):
//                the registry's methods report levels up to 0.99 only.
// The allocator is `envelope`'s (QuantileTarget, grows not gated), at
// `memory_level` for memory and `cpu_level` for CPU, IO and network.
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "foresight/allocate/quantile_target.hpp"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/refit.hpp"
#include "foresight/forecast/registry.hpp"
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
};

// `span` in whole `step`s, at least one.
int StepsIn(absl::Duration span, absl::Duration step) {
  return static_cast<int>(std::max<std::int64_t>(1, IDiv(span, step)));
}

absl::StatusOr<PolicyRunner> MakeForecastPolicy(std::string_view method,
                                                const std::vector<double>& v) {
  const double cpu_level = v.at(0), memory_level = v.at(1);
  const double refit_hours = v.at(2), history_days = v.at(3), conformal_days = v.at(4);
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
    absl::StatusOr<Refitting<AnyForecaster>> refit = Refitting<AnyForecaster>::Create(
        *std::move(model), {.every = StepsIn(absl::Hours(refit_hours), w.step),
                            .window = StepsIn(absl::Hours(24 * history_days), w.step)});
    if (!refit.ok()) return refit.status();
    ConformalOptions c;
    c.horizon = horizon;
    c.window = StepsIn(absl::Hours(24 * conformal_days), w.step);
    c.calibration = 0;  // a replay fits on nothing
    c.min_residuals = std::min(c.window, StepsIn(absl::Hours(1), w.step));
    c.tail_fraction = 0.02;
    QuantileTargetOptions target = EnvelopeTargetOptions();
    target.level_override = MakeResources(cpu_level, memory_level, cpu_level, cpu_level);
    return Replay(w, QuantileTarget(target), o,
                  Conformal<Refitting<AnyForecaster>>(*std::move(refit), c, kTailQuantileLevels),
                  WorkloadCost(w), rec);
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
