// -----------------------------------------------------------------------------
// File: workflow.hpp
// -----------------------------------------------------------------------------
//
// Workflow templates (seed 001): a user-defined sequence of stages, each with
// its typical demand and duration ("data analysis pipeline": ingest -> train
// -> report). `WorkflowMatcher` holds the templates and, per user slot, tracks
// which template stage the user's recent trajectory is in, so the profiler can
// predict the demand of the stages still to come.
//
// Matching works on the user's smoothed recent usage `level` (EW with weight
// `level_alpha`). The distance of a level to a stage is the mean over the
// resources the stage specifies (demand > 0; a 0 means "not specified") of
// |u - d| / max(u, d), in [0, 1].
//   - Unmatched: the nearest stage of any template within `match_threshold`
//     becomes a candidate; after `confirm_samples` consecutive samples on the
//     same candidate the user is matched to it.
//   - Matched to stage s: the user advances to s + 1 when that stage is nearer
//     than s and within the threshold (trajectories only move forward); after
//     `drop_after` consecutive samples beyond the threshold of both, the match
//     is dropped (a user pinned with `Assign` instead restarts matching inside
//     its template).
// `DemandAt` walks the remaining stages by their typical durations; a stage
// that overran its duration is assumed to end within a quarter of it.
//
// Templates are shared by all users; `Forget(slot)` (the user was deleted, the
// slot goes to a new user) keeps them and drops only the slot's level, match,
// candidate and any `Assign` pin.
//
// | type   | name            | description                                 | default |
// |--------|-----------------|---------------------------------------------|---------|
// | double | match_threshold | largest distance that counts as a match     | 0.3     |
// | int    | confirm_samples | samples on one candidate before matching    | 2       |
// | int    | drop_after      | unmatched samples before dropping a match   | 6       |
// | double | level_alpha     | EW weight of a new sample in the level      | 0.5     |
#ifndef FORESIGHT_PROFILE_WORKFLOW_HPP_
#define FORESIGHT_PROFILE_WORKFLOW_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"

namespace foresight {

struct WorkflowStage {
  std::string name;
  ResourceVector demand;  // typical demand; a 0 component is "not specified"
  absl::Duration typical_duration = absl::Hours(1);
};

struct WorkflowTemplate {
  std::string name;
  std::vector<WorkflowStage> stages;
};

struct WorkflowOptions {
  double match_threshold = 0.3;
  int confirm_samples = 2;
  int drop_after = 6;
  double level_alpha = 0.5;
};

// Where a user is: template and stage (-1 when unmatched) and since when.
struct WorkflowMatch {
  int workflow = -1;
  int stage = -1;
  absl::Time stage_since = absl::InfinitePast();
  double distance = 0.0;  // of the latest level to the matched stage
  bool pinned = false;    // assigned by `Assign`, not discovered
};

class WorkflowMatcher {
 public:
  WorkflowMatcher() : WorkflowMatcher(WorkflowOptions{}) {}
  explicit WorkflowMatcher(WorkflowOptions options) : options_(options) {
    options_.confirm_samples = std::max(options_.confirm_samples, 1);
    options_.drop_after = std::max(options_.drop_after, 1);
    options_.level_alpha = std::clamp(options_.level_alpha, 1e-3, 1.0);
  }
  const WorkflowOptions& options() const { return options_; }
  std::size_t slots() const { return users_.size(); }
  void Resize(std::size_t n) {
    if (n > slots()) users_.resize(n);
  }

  // Adds a template; returns its id (0, 1, ...). Rejects an empty name, no
  // stages, invalid demand, all-zero demand or a non-positive duration.
  absl::StatusOr<int> Add(WorkflowTemplate workflow);
  std::size_t size() const { return workflows_.size(); }
  const WorkflowTemplate& workflow(int id) const {
    return workflows_[static_cast<std::size_t>(id)];
  }
  // Id of the template named `name`, or NotFoundError.
  absl::StatusOr<int> Find(std::string_view name) const;

  // Pins `slot` to stage 0 of `workflow` from `now` (the user said which
  // workflow it is running).
  absl::Status Assign(Slot slot, int workflow, absl::Time now);
  // Learns one usage sample of `slot`.
  void Observe(Slot slot, absl::Time now, const ResourceVector& usage);

  // Drops `slot`'s level, match and pin, as if never used; templates stay.
  // No-op beyond `slots()`.
  void Forget(Slot slot) {
    if (slot < slots()) users_[slot] = UserState{};
  }

  WorkflowMatch Match(Slot slot) const;
  // The demand of the stage `slot` is expected to be in at `at` (seen from
  // `now`), or nullopt when unmatched or past the last stage.
  std::optional<ResourceVector> DemandAt(Slot slot, absl::Time now, absl::Time at) const;

  // Distance of `usage` to a stage's `demand` (see the file comment).
  static double Distance(const ResourceVector& usage, const ResourceVector& demand);

  std::size_t BytesPerSlot() const { return sizeof(UserState); }

 private:
  struct UserState {
    std::int16_t workflow = -1;
    std::int16_t stage = -1;
    std::int16_t cand_workflow = -1;
    std::int16_t cand_stage = -1;
    std::int16_t cand_n = 0;
    std::int16_t misses = 0;
    bool pinned = false;
    bool seen = false;
    float distance = 0.0f;
    absl::Time since = absl::InfinitePast();
    float level[kNumResources] = {};
  };
  double StageDistance(const ResourceVector& level, int w, int s) const {
    return Distance(
        level, workflows_[static_cast<std::size_t>(w)].stages[static_cast<std::size_t>(s)].demand);
  }

  WorkflowOptions options_;
  std::vector<WorkflowTemplate> workflows_;
  std::vector<UserState> users_;
};

// ---------------------------------------------------------------------------
// Implementation.
// ---------------------------------------------------------------------------

inline double WorkflowMatcher::Distance(const ResourceVector& usage, const ResourceVector& demand) {
  double sum = 0.0;
  int n = 0;
  for (std::size_t r = 0; r < kNumResources; ++r) {
    const double d = demand.values[r];
    if (!(d > 0.0)) continue;
    const double u = std::max(usage.values[r], 0.0);
    sum += std::abs(u - d) / std::max(u, d);
    ++n;
  }
  return n > 0 ? sum / n : 1.0;
}

inline absl::StatusOr<int> WorkflowMatcher::Add(WorkflowTemplate workflow) {
  if (workflow.name.empty()) return absl::InvalidArgumentError("workflow template has no name");
  if (workflow.stages.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("workflow '", workflow.name, "' has no stages"));
  }
  if (workflows_.size() >= static_cast<std::size_t>(INT16_MAX) ||
      workflow.stages.size() >= static_cast<std::size_t>(INT16_MAX)) {
    return absl::ResourceExhaustedError("too many workflow templates or stages");
  }
  for (std::size_t i = 0; i < workflow.stages.size(); ++i) {
    const WorkflowStage& s = workflow.stages[i];
    if (!IsValidAmount(s.demand)) {
      return absl::InvalidArgumentError(absl::StrCat("workflow '", workflow.name, "' stage ", i,
                                                     ": demand is NaN, infinite or negative"));
    }
    if (s.demand == ResourceVector{}) {
      return absl::InvalidArgumentError(absl::StrCat("workflow '", workflow.name, "' stage ", i,
                                                     ": demand specifies no resource"));
    }
    if (s.typical_duration <= absl::ZeroDuration() ||
        s.typical_duration == absl::InfiniteDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("workflow '", workflow.name, "' stage ", i,
                       ": typical duration must be positive and finite"));
    }
  }
  for (const WorkflowTemplate& w : workflows_) {
    if (w.name == workflow.name) {
      return absl::AlreadyExistsError(
          absl::StrCat("workflow '", workflow.name, "' already exists"));
    }
  }
  workflows_.push_back(std::move(workflow));
  return static_cast<int>(workflows_.size() - 1);
}

inline absl::StatusOr<int> WorkflowMatcher::Find(std::string_view name) const {
  for (std::size_t i = 0; i < workflows_.size(); ++i) {
    if (workflows_[i].name == name) return static_cast<int>(i);
  }
  return absl::NotFoundError(absl::StrCat("no workflow named '", std::string(name), "'"));
}

inline absl::Status WorkflowMatcher::Assign(Slot slot, int workflow, absl::Time now) {
  if (workflow < 0 || static_cast<std::size_t>(workflow) >= workflows_.size()) {
    return absl::NotFoundError(absl::StrCat("no workflow template with id ", workflow));
  }
  Resize(static_cast<std::size_t>(slot) + 1);
  UserState& u = users_[slot];
  u.workflow = static_cast<std::int16_t>(workflow);
  u.stage = 0;
  u.since = now;
  u.pinned = true;
  u.misses = 0;
  u.cand_n = 0;
  return absl::OkStatus();
}

inline void WorkflowMatcher::Observe(Slot slot, absl::Time now, const ResourceVector& usage) {
  Resize(static_cast<std::size_t>(slot) + 1);
  UserState& u = users_[slot];
  ResourceVector level;
  for (std::size_t r = 0; r < kNumResources; ++r) {
    const double a = u.seen ? options_.level_alpha : 1.0;
    u.level[r] = static_cast<float>(u.level[r] + a * (usage.values[r] - u.level[r]));
    level.values[r] = u.level[r];
  }
  u.seen = true;
  if (workflows_.empty()) return;
  const double thr = options_.match_threshold;
  if (u.stage >= 0) {
    const int n = static_cast<int>(workflows_[static_cast<std::size_t>(u.workflow)].stages.size());
    const double cur = StageDistance(level, u.workflow, u.stage);
    const double next = u.stage + 1 < n ? StageDistance(level, u.workflow, u.stage + 1)
                                        : std::numeric_limits<double>::infinity();
    if (next < cur && next <= thr) {
      ++u.stage;
      u.since = now;
      u.misses = 0;
      u.distance = static_cast<float>(next);
    } else if (cur <= thr) {
      u.misses = 0;
      u.distance = static_cast<float>(cur);
    } else if (++u.misses >= options_.drop_after) {
      u.stage = -1;
      u.misses = 0;
      u.cand_n = 0;
      if (!u.pinned) u.workflow = -1;
    }
    return;
  }
  // Unmatched: nearest stage (inside the pinned template, else any).
  int best_w = -1, best_s = -1;
  double best = std::numeric_limits<double>::infinity();
  const int w_lo = u.pinned ? u.workflow : 0;
  const int w_hi = u.pinned ? u.workflow + 1 : static_cast<int>(workflows_.size());
  for (int w = w_lo; w < w_hi; ++w) {
    const int n = static_cast<int>(workflows_[static_cast<std::size_t>(w)].stages.size());
    for (int s = 0; s < n; ++s) {
      const double d = StageDistance(level, w, s);
      if (d < best) {
        best = d;
        best_w = w;
        best_s = s;
      }
    }
  }
  if (best > thr) {
    u.cand_n = 0;
    return;
  }
  if (u.cand_n > 0 && u.cand_workflow == best_w && u.cand_stage == best_s) {
    ++u.cand_n;
  } else {
    u.cand_workflow = static_cast<std::int16_t>(best_w);
    u.cand_stage = static_cast<std::int16_t>(best_s);
    u.cand_n = 1;
    u.since = now;  // the stage began when it was first seen
  }
  if (u.cand_n >= options_.confirm_samples) {
    u.workflow = static_cast<std::int16_t>(best_w);
    u.stage = static_cast<std::int16_t>(best_s);
    u.distance = static_cast<float>(best);
    u.misses = 0;
  }
}

inline WorkflowMatch WorkflowMatcher::Match(Slot slot) const {
  WorkflowMatch m;
  if (slot >= slots() || users_[slot].stage < 0) return m;
  const UserState& u = users_[slot];
  m.workflow = u.workflow;
  m.stage = u.stage;
  m.stage_since = u.since;
  m.distance = u.distance;
  m.pinned = u.pinned;
  return m;
}

inline std::optional<ResourceVector> WorkflowMatcher::DemandAt(Slot slot, absl::Time now,
                                                               absl::Time at) const {
  if (slot >= slots() || users_[slot].stage < 0) return std::nullopt;
  const UserState& u = users_[slot];
  const std::vector<WorkflowStage>& stages =
      workflows_[static_cast<std::size_t>(u.workflow)].stages;
  std::size_t s = static_cast<std::size_t>(u.stage);
  const absl::Duration dur = stages[s].typical_duration;
  absl::Time end = std::max(u.since + dur, now + dur / 4);
  while (at >= end) {
    if (++s >= stages.size()) return std::nullopt;
    end += stages[s].typical_duration;
  }
  return stages[s].demand;
}

}  // namespace foresight

#endif  // FORESIGHT_PROFILE_WORKFLOW_HPP_
