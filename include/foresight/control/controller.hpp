// -----------------------------------------------------------------------------
// File: controller.hpp
// -----------------------------------------------------------------------------
//
// `Controller` composes the five roles as policy templates and runs one loop
// per `Tick(now)`:
//
//   observe -> profile -> forecast -> cost -> plan -> policy -> apply -> feedback
//
//   Pool.Observe(now) gives usage, limits, capacity and events; each user's
//   sample goes to the history store, the Profiler and the user's per-resource
//   Forecaster state (after scoring last tick's forecast: the feedback error);
//   the Forecaster's quantiles at each resource's actuation lead time form the
//   `DemandOutlook`; the CostModel prices each user; the Allocator plans moves;
//   the policy hook (admin constraints and overrides) may edit the plan; the
//   plan is checked against capacity (shrinks before grows) and applied; the
//   report lists every decision with its reason and every failed actuation.
//
//   using DefaultController = Controller<>;  // BehaviorProfiler, HoltWinters,
//                                            // LinearCost, QuantileTarget, SimulatedPool
//   Controller<NullProfiler, HoltWinters, LinearCost, VpaStyle> vpa(
//       ControllerOptions{}, {}, HoltWinters{}, LinearCost{}, VpaStyle{}, std::move(pool));
//   absl::StatusOr<TickReport> report = vpa.Tick(now);
//
// A user reported `kEventDeleted` is gone for good: its forecaster states get
// `End` (see EndSeries, forecast/forecaster.hpp) and the allocator is not
// asked about it. When the profiler and the allocator can drop one slot's
// state (`SlotForgetting`, core/user.hpp; every shipped one can) the
// controller forgets the user everywhere -- history, forecaster states,
// profile, allocator state -- and hands its slot to the next new user, so
// memory follows the users alive together, not every user ever seen.
// Otherwise the slot and its state are kept and never reused.
//
// Time is always an argument. A tick that fails validation (bad sample,
// timestamps going backwards) changes no state.
#ifndef FORESIGHT_CONTROL_CONTROLLER_HPP_
#define FORESIGHT_CONTROL_CONTROLLER_HPP_

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/plan.hpp"
#include "foresight/allocate/quantile_target.hpp"
#include "foresight/core/resources.hpp"
#include "foresight/core/status.hpp"
#include "absl/container/flat_hash_set.h"
#include "foresight/core/user.hpp"
#include "foresight/cost/cost_model.hpp"
#include "foresight/cost/linear_cost.hpp"
#include "foresight/forecast/coverage.hpp"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/pool/pool.hpp"
#include "foresight/pool/simulated_pool.hpp"
#include "foresight/profile/behavior_profiler.hpp"
#include "foresight/profile/profiler.hpp"
#include "foresight/telemetry/history.hpp"
#include "foresight/telemetry/observation.hpp"

namespace foresight {

struct ControllerOptions {
  absl::Duration step = absl::Minutes(5);  // expected time between ticks
  std::size_t history_capacity = 2016;     // samples kept per user (one week at 5 min)
};

// A failed actuation: the move asked for and why it failed.
struct ActuationFailure {
  Move move;
  absl::Status status;
};

struct TickReport {
  absl::Time time;
  std::size_t users = 0;       // users observed this tick
  std::size_t new_users = 0;   // first seen this tick
  std::size_t deleted_users = 0;  // reported deleted (kEventDeleted): forecasts ended
  std::vector<Move> decisions; // the plan applied, in order, each with its reason
  std::vector<ActuationFailure> failures;
  // Feedback: mean absolute error of the one-step-ahead forecast mean, this
  // tick and over the controller's lifetime, per resource.
  ResourceVector forecast_error;
  ResourceVector forecast_error_lifetime;
};

// Optional hook between plan and apply (the policy layer): may edit the plan.
using PlanFilter = std::function<absl::Status(const AllocationRequest&, AllocationPlan&)>;

template <Profiler ProfilerT = BehaviorProfiler, Forecaster ForecasterT = HoltWinters,
          CostModel CostModelT = LinearCost, Allocator AllocatorT = QuantileTarget,
          Pool PoolT = SimulatedPool>
class Controller {
 public:
  Controller(ControllerOptions options, ProfilerT profiler, ForecasterT forecaster,
             CostModelT cost, AllocatorT allocator, PoolT pool)
      : options_(options),
        profiler_(std::move(profiler)),
        forecaster_(std::move(forecaster)),
        cost_(std::move(cost)),
        allocator_(std::move(allocator)),
        pool_(std::move(pool)),
        history_(options.history_capacity) {}

  absl::StatusOr<TickReport> Tick(absl::Time now) {
    // 1. Observe, and validate everything before any state changes.
    if (absl::Status s = pool_.Observe(now, obs_); !s.ok()) return s;
    if (absl::Status s = ValidateObservation(obs_); !s.ok()) return s;
    ++tick_count_;
    new_ids_.clear();
    for (const UserObservation& u : obs_.users) {
      const Slot slot = slots_.Find(u.user);
      const bool duplicate =
          slot == kNoSlot ? !new_ids_.insert(u.user).second
                          : std::exchange(seen_[slot], tick_count_) == tick_count_;
      if (duplicate) {
        return absl::InvalidArgumentError(
            absl::StrCat(ToString(u.user), " is reported twice in one observation"));
      }
      if (slot != kNoSlot && (u.events & kEventNoSample) == 0 &&
          history_.last_time(slot) >= now) {
        return absl::InvalidArgumentError(
            absl::StrCat(ToString(u.user), ": sample at ", absl::FormatTime(now),
                         " is not after the previous one at ",
                         absl::FormatTime(history_.last_time(slot))));
      }
    }
    TickReport report;
    report.time = now;
    report.users = obs_.users.size();

    // 2. Record, profile, score last tick's forecast (and the quantiles made
    // a lead time ago) and update the forecasters.
    PerResource<int> lead_steps;
    int horizon = 1;
    for (Resource r : kAllResources) {
      lead_steps[r] = LeadSteps(pool_.LeadTime(r), options_.step);
      horizon = std::max(horizon, lead_steps[r]);
    }
    const std::size_t n = obs_.users.size();
    tick_slots_.resize(n);
    ResourceVector abs_error{};
    std::size_t scored = 0;
    std::size_t deleted = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const UserObservation& u = obs_.users[i];
      const std::size_t before = slots_.live();
      const Slot slot = slots_.Insert(u.user);
      if (slots_.live() > before) {
        ++report.new_users;
        FORESIGHT_RETURN_IF_ERROR(AddUser(slot));
      }
      tick_slots_[i] = slot;
      UserState& st = users_[slot];
      if (u.events & kEventDeleted) {
        // Gone for good: its forecasts end, and nothing is planned for it.
        for (Resource r : kAllResources) EndSeries(forecaster_, st.forecast[Index(r)]);
        ++deleted;
        continue;
      }
      if (u.events & kEventNoSample) {
        // A gap: nothing is recorded or scored; the forecasters step over it
        // with their own one-step forecast so their seasonal phase stays aligned.
        if (st.has_prediction) {
          for (Resource r : kAllResources) {
            forecaster_.Update(st.forecast[Index(r)], st.predicted[r]);
          }
        }
        continue;
      }
      (void)history_.Append(slot, now, u.usage);  // validated above
      profiler_.Observe(slot, now, u);
      if (st.has_prediction) {
        abs_error += Abs(u.usage - st.predicted);
        ++scored;
      }
      if constexpr (ReadsOutlook<AllocatorT>()) ScoreCoverage(slot, u.usage, lead_steps);
      for (Resource r : kAllResources) forecaster_.Update(st.forecast[Index(r)], u.usage[r]);
    }
    report.deleted_users = deleted;
    if (deleted > 0) DropDeleted();
    const std::size_t n_plan = obs_.users.size();
    if (scored > 0) {
      report.forecast_error = abs_error / static_cast<double>(scored);
      lifetime_error_ += abs_error;
      lifetime_scored_ += scored;
    }
    if (lifetime_scored_ > 0) {
      report.forecast_error_lifetime = lifetime_error_ / static_cast<double>(lifetime_scored_);
    }

    // 3. Forecast at each resource's lead time, 4. price each user.
    costs_.resize(n_plan);
    bool outlook_ready = false;
    for (std::size_t i = 0; i < n_plan; ++i) {
      UserState& st = users_[tick_slots_[i]];
      costs_[i] = cost_.Terms(obs_.users[i].user);
      for (Resource r : kAllResources) {
        const Forecast f = forecaster_.Predict(st.forecast[Index(r)], horizon);
        if (!outlook_ready) {
          outlook_.Resize(n_plan, f.levels());
          outlook_ready = true;
          if constexpr (ReadsOutlook<AllocatorT>()) {
            if (!std::ranges::equal(coverage_.levels(), f.levels())) coverage_.Reset(f.levels());
            ShapePending(static_cast<std::size_t>(horizon), f.num_levels());
          }
        } else if (f.num_levels() != outlook_.levels.size()) {
          return absl::InternalError(absl::StrCat(
              Sv(ForecasterT::Name()), " forecast ", f.num_levels(), " quantile levels for ",
              Sv(ResourceName(r)), " where earlier forecasts had ", outlook_.levels.size(),
              "; a forecaster must use one set of levels"));
        }
        const int h = lead_steps[r];
        // Demand is never negative: a forecaster whose lower quantiles dip
        // below zero (conformal margins around a small mean) is clamped here.
        std::span<const double> q = f.quantiles(h);
        double* row = outlook_.quantiles.data() + (i * kNumResources + Index(r)) * q.size();
        for (std::size_t k = 0; k < q.size(); ++k) row[k] = std::max(0.0, q[k]);
        outlook_.mean(i, Index(r)) = std::max(0.0, f.mean(h));
        outlook_.confidence(i, Index(r)) = f.confidence();
        st.predicted[r] = f.mean(1);
        if constexpr (ReadsOutlook<AllocatorT>()) {
          // Kept until step h is observed, to score their coverage.
          const std::size_t e = PendingEntry(tick_slots_[i], tick_count_);
          pending_tick_[e] = tick_count_;
          std::copy(row, row + q.size(),
                    pending_quantiles_.begin() +
                        static_cast<std::ptrdiff_t>((e * kNumResources + Index(r)) * q.size()));
        }
      }
      st.has_prediction = true;
    }
    if (!outlook_ready) outlook_.Resize(0, kDefaultQuantileLevels);

    // 5. Plan.
    AllocationRequest req;
    req.now = now;
    req.step = options_.step;
    for (Resource r : kAllResources) req.lead_time[r] = pool_.LeadTime(r);
    req.users = obs_.users;
    req.slots = tick_slots_;
    req.outlook = &outlook_;
    req.costs = costs_;
    req.host_capacity = obs_.host_capacity;
    if (absl::Status s = allocator_.Plan(req, plan_); !s.ok()) return s;

    // 6. Policy layer, then the capacity check every plan must pass.
    if (policy_) {
      if (absl::Status s = policy_(req, plan_); !s.ok()) return s;
      plan_.OrderShrinksFirst();
    }
    if (absl::Status s = CheckPlan(obs_.users, obs_.host_capacity, plan_); !s.ok()) {
      return absl::InternalError(
          absl::StrCat(Sv(AllocatorT::Name()), " produced an infeasible plan: ", s.message()));
    }

    // 7. Apply, 8. report.
    if (absl::Status s = pool_.Apply(now, plan_, results_); !s.ok()) return s;
    report.decisions = plan_.moves;
    for (std::size_t k = 0; k < plan_.moves.size() && k < results_.size(); ++k) {
      if (!results_[k].ok()) report.failures.push_back({plan_.moves[k], results_[k]});
    }
    return report;
  }

  // Whether a deleted user's slot goes to a later user (see the file comment).
  static constexpr bool kReusesSlots = SlotForgetting<ProfilerT> && SlotForgetting<AllocatorT>;

  // Installs the policy layer (constraints and overrides) run between plan and apply.
  void set_policy(PlanFilter policy) { policy_ = std::move(policy); }

  ProfilerT& profiler() { return profiler_; }
  const ForecasterT& forecaster() const { return forecaster_; }
  CostModelT& cost_model() { return cost_; }
  AllocatorT& allocator() { return allocator_; }
  PoolT& pool() { return pool_; }
  const PoolT& pool() const { return pool_; }
  const HistoryStore& history() const { return history_; }
  const SlotMap& slots() const { return slots_; }
  const ControllerOptions& options() const { return options_; }
  // How often each resource's sample fell at or below the quantiles the
  // allocator was given for it, at each of the forecaster's levels: the
  // quantiles at the resource's lead step (LeadSteps: one step with no lead
  // time), scored when that step is observed. The calibration of what the
  // plans were made on (forecast/coverage.hpp), over the controller's
  // lifetime or since `ClearCoverage`. Always empty for an allocator that
  // plans without the outlook (`ReadsOutlook`), which saves the work.
  const QuantileCoverage& coverage() const { return coverage_; }
  // Restarts the coverage counts (e.g. when a warm-up ends).
  void ClearCoverage() { coverage_.Clear(); }
  // Fitted forecaster state of `user` for resource `r` (e.g. to checkpoint it
  // with pool/checkpoint.hpp, or to restore one), NotFoundError for an unknown
  // user (and, when slots are reused, for a deleted one).
  absl::StatusOr<typename ForecasterT::State*> forecast_state(UserId user, Resource r) {
    const Slot slot = slots_.Find(user);
    if (slot == kNoSlot) return absl::NotFoundError(absl::StrCat("unknown ", ToString(user)));
    return &users_[slot].forecast[Index(r)];
  }

  // The profile summary of `user`, or NotFoundError for an unknown user.
  absl::StatusOr<ProfileSummary> Profile(UserId user, absl::Time now) const {
    const Slot slot = slots_.Find(user);
    if (slot == kNoSlot) return absl::NotFoundError(absl::StrCat("unknown ", ToString(user)));
    return profiler_.Summary(slot, now);
  }

 private:
  struct UserState {
    std::array<typename ForecasterT::State, kNumResources> forecast;
    ResourceVector predicted;
    bool has_prediction = false;
  };

  absl::Status AddUser(Slot slot) {
    // A resource-aware forecaster (`ByResource`) fits each resource's own model.
    using StateOr = absl::StatusOr<typename ForecasterT::State>;
    std::array<StateOr, kNumResources> cold = {
        FitForResource(forecaster_, Resource::kCpu, {}),
        FitForResource(forecaster_, Resource::kMemory, {}),
        FitForResource(forecaster_, Resource::kIo, {}),
        FitForResource(forecaster_, Resource::kNet, {})};
    for (const StateOr& c : cold) {
      if (!c.ok()) return c.status();
    }
    UserState fresh{{*std::move(cold[0]), *std::move(cold[1]), *std::move(cold[2]),
                     *std::move(cold[3])},
                    {},
                    false};
    if (slot < users_.size()) {  // a slot freed by a deleted user
      users_[slot] = std::move(fresh);
      // The old user's quantiles are not the new one's to be scored against.
      const std::size_t first = static_cast<std::size_t>(slot) * pending_ring_;
      if (first + pending_ring_ <= pending_tick_.size()) {
        std::fill_n(pending_tick_.begin() + static_cast<std::ptrdiff_t>(first), pending_ring_, 0);
      }
      seen_[slot] = tick_count_;
    } else {
      users_.push_back(std::move(fresh));
      seen_.resize(static_cast<std::size_t>(slot) + 1, tick_count_);
    }
    return absl::OkStatus();
  }

  // Removes the users reported deleted from this tick's observation (and
  // their slots from tick_slots_), keeping the others' order. With
  // `kReusesSlots` their slots are freed after every component forgets them;
  // this runs after the tick's new users took their slots, so a slot is
  // never freed and taken in one tick.
  void DropDeleted() {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < obs_.users.size(); ++i) {
      if (obs_.users[i].events & kEventDeleted) {
        if constexpr (kReusesSlots) {
          const Slot slot = tick_slots_[i];
          history_.Forget(slot);
          profiler_.Forget(slot);
          allocator_.Forget(slot);
          slots_.Erase(obs_.users[i].user);
        }
        continue;
      }
      obs_.users[kept] = obs_.users[i];
      tick_slots_[kept] = tick_slots_[i];
      ++kept;
    }
    obs_.users.resize(kept);
    tick_slots_.resize(kept);
  }

  // Sizes the pending-quantile ring for `ring` ticks of `levels` levels and
  // every slot handed out, forgetting what it held when the shape changes.
  void ShapePending(std::size_t ring, std::size_t levels) {
    if (ring != pending_ring_ || levels != pending_levels_) {
      pending_ring_ = ring;
      pending_levels_ = levels;
      pending_tick_.clear();
      pending_quantiles_.clear();
    }
    const std::size_t entries = users_.size() * ring;
    if (pending_tick_.size() < entries) {
      pending_tick_.resize(entries, 0);
      pending_quantiles_.resize(entries * kNumResources * levels, 0.0);
    }
  }
  // The ring entry of `slot` for the forecasts made at `tick`.
  std::size_t PendingEntry(Slot slot, std::uint64_t tick) const {
    return static_cast<std::size_t>(slot) * pending_ring_ + tick % pending_ring_;
  }

  // Scores the quantiles `slot` was given lead_steps[r] ticks ago for each
  // resource against the sample just observed (QuantileCoverage::Add).
  void ScoreCoverage(Slot slot, const ResourceVector& usage, const PerResource<int>& lead_steps) {
    const std::size_t levels = pending_levels_;
    if (pending_ring_ == 0 || levels != coverage_.levels().size() ||
        (static_cast<std::size_t>(slot) + 1) * pending_ring_ > pending_tick_.size()) {
      return;
    }
    for (Resource r : kAllResources) {
      const auto h = static_cast<std::uint64_t>(lead_steps[r]);
      if (h >= tick_count_ || h > pending_ring_) continue;
      const std::uint64_t made = tick_count_ - h;
      const std::size_t e = PendingEntry(slot, made);
      if (pending_tick_[e] != made) continue;
      coverage_.Add(r, usage[r],
                    std::span<const double>(pending_quantiles_)
                        .subspan((e * kNumResources + Index(r)) * levels, levels));
    }
  }

  static ResourceVector Abs(ResourceVector v) {
    for (double& x : v.values) x = std::abs(x);
    return v;
  }

  ControllerOptions options_;
  ProfilerT profiler_;
  ForecasterT forecaster_;
  CostModelT cost_;
  AllocatorT allocator_;
  PoolT pool_;
  HistoryStore history_;
  SlotMap slots_;
  std::vector<UserState> users_;
  PlanFilter policy_;
  // Per-tick buffers, reused.
  Observation obs_;
  std::vector<Slot> tick_slots_;
  std::vector<CostTerms> costs_;
  DemandOutlook outlook_;
  AllocationPlan plan_;
  std::vector<absl::Status> results_;
  ResourceVector lifetime_error_{};
  QuantileCoverage coverage_;
  // The quantiles the allocator was given (each resource's at its lead step),
  // kept until that step is observed to score their coverage: per slot a ring
  // of `pending_ring_` ticks, each entry resource-major (cpu's levels, then
  // memory's, io's, net's), and the tick each entry was made at (0: none).
  std::vector<double> pending_quantiles_;
  std::vector<std::uint64_t> pending_tick_;
  std::size_t pending_ring_ = 0;
  std::size_t pending_levels_ = 0;
  std::size_t lifetime_scored_ = 0;
  std::vector<std::uint64_t> seen_;  // per slot: last tick the user was reported
  std::uint64_t tick_count_ = 0;
  absl::flat_hash_set<UserId> new_ids_;
};

using DefaultController = Controller<>;

}  // namespace foresight

#endif  // FORESIGHT_CONTROL_CONTROLLER_HPP_
