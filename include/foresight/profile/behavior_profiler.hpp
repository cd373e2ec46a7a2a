// -----------------------------------------------------------------------------
// File: behavior_profiler.hpp
// -----------------------------------------------------------------------------
//
// `BehaviorProfiler` is the shipped `Profiler`: from each user's samples and
// events it learns
//   - an hour-of-week seasonal shape per resource (EW mean and EW 90th
//     percentile per bucket; internal/seasonal_shape.hpp),
//   - an application-launch chain with per-app demand and dwell (app_chain.hpp),
//   - session lengths and the expected remaining session (session.hpp),
//   - a behaviour class with its reasons (classifier.hpp),
//   - declared intent and the demand it brings (intent.hpp),
//   - the stage of a user-defined workflow template (workflow.hpp),
// and combines them into a demand prior, `ExpectedDemand(slot, at)`, that a
// forecaster or allocator can use for any future instant:
//
//   base    = seasonal mean of the bucket of `at` (recent level if unseen)
//             + rho^k * latest residual   (residual = usage - seasonal mean,
//             an AR(1) with its own lag-1 autocorrelation rho per resource;
//             k = lead / sampling interval), floored at 0
//   base[r] = workflow stage demand[r] at `at`, for resources the stage specifies
//   base   *= multiplier of the declared intent, while within its expected duration
//   app     = p_a * demand(a) + sum_b q_b * demand(b) + (1 - p_a - sum_b q_b) * base * off
//             off     = EW ratio of usage to the seasonal mean while no app is
//                       current (the seasonal mean includes the apps' load)
//             running = P(session outlasts lead | its elapsed time), from the
//                       session-length histogram
//             p_stay  = max(0, 1 - lead / (2 * remaining dwell of the current app a))
//             p_a     = min(p_stay, running)
//             q_b     = min((1 - p_stay) P(b | a) max(0, 1 - after / (2 dwell(b))), running),
//                       after = max(lead - remaining dwell of a, 0)
//   result  = (1 - w) * base + w * app,
//             w = e_base / (e_base + e_app) from the EW symmetric relative
//                 one-step errors of the seasonal and the app predictor,
//                 tracked per user and app (a heavy app earns a high weight)
// An observation's events take effect before its usage is learnt: the usage
// reported with a launch counts toward the launched app, the usage reported
// with a declaration toward the declared intent.
//
// All per-user state lives in slot-indexed contiguous arrays (`BytesPerSlot()`
// reports ~6 KiB with the default 168 buckets, 95% of it the seasonal shape).
// `Observe` is O(1) per call (O(templates x stages) when workflows are
// registered; every `classify_every` samples it re-classifies the user in
// O(buckets), so `Summary` is O(1)); observations that are not newer than the
// slot's previous one or carry invalid usage are skipped and counted in `skipped()`.
//
// `Forget(slot)`, for a user deleted on the host whose slot will go to a new
// user, drops every per-slot state (here and in each component), so the slot
// answers as never observed and accepts any time again. Shared knowledge stays:
// the intent registry (the open episode is learnt into it first, as at a
// session end), workflow templates, the classifier's centroids and `skipped()`.
// O(per-slot state) (the seasonal shape's buckets); arrays keep their size.
//
//   BehaviorProfiler profiler;
//   profiler.Observe(slot, now, user_observation);
//   ProfileSummary s = profiler.Summary(slot, now);
//   ResourceVector prior = profiler.ExpectedDemand(slot, now + absl::Minutes(30));
//
// | type     | name                    | description                                 | default |
// |----------|-------------------------|---------------------------------------------|---------|
// | int      | buckets                 | seasonal buckets per week (168 = hourly)    | 168     |
// | double   | seasonal_alpha          | floor of the seasonal mean's learning rate  | 0.1     |
// | double   | peak_quantile           | quantile tracked as seasonal_peak           | 0.9     |
// | double   | peak_eta                | floor of the peak quantile's learning rate  | 0.05    |
// | Duration | utc_offset              | users' local time offset for hour-of-week   | 0       |
// | int      | full_confidence_samples | samples per bucket for confidence 1         | 24      |
// | double   | level_alpha             | EW weight of the recent level               | 0.3     |
// | double   | accuracy_alpha          | EW weight of errors: app vs seasonal        | 0.05    |
// | int      | classify_every          | samples between re-classifications          | 12      |
// | ...      | apps, sessions, intents, workflows, classifier: component options (headers) |
#ifndef FORESIGHT_PROFILE_BEHAVIOR_PROFILER_HPP_
#define FORESIGHT_PROFILE_BEHAVIOR_PROFILER_HPP_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"
#include "foresight/profile/app_chain.hpp"
#include "foresight/profile/classifier.hpp"
#include "foresight/profile/intent.hpp"
#include "foresight/profile/internal/seasonal_shape.hpp"
#include "foresight/profile/profiler.hpp"
#include "foresight/profile/session.hpp"
#include "foresight/profile/workflow.hpp"
#include "foresight/telemetry/observation.hpp"

namespace foresight {

struct BehaviorProfilerOptions {
  int buckets = internal::kHoursPerWeek;
  double seasonal_alpha = 0.1;
  double peak_quantile = 0.9;
  double peak_eta = 0.05;
  absl::Duration utc_offset = absl::ZeroDuration();
  int full_confidence_samples = 24;
  double level_alpha = 0.3;
  double accuracy_alpha = 0.05;
  int classify_every = 12;  // samples between re-classifications (Summary reads the cached class)
  AppChainOptions apps;
  SessionOptions sessions;
  IntentOptions intents;
  WorkflowOptions workflows;
  BehaviorClassifierOptions classifier;
};

class BehaviorProfiler {
 public:
  BehaviorProfiler() : BehaviorProfiler(BehaviorProfilerOptions{}) {}
  explicit BehaviorProfiler(BehaviorProfilerOptions options);

  static std::string_view Name() { return "behavior"; }
  const BehaviorProfilerOptions& options() const { return options_; }

  // Makes room for slots [0, n) up front (optional; Observe grows on demand).
  void Reserve(std::size_t n);

  // --- Profiler role -------------------------------------------------------
  void Observe(Slot slot, absl::Time now, const UserObservation& obs);
  ProfileSummary Summary(Slot slot, absl::Time now) const;
  // The user of `slot` is gone for good (`SlotForgetting`); no-op beyond `slots()`.
  void Forget(Slot slot);

  // --- Demand prior --------------------------------------------------------
  // Expected demand of `slot` at `at` (normally after its latest observation);
  // zeros for a slot never observed.
  ResourceVector ExpectedDemand(Slot slot, absl::Time at) const;
  // A high-quantile prior at `at`: ExpectedDemand plus the spread of at's
  // seasonal bucket (seasonal_peak - seasonal_mean).
  ResourceVector ExpectedPeak(Slot slot, absl::Time at) const;
  // ExpectedDemand at from + step, from + 2 step, ... (out.size() values).
  void ExpectedDemandPath(Slot slot, absl::Time from, absl::Duration step,
                          std::span<ResourceVector> out) const {
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = ExpectedDemand(slot, from + step * static_cast<std::int64_t>(i + 1));
    }
  }

  // --- Behaviour class -----------------------------------------------------
  BehaviorFeatures Features(Slot slot) const;
  BehaviorClassification Classify(Slot slot) const { return classifier_.Explain(Features(slot)); }

  // --- Intents and workflows (shared registries) ---------------------------
  absl::Status RegisterIntent(std::int32_t intent, std::string_view name,
                              const ResourceVector& multiplier, absl::Duration duration) {
    return intents_.Register(intent, name, multiplier, duration);
  }
  absl::StatusOr<int> AddWorkflow(WorkflowTemplate workflow) {
    return workflows_.Add(std::move(workflow));
  }
  absl::Status AssignWorkflow(Slot slot, int workflow, absl::Time now) {
    Reserve(static_cast<std::size_t>(slot) + 1);
    return workflows_.Assign(slot, workflow, now);
  }

  // --- Components, read-only -----------------------------------------------
  const internal::SeasonalShapeBank& seasonal() const { return seasonal_; }
  const AppChain& apps() const { return apps_; }
  const SessionTracker& sessions() const { return sessions_; }
  const IntentModel& intents() const { return intents_; }
  const WorkflowMatcher& workflows() const { return workflows_; }
  const BehaviorClassifier& classifier() const { return classifier_; }

  std::size_t slots() const { return users_.size(); }
  bool observed(Slot slot) const { return slot < slots() && users_[slot].samples > 0; }
  absl::Time last_time(Slot slot) const {
    return slot < slots() ? users_[slot].last : absl::InfinitePast();
  }
  // Recent smoothed usage of `slot`.
  ResourceVector Level(Slot slot) const;
  // Lag-1 autocorrelation of the residual to the seasonal mean, in [0, 1).
  double ResidualAutocorrelation(Slot slot, Resource r) const;
  // Weight of the current app's predictor against the seasonal one, in [0, 1].
  double AppWeight(Slot slot) const;
  // Observations rejected (not newer than the previous one, or invalid usage).
  std::uint64_t skipped() const { return skipped_; }
  // Bytes of per-user state (all components).
  std::size_t BytesPerSlot() const;

 private:
  struct UserState {
    absl::Time last = absl::InfinitePast();
    float level[kNumResources] = {};
    float off_app[kNumResources] = {1.0f, 1.0f, 1.0f, 1.0f};  // usage / seasonal mean outside apps
    float off_app_n = 0.0f;
    // Residual r = usage - seasonal mean, modelled as AR(1): the latest residual,
    // EW E[r_t r_{t-1}] and E[r^2], and the EW sampling interval (seconds).
    float residual[kNumResources] = {};
    float residual_c1[kNumResources] = {};
    float residual_c0[kNumResources] = {};
    float residual_n = 0.0f;
    float interval_seconds = 0.0f;
    bool has_residual = false;
    std::uint32_t samples = 0;
    std::int32_t last_intent = -1;                     // intent field of the previous observation
    BehaviorClass behavior = BehaviorClass::kUnknown;  // cached, see classify_every
  };
  // Seasonal mean at `t`'s bucket, or the recent level when the bucket is unseen.
  ResourceVector SeasonalOrLevel(Slot slot, absl::Time t) const;
  ResourceVector AppEstimate(Slot slot, const AppChain::AppStats& current, double lead_minutes,
                             const ResourceVector& base) const;
  void Grow(std::size_t n);

  BehaviorProfilerOptions options_;
  internal::SeasonalShapeBank seasonal_;
  AppChain apps_;
  SessionTracker sessions_;
  IntentModel intents_;
  WorkflowMatcher workflows_;
  BehaviorFeatureTracker features_;
  BehaviorClassifier classifier_;
  std::vector<UserState> users_;
  std::uint64_t skipped_ = 0;
};

static_assert(Profiler<BehaviorProfiler>);
static_assert(SlotForgetting<BehaviorProfiler>);

}  // namespace foresight

#include "foresight/profile/behavior_profiler_impl.hpp"

#endif  // FORESIGHT_PROFILE_BEHAVIOR_PROFILER_HPP_
