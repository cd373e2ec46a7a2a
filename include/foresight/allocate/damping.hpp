// -----------------------------------------------------------------------------
// File: damping.hpp
// -----------------------------------------------------------------------------
//
// `Damped<BaseT>` plays the Allocator role of `BaseT` and damps its changes:
//
//   minimum change   a move smaller than max(min_change[r],
//                    min_relative_change x current limit) is dropped;
//   hysteresis       a shrink must be at least `hysteresis` x the current
//                    limit (grows only need the minimum change), so small
//                    oscillations around a limit do not flip it back and forth;
//   per resource     `min_relative_change_by_resource` and
//                    `hysteresis_by_resource`, when set, replace the two
//                    shares above resource by resource (CPU, IO and network
//                    limits are cheap to move and noisy; memory is neither);
//   grow overshoot   a grow that is made goes `grow_overshoot[r]` x the base's
//                    target beyond it (within the user's max), so the next
//                    small rises fit under the new limit without a change;
//   hold the max     Autopilot's rule: a shrink goes only down to the largest
//                    recommendation the base made for that user and resource
//                    over the last `hold_window`;
//   change budget    at most `changes_per_day` ticks with a change per user in
//                    any 24 hours (0 = unlimited);
//   hold until used  for a resource with `hold_until_used[r]`, no shrink until
//                    the user has used some of it (usage > 0 at a tick so
//                    far): a VM idle at zero since it appeared (not started
//                    yet, powered off) keeps its initial limit, as VPA does by
//                    ignoring zero samples, instead of following the zeros
//                    down and going out of memory at its first start;
//   yield to grows   a shrink the rules above held back is made after all,
//                    largest first, while its host lacks room for the grows
//                    that survived (`yield_to_grows`): damping one user must
//                    not starve a neighbour. Such a shrink counts against the
//                    budget but is not refused by it.
//
// Urgent moves pass untouched: preemptions, OOM bumps, preemption grows,
// administrator overrides, policy clamps and moves that bring a limit back
// inside [min, max]. What survives is re-emitted shrinks first, and grows are
// clipped to what the host has free, so capacity holds even when a shrink
// the base counted on was damped away.
//
// | type           | name                | description                        | default |
// |----------------|---------------------|------------------------------------|---------|
// | ResourceVector | min_change          | smallest absolute change           | 0       |
// | double         | min_relative_change | smallest change, share of limit    | 0.05    |
// | double         | hysteresis          | smallest shrink, share of limit    | 0.10    |
// | optional<RV>   | min_relative_change_by_resource | per-resource override  | unset   |
// | optional<RV>   | hysteresis_by_resource          | per-resource override  | unset   |
// | ResourceVector | grow_overshoot      | share added to a grow's target     | 0       |
// | absl::Duration | hold_window         | shrink only to the max rec. over   | 30 min  |
// | int            | changes_per_day     | per-user change budget             | 48      |
// | PerResource<bool> | hold_until_used  | no shrink before first use         | all off |
// | bool           | yield_to_grows      | release held shrinks for grows     | true    |
#ifndef FORESIGHT_ALLOCATE_DAMPING_HPP_
#define FORESIGHT_ALLOCATE_DAMPING_HPP_

#include <algorithm>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/plan_builder.hpp"
#include "foresight/allocate/internal/quantile_curve.hpp"
#include "foresight/core/status.hpp"

namespace foresight {

struct DampingOptions {
  // The minimum change and hysteresis shares for resource `r`.
  double MinRelativeChange(Resource r) const {
    return min_relative_change_by_resource ? (*min_relative_change_by_resource)[r]
                                           : min_relative_change;
  }
  double Hysteresis(Resource r) const {
    return hysteresis_by_resource ? (*hysteresis_by_resource)[r] : hysteresis;
  }

  ResourceVector min_change = ResourceVector::Filled(0.0);
  double min_relative_change = 0.05;
  double hysteresis = 0.10;
  std::optional<ResourceVector> min_relative_change_by_resource;
  std::optional<ResourceVector> hysteresis_by_resource;
  ResourceVector grow_overshoot = ResourceVector::Filled(0.0);
  absl::Duration hold_window = absl::Minutes(30);
  int changes_per_day = 48;
  bool yield_to_grows = true;
  PerResource<bool> hold_until_used{};
};

template <Allocator BaseT>
class Damped {
 public:
  Damped() = default;
  explicit Damped(BaseT base) : base_(std::move(base)) {}

  static std::string_view Name() { return "damped"; }
  static constexpr bool kReadsOutlook = ReadsOutlook<BaseT>();

  BaseT& base() { return base_; }
  const BaseT& base() const { return base_; }
  const DampingOptions& options() const { return options_; }
  absl::Status set_options(const DampingOptions& o) {
    if (!IsValidAmount(o.min_change) || !(o.min_relative_change >= 0) || !(o.hysteresis >= 0) ||
        o.hold_window < absl::ZeroDuration() || o.changes_per_day < 0) {
      return absl::InvalidArgumentError("damping options must be non-negative");
    }
    if ((o.min_relative_change_by_resource && !IsValidAmount(*o.min_relative_change_by_resource)) ||
        (o.hysteresis_by_resource && !IsValidAmount(*o.hysteresis_by_resource))) {
      return absl::InvalidArgumentError(
          "damping options: per-resource minimum change and hysteresis must be finite and "
          "non-negative");
    }
    if (!IsValidAmount(o.grow_overshoot)) {
      return absl::InvalidArgumentError(
          "damping options: grow_overshoot must be finite and non-negative");
    }
    options_ = o;
    return absl::OkStatus();
  }
  // Drops `slot`'s change times and held recommendations, and the base's
  // state for it (its user is gone). Only when the base can forget too.
  void Forget(Slot slot)
    requires SlotForgetting<BaseT>
  {
    if (slot < state_.size()) state_[slot] = UserState{};
    base_.Forget(slot);
  }

  // Moves of the base dropped by the last plan (before any yield).
  std::size_t last_dropped() const { return last_dropped_; }
  // Held-back shrinks the last plan made after all, for neighbours' grows.
  std::size_t last_released() const { return last_released_; }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out) {
    out.Clear();
    FORESIGHT_RETURN_IF_ERROR(internal::ValidateDecisionRequest(req));
    FORESIGHT_RETURN_IF_ERROR(base_.Plan(req, base_plan_));
    const std::size_t n = req.users.size();
    Slot max_slot = 0;
    for (Slot s : req.slots) max_slot = std::max(max_slot, s);
    if (state_.size() <= max_slot) state_.resize(static_cast<std::size_t>(max_slot) + 1);
    // The base's recommendation for every user and resource this tick.
    recs_.resize(n);
    for (std::size_t i = 0; i < n; ++i) recs_[i] = req.users[i].allocation;
    for (const Move& m : base_plan_.moves) {
      if (m.index < n && m.kind == MoveKind::kResize) recs_[m.index][m.resource] = m.to;
    }
    const absl::Time day_ago = req.now - absl::Hours(24);
    for (std::size_t i = 0; i < n; ++i) {
      UserState& st = state_[req.slots[i]];
      while (!st.changes.empty() && st.changes.front() <= day_ago) st.changes.pop_front();
      while (!st.recs.empty() && st.recs.front().time <= req.now - options_.hold_window) {
        st.recs.pop_front();
      }
      st.recs.push_back({req.now, recs_[i]});
      for (Resource r : kAllResources) {
        if (req.users[i].usage[r] > 0.0) st.used[r] = true;
      }
    }
    builder_.Reset();
    held_.clear();
    last_dropped_ = 0;
    last_released_ = 0;
    changed_.assign(n, 0);
    for (const Move& m : base_plan_.moves) {
      if (m.index >= n) continue;
      const UserState& st = state_[req.slots[m.index]];
      const CostTerms& t = req.costs[m.index];
      const Resource r = m.resource;
      const bool outside = m.from < t.min[r] || m.from > t.max[r];
      const bool urgent = m.kind != MoveKind::kResize || m.reason == Reason::kOomBump ||
                          m.reason == Reason::kPreemption || m.reason == Reason::kOverride ||
                          m.reason == Reason::kPolicy || outside;
      double to = m.to;
      if (!urgent) {
        const double delta = std::abs(to - m.from);
        bool keep =
            delta >= std::max(options_.min_change[r], options_.MinRelativeChange(r) * m.from);
        if (keep && to < m.from) {
          double held = to;
          for (const auto& rec : st.recs) held = std::max(held, rec.limits[r]);
          to = std::min(held, m.from);
          keep = m.from - to >= std::max(options_.min_change[r], options_.Hysteresis(r) * m.from) &&
                 m.from - to > 0.0;
        } else if (keep && to > m.from && options_.grow_overshoot[r] > 0.0) {
          to = std::max(to, std::min(to * (1.0 + options_.grow_overshoot[r]), t.max[r]));
        }
        if (keep && to < m.from && options_.hold_until_used[r] && !st.used[r]) keep = false;
        if (keep && options_.changes_per_day > 0 &&
            static_cast<int>(st.changes.size()) >= options_.changes_per_day) {
          keep = false;
        }
        if (!keep) {
          ++last_dropped_;
          if (m.to < m.from) held_.push_back({m, kNotProposed});
          continue;
        }
        if (to > m.to) held_.push_back({m, builder_.proposals().size()});
      }
      internal::Proposal p;
      p.index = m.index;
      p.resource = r;
      p.kind = m.kind;
      p.to = to;
      internal::CopyExplanation(m, p);
      p.rank = t.priority;
      p.force = true;
      builder_.Propose(p);
    }
    if (options_.yield_to_grows && !held_.empty()) Yield(req);
    builder_.Emit(req, out, 0.0);
    for (const Move& m : out.moves) {
      if (changed_[m.index]) continue;
      changed_[m.index] = 1;
      state_[req.slots[m.index]].changes.push_back(req.now);
    }
    return absl::OkStatus();
  }

 private:
  static constexpr std::size_t kNotProposed = static_cast<std::size_t>(-1);
  // A move of the base the damping held back or raised: a shrink dropped or
  // raised by the hold window, or a grow raised by the overshoot. The base's
  // move and its proposal, if one was made; a yield returns it to the base's
  // target.
  struct Held {
    Move base;
    std::size_t proposal;
  };

  // Releases held shrinks, largest first, then grows' overshoots, on every
  // host and resource whose surviving proposals ask for more than its capacity.
  void Yield(const AllocationRequest& req) {
    std::vector<internal::Proposal>& props = builder_.proposals();
    std::vector<ResourceVector>& need = need_;
    internal::UsedPerHost(req, need);
    for (const internal::Proposal& p : props) {
      const UserObservation& u = req.users[p.index];
      const double from = u.allocation[p.resource];
      const double to = p.kind == MoveKind::kPreempt ? std::clamp(p.to, 0.0, from)
                                                     : std::max(0.0, p.to);
      need[u.host][p.resource] += to - from;
    }
    std::sort(held_.begin(), held_.end(), [](const Held& a, const Held& b) {
      return a.base.from - a.base.to > b.base.from - b.base.to;
    });
    for (const Held& h : held_) {
      const UserObservation& u = req.users[h.base.index];
      const Resource r = h.base.resource;
      const double cap = req.host_capacity[u.host][r] * (1.0 - internal::kCapacityHeadroom);
      if (need[u.host][r] <= cap) continue;
      const double now = h.proposal == kNotProposed ? h.base.from : props[h.proposal].to;
      need[u.host][r] -= now - h.base.to;
      if (h.proposal == kNotProposed) {
        internal::Proposal p;
        p.index = h.base.index;
        p.resource = r;
        p.kind = h.base.kind;
        p.to = h.base.to;
        internal::CopyExplanation(h.base, p);
        p.rank = req.costs[h.base.index].priority;
        p.force = true;
        props.push_back(p);
      } else {
        props[h.proposal].to = h.base.to;
      }
      ++last_released_;
    }
  }

  struct Rec {
    absl::Time time;
    ResourceVector limits;
  };
  struct UserState {
    std::deque<absl::Time> changes;  // ticks with a change in the last 24 h
    std::deque<Rec> recs;            // base recommendations within the hold window
    PerResource<bool> used{};        // resources with usage > 0 at some tick so far
  };

  BaseT base_;
  DampingOptions options_;
  std::vector<UserState> state_;
  std::vector<ResourceVector> recs_;
  std::vector<char> changed_;
  std::size_t last_dropped_ = 0;
  std::size_t last_released_ = 0;
  std::vector<Held> held_;
  std::vector<ResourceVector> need_;  // per host, reused across ticks
  AllocationPlan base_plan_;
  internal::PlanBuilder builder_;
};

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_DAMPING_HPP_
