// -----------------------------------------------------------------------------
// File: intent.hpp
// -----------------------------------------------------------------------------
//
// `IntentModel` turns declared intent ("starting video edit", an id in
// `UserObservation::intent`) into expected demand. It holds a registry shared
// by all users, intent id -> (demand multiplier per resource, duration), which
// an administrator may seed with `Register` and which is learnt from what
// followed past declarations; and, per user slot, the episode in progress.
//
// An episode starts when a user declares an intent; its baseline is the
// user's typical demand at that hour (passed in by the profiler). Each sample
// is compared with the baseline: the episode is *settled* after
// `settle_samples` consecutive samples with every resource at or below
// `settle_ratio` x baseline, and ends then, at the user's session end, at the
// next declaration, or after `max_duration`. Its duration is the time from the
// declaration to the last unsettled sample, its multiplier the mean usage over
// that time divided by the baseline; both enter the registry by an
// exponentially weighted update (weight max(alpha, 1 / episodes)).
//
// `Forget(slot)` (the user was deleted, the slot goes to a new user) ends the
// slot's episode in progress the way a session end does: it is learnt into the
// registry first. The registry learns only when an episode finishes, so
// dropping the episode would throw away what the fleet saw of that intent; the
// registry is shared knowledge and is kept, only the slot's episode goes.
//
// | type     | name             | description                                  | default |
// |----------|------------------|----------------------------------------------|---------|
// | Duration | max_duration     | an episode never lasts longer                | 8 h     |
// | Duration | default_duration | expected duration of an unknown intent       | 1 h     |
// | double   | settle_ratio     | usage/baseline at or below which it settles  | 1.2     |
// | int      | settle_samples   | consecutive settled samples that end it      | 3       |
// | double   | alpha            | floor of the registry's learning rate        | 0.2     |
// | double   | max_multiplier   | learnt multipliers are clamped to this       | 50      |
#ifndef FORESIGHT_PROFILE_INTENT_HPP_
#define FORESIGHT_PROFILE_INTENT_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"

namespace foresight {

struct IntentOptions {
  absl::Duration max_duration = absl::Hours(8);
  absl::Duration default_duration = absl::Hours(1);
  double settle_ratio = 1.2;
  int settle_samples = 3;
  double alpha = 0.2;
  double max_multiplier = 50.0;
};

// What the registry knows of one intent.
struct IntentEffect {
  std::string name;
  ResourceVector multiplier = ResourceVector::Filled(1.0);
  absl::Duration duration = absl::ZeroDuration();
  double episodes = 0.0;  // weight behind the numbers (a registered prior counts 1)
};

class IntentModel {
 public:
  IntentModel() : IntentModel(IntentOptions{}) {}
  explicit IntentModel(IntentOptions options) : options_(options) {
    options_.settle_samples = std::max(options_.settle_samples, 1);
  }
  const IntentOptions& options() const { return options_; }
  std::size_t slots() const { return users_.size(); }
  void Resize(std::size_t n) {
    if (n > slots()) users_.resize(n);
  }

  // Seeds (or overwrites) the registry entry of `intent` with a prior worth one episode.
  absl::Status Register(std::int32_t intent, std::string_view name,
                        const ResourceVector& multiplier, absl::Duration duration) {
    if (intent < 0)
      return absl::InvalidArgumentError(absl::StrCat("intent id ", intent, " is negative"));
    if (!IsValidAmount(multiplier)) {
      return absl::InvalidArgumentError(
          absl::StrCat("intent ", intent, ": multiplier is NaN, infinite or negative"));
    }
    if (duration <= absl::ZeroDuration() || duration == absl::InfiniteDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("intent ", intent, ": duration must be positive and finite"));
    }
    registry_[intent] = IntentEffect{std::string(name), multiplier, duration, 1.0};
    return absl::OkStatus();
  }

  // Registry entry of `intent`, or nullopt if never registered nor learnt.
  std::optional<IntentEffect> Effect(std::int32_t intent) const {
    auto it = registry_.find(intent);
    if (it == registry_.end()) return std::nullopt;
    return it->second;
  }
  std::size_t registry_size() const { return registry_.size(); }

  // `slot` declared `intent` at `now`; `baseline` is its typical demand now.
  void Declare(Slot slot, absl::Time now, std::int32_t intent, const ResourceVector& baseline);
  // One usage sample of `slot` at `now` (after any declaration at `now`).
  void Observe(Slot slot, absl::Time now, const ResourceVector& usage);
  // Ends the episode in progress, if any (session end).
  void End(Slot slot) {
    if (slot < slots() && users_[slot].intent >= 0) Finish(users_[slot]);
  }

  // The user of `slot` is gone: learns its open episode (as `End`), then the
  // slot holds none, as if never used; no-op beyond `slots()`.
  void Forget(Slot slot) {
    if (slot >= slots()) return;
    End(slot);
    users_[slot] = Episode{};
  }

  // Intent in force for `slot` (-1 if none).
  std::int32_t active(Slot slot) const { return slot < slots() ? users_[slot].intent : -1; }
  absl::Time active_since(Slot slot) const {
    return slot < slots() ? users_[slot].start : absl::InfinitePast();
  }
  // Expected duration of `intent` (the registry's, else `default_duration`).
  absl::Duration ExpectedDuration(std::int32_t intent) const {
    auto it = registry_.find(intent);
    return it == registry_.end() || it->second.episodes <= 0.0 ? options_.default_duration
                                                               : it->second.duration;
  }
  // Multiplier expected at `at` for `slot`: the active intent's while `at` is
  // within its expected duration from the declaration, else all ones.
  ResourceVector MultiplierAt(Slot slot, absl::Time at) const {
    const std::int32_t intent = active(slot);
    if (intent < 0) return ResourceVector::Filled(1.0);
    if (at - users_[slot].start > ExpectedDuration(intent)) return ResourceVector::Filled(1.0);
    auto it = registry_.find(intent);
    return it == registry_.end() ? ResourceVector::Filled(1.0) : it->second.multiplier;
  }

  std::size_t BytesPerSlot() const { return sizeof(Episode); }

 private:
  struct Episode {
    std::int32_t intent = -1;
    std::int32_t settled_run = 0;
    absl::Time start = absl::InfinitePast();
    absl::Time last_unsettled = absl::InfinitePast();
    float baseline[kNumResources] = {};
    float sum[kNumResources] = {};  // usage summed over all samples
    float n = 0.0f;
    float snap_sum[kNumResources] = {};  // ... up to the last unsettled sample
    float snap_n = 0.0f;
  };
  void Finish(Episode& e);

  IntentOptions options_;
  absl::flat_hash_map<std::int32_t, IntentEffect> registry_;
  std::vector<Episode> users_;
};

// ---------------------------------------------------------------------------
// Implementation.
// ---------------------------------------------------------------------------

inline void IntentModel::Declare(Slot slot, absl::Time now, std::int32_t intent,
                                 const ResourceVector& baseline) {
  if (intent < 0) return;
  Resize(static_cast<std::size_t>(slot) + 1);
  Episode& e = users_[slot];
  if (e.intent >= 0) Finish(e);
  e = Episode{};
  e.intent = intent;
  e.start = now;
  for (std::size_t r = 0; r < kNumResources; ++r)
    e.baseline[r] = static_cast<float>(baseline.values[r]);
}

inline void IntentModel::Observe(Slot slot, absl::Time now, const ResourceVector& usage) {
  if (slot >= slots()) return;
  Episode& e = users_[slot];
  if (e.intent < 0) return;
  bool settled = true;
  for (std::size_t r = 0; r < kNumResources; ++r) {
    e.sum[r] += static_cast<float>(usage.values[r]);
    if (usage.values[r] > options_.settle_ratio * e.baseline[r]) settled = false;
  }
  e.n += 1.0f;
  if (!settled) {
    e.settled_run = 0;
    e.last_unsettled = now;
    std::copy(std::begin(e.sum), std::end(e.sum), std::begin(e.snap_sum));
    e.snap_n = e.n;
  } else {
    ++e.settled_run;
  }
  if (e.settled_run >= options_.settle_samples || now - e.start >= options_.max_duration) Finish(e);
}

inline void IntentModel::Finish(Episode& e) {
  const bool effect = e.snap_n > 0.0f;
  const float* sum = effect ? e.snap_sum : e.sum;
  const double n = effect ? e.snap_n : e.n;
  if (n > 0.0) {
    IntentEffect& entry = registry_[e.intent];
    const double w = std::max(options_.alpha, 1.0 / (entry.episodes + 1.0));
    const absl::Duration duration =
        effect ? std::max(e.last_unsettled - e.start, absl::Seconds(1)) : absl::ZeroDuration();
    for (std::size_t r = 0; r < kNumResources; ++r) {
      const double mean = sum[r] / n;
      double m = e.baseline[r] > 0.0f ? mean / e.baseline[r]
                                      : (mean > 0.0 ? options_.max_multiplier : 1.0);
      m = std::clamp(m, 0.0, options_.max_multiplier);
      entry.multiplier.values[r] =
          entry.episodes <= 0.0 ? m
                                : entry.multiplier.values[r] + w * (m - entry.multiplier.values[r]);
    }
    entry.duration =
        entry.episodes <= 0.0 ? duration : entry.duration + w * (duration - entry.duration);
    entry.episodes += 1.0;
  }
  e = Episode{};
}

}  // namespace foresight

#endif  // FORESIGHT_PROFILE_INTENT_HPP_
