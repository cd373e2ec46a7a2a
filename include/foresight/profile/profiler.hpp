// -----------------------------------------------------------------------------
// File: profiler.hpp
// -----------------------------------------------------------------------------
//
// `Profiler` is the role that learns each user from samples and events: the
// hour-of-week shape of their demand, which application follows which, how long
// sessions last, a behaviour class, declared intent and workflow stage. Users
// are addressed by dense slot; observations arrive in time order.
//
// Requirements:   void Observe(Slot, absl::Time now, const UserObservation&);
//                 ProfileSummary Summary(Slot, absl::Time now) const;
//                 static std::string_view Name();
// Contract:       Summary of a slot never observed is a default ProfileSummary
//                 (class kUnknown, zero confidence); Observe never fails (input
//                 is validated upstream) and costs O(1) amortised per call.
// Optional:       void Forget(Slot);  (`SlotForgetting`, core/user.hpp) the
//                 slot's user was deleted: drop its state so the slot behaves
//                 as never observed for the next user (also to the time order
//                 of its observations); shared knowledge stays.
// Shipped:        BehaviorProfiler, NullProfiler (both forget).
#ifndef FORESIGHT_PROFILE_PROFILER_HPP_
#define FORESIGHT_PROFILE_PROFILER_HPP_

#include <concepts>
#include <cstdint>
#include <string_view>

#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"
#include "foresight/telemetry/observation.hpp"

namespace foresight {

enum class BehaviorClass : std::uint8_t { kUnknown, kIdle, kInteractive, kBatch, kAnalysis, kService };

constexpr std::string_view BehaviorClassName(BehaviorClass c) {
  constexpr std::string_view kNames[] = {"unknown", "idle",     "interactive",
                                         "batch",   "analysis", "service"};
  return kNames[static_cast<int>(c)];
}

// What the rest of the loop may use of a profile at time `now`.
struct ProfileSummary {
  BehaviorClass behavior = BehaviorClass::kUnknown;
  double confidence = 0.0;            // in [0, 1]: how much history backs the profile
  ResourceVector seasonal_mean;       // typical demand at this hour of the week
  ResourceVector seasonal_peak;       // high quantile of demand at this hour of the week
  std::int32_t last_app = -1;         // most recent application launched
  std::int32_t likely_next_app = -1;  // most likely next application (transition chain)
  double next_app_probability = 0.0;
  double expected_session_minutes = 0.0;
  bool in_session = false;
  std::int32_t intent = -1;           // declared intent in force, -1 if none
  std::int32_t workflow_stage = -1;   // stage of the matched workflow template, -1 if none
};

template <typename P>
concept Profiler = requires(P p, const P cp, Slot slot, absl::Time now,
                            const UserObservation& obs) {
  { p.Observe(slot, now, obs) } -> std::same_as<void>;
  { cp.Summary(slot, now) } -> std::same_as<ProfileSummary>;
  { P::Name() } -> std::convertible_to<std::string_view>;
};

// A profiler that learns nothing; for hosts that do not want profiles.
class NullProfiler {
 public:
  static std::string_view Name() { return "none"; }
  void Observe(Slot, absl::Time, const UserObservation&) {}
  ProfileSummary Summary(Slot, absl::Time) const { return {}; }
  void Forget(Slot) {}  // keeps nothing
};
static_assert(Profiler<NullProfiler>);
static_assert(SlotForgetting<NullProfiler>);

}  // namespace foresight

#endif  // FORESIGHT_PROFILE_PROFILER_HPP_
