// -----------------------------------------------------------------------------
// File: preemption.hpp
// -----------------------------------------------------------------------------
//
// `WithPreemption<BaseT>` plays the Allocator role: it plans with `BaseT`
// (by default `ProactiveDonor`, which moves excess ahead of demand so that
// preemption is rarely needed: "minimise preemptions by acting early"), then
// looks, per host, for needs the plan leaves unmet: a user whose newsvendor
// target exceeds its limit after the base plan, by more than the host has
// free. For such a need it picks victims of strictly lower priority (by at
// least `min_priority_gap`) that minimise the total preemption cost
// (cost/preemption.hpp) while freeing enough of every short resource:
// exhaustively for up to `exact_max_candidates` candidates, greedily by cost
// per unit of covered need (then pruned) beyond. Victims are preempted only
// when the benefit of the freed capacity, P(the need materialises) x its
// under-provision value over the step, exceeds their total cost.
//
// Victims get `MoveKind::kPreempt` moves to 0 on every resource they hold
// (reason `kPreemption`, cost = their preemption cost); the needer's grow
// follows. Shortfalls below `dead_zone` x capacity are ignored (YARN's dead
// zone). With a `grace` period a chosen victim is first warned (see
// `pending()`): it keeps running, and is preempted only if the need is still
// there when the grace expires (Slurm's GraceTime, YARN's warn-then-kill);
// the mode (suspend / requeue / kill) enters the cost and each `order`.
//
// | type           | name                 | description                          | default |
// |----------------|----------------------|--------------------------------------|---------|
// | PreemptMode    | mode                 | suspend, requeue or kill             | kRequeue |
// | absl::Duration | grace                | warning before the preemption        | 0       |
// | absl::Duration | restart_overhead     | resume/requeue cost                  | 1 min   |
// | double         | min_priority_gap     | victim priority < needer's - gap     | 0       |
// | double         | dead_zone            | ignored shortfall, share of capacity | 0.01    |
// | int            | exact_max_candidates | exhaustive victim search up to       | 12      |
#ifndef FORESIGHT_ALLOCATE_PREEMPTION_HPP_
#define FORESIGHT_ALLOCATE_PREEMPTION_HPP_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/plan_builder.hpp"
#include "foresight/allocate/internal/quantile_curve.hpp"
#include "foresight/allocate/proactive_donor.hpp"
#include "foresight/cost/preemption.hpp"

namespace foresight {

struct PreemptionOptions {
  PreemptMode mode = PreemptMode::kRequeue;
  absl::Duration grace = absl::ZeroDuration();
  absl::Duration restart_overhead = absl::Minutes(1);
  double min_priority_gap = 0.0;
  double dead_zone = 0.01;
  int exact_max_candidates = 12;
};

// One preemption decided (or, with a grace period, announced).
struct PreemptionOrder {
  UserId victim;
  UserId for_user;            // the higher-priority user whose need it serves
  std::uint32_t host = 0;
  PreemptMode mode = PreemptMode::kRequeue;
  absl::Time announced;
  absl::Time effective;       // announced + grace
  double cost = 0.0;          // this victim's preemption cost
  double benefit = 0.0;       // benefit of the whole victim set for the need
  ResourceVector shortfall;   // need the host's free capacity could not meet
  ResourceVector freed;       // what this victim frees
  PreemptionCostBreakdown breakdown;
};

template <Allocator BaseT = ProactiveDonor>
class WithPreemption {
 public:
  WithPreemption() = default;
  explicit WithPreemption(BaseT base) : base_(std::move(base)) {}

  static std::string_view Name() { return "preempt"; }
  static constexpr bool kReadsOutlook = ReadsOutlook<BaseT>();
  // Warnings and job records are keyed by user; only the base keeps slot state.
  void Forget(Slot slot)
    requires SlotForgetting<BaseT>
  {
    base_.Forget(slot);
  }

  BaseT& base() { return base_; }
  const BaseT& base() const { return base_; }
  JobTable& jobs() { return jobs_; }
  const PreemptionOptions& options() const { return options_; }
  absl::Status set_options(const PreemptionOptions& o) {
    if (o.grace < absl::ZeroDuration() || o.restart_overhead < absl::ZeroDuration() ||
        !(o.min_priority_gap >= 0) || !(o.dead_zone >= 0 && o.dead_zone < 1) ||
        o.exact_max_candidates < 0 || o.exact_max_candidates > 20) {
      return absl::InvalidArgumentError(
          "preemption options: need grace, overhead >= 0, gap >= 0, dead_zone in [0, 1), "
          "exact_max_candidates in [0, 20]");
    }
    options_ = o;
    return absl::OkStatus();
  }

  // Preemptions carried out by the last plan.
  const std::vector<PreemptionOrder>& orders() const { return orders_; }
  // Victims warned and still inside their grace period.
  std::vector<PreemptionOrder> pending() const {
    std::vector<PreemptionOrder> out;
    for (const auto& [id, o] : pending_) out.push_back(o);
    return out;
  }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out);

 private:
  // Chooses victims among `cand` covering `need`; returns false when even all
  // of them do not.
  bool ChooseVictims(const std::vector<std::uint32_t>& cand, const ResourceVector& need,
                     const std::vector<ResourceVector>& holds, const std::vector<double>& cost,
                     std::vector<std::uint32_t>& chosen) const;

  BaseT base_;
  PreemptionOptions options_;
  JobTable jobs_;
  std::vector<PreemptionOrder> orders_;
  absl::flat_hash_map<UserId, PreemptionOrder> pending_;
  AllocationPlan base_plan_;
  internal::HostIndex hosts_;
  internal::PlanBuilder builder_;
};

using Preemptive = WithPreemption<>;

}  // namespace foresight

#include "foresight/allocate/preemption_impl.hpp"

#endif  // FORESIGHT_ALLOCATE_PREEMPTION_HPP_
