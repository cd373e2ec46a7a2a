// The decision-engine allocators, by the names `foresight simulate --policies` takes.
#include "foresight/allocate/autopilot.hpp"
#include "foresight/allocate/damping.hpp"
#include "foresight/allocate/fallback.hpp"
#include "foresight/allocate/preemption.hpp"
#include "foresight/allocate/proactive_donor.hpp"
#include "foresight/allocate/thresholds.hpp"
#include "foresight/allocate/water_filling.hpp"
#include "foresight/sim/policy_registry.hpp"

namespace foresight {
namespace {

#define FORESIGHT_DECISION_POLICY(ident, name, description, type, order)                  \
  FORESIGHT_REGISTER_POLICY(                                                               \
      ident, name, description,                                                            \
      [](const Workload& w, const ReplayOptions& o, ReplayRecorder* rec) {                 \
        return Replay(w, type{}, o, rec);                                                  \
      },                                                                                   \
      order)

FORESIGHT_DECISION_POLICY(kWaterFill, "waterfill",
                          "marginal-value water-filling on the quantile curves", WaterFilling, 40);
FORESIGHT_DECISION_POLICY(kDonor, "donor",
                          "proactive donor -> receiver transfers when benefit > cost",
                          ProactiveDonor, 41);
FORESIGHT_DECISION_POLICY(kThresholds, "thresholds",
                          "per-resource scale up/down thresholds on the forecast", Thresholds, 42);
FORESIGHT_DECISION_POLICY(kPreempt, "preempt",
                          "donor plus cost-minimal preemption of lower priorities",
                          WithPreemption<ProactiveDonor>, 43);
FORESIGHT_DECISION_POLICY(kFallback, "fallback",
                          "newsvendor targets; on denial reduce low priority, degrade, queue",
                          Fallback, 44);
FORESIGHT_DECISION_POLICY(kDampedWaterFill, "waterfill+damped",
                          "water-filling with hysteresis, change budget and hold-the-max",
                          Damped<WaterFilling>, 45);
FORESIGHT_DECISION_POLICY(kAutopilotMl, "autopilot-ml",
                          "Autopilot ML recommender: ensemble of (decay, margin) models",
                          AutopilotMl, 51);

#undef FORESIGHT_DECISION_POLICY

// autopilot-window with its recommender's numbers as knobs; the registered
// entry is this runner at the defaults.
const std::vector<PolicyKnob> kAutopilotWindowKnobs = {
    {"percentile", AutopilotWindowOptions{}.percentile,
     "decayed percentile of cpu/io/net usage allocated, in (0, 1]"},
    {"margin", AutopilotWindowOptions{}.margin, "safety margin on every recommendation, >= 0"},
    {"half_life_hours", absl::ToDoubleHours(AutopilotWindowOptions{}.half_life),
     "half-life of the usage histograms' decay in hours"},
    {"peak_window_hours", absl::ToDoubleHours(AutopilotWindowOptions{}.peak_window),
     "window of memory's peak in hours"},
};

absl::StatusOr<PolicyRunner> TuneAutopilotWindow(const std::vector<double>& v) {
  AutopilotWindowOptions options;
  options.percentile = v.at(0);
  options.margin = v.at(1);
  options.half_life = absl::Hours(v.at(2));
  options.peak_window = absl::Hours(v.at(3));
  return OptionsRunner<AutopilotMovingWindow>(options);
}

FORESIGHT_REGISTER_POLICY(kAutopilotWindow, "autopilot-window",
                          "Autopilot moving-window recommender (reactive baseline)",
                          RunnerAtDefaults(kAutopilotWindowKnobs, TuneAutopilotWindow), 50,
                          kAutopilotWindowKnobs, TuneAutopilotWindow);

}  // namespace
}  // namespace foresight
