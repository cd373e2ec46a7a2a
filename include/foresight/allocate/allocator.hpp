// -----------------------------------------------------------------------------
// File: allocator.hpp
// -----------------------------------------------------------------------------
//
// `Allocator` is the role that turns forecasts, costs, capacity and the current
// allocation into an `AllocationPlan`. It sees one `AllocationRequest` per tick:
// the observed users (usage, limits, host, events), the demand outlook of each
// user over the window its decision governs (quantiles at the actuation lead
// time), each user's `CostTerms`, and host capacities.
//
// Requirements:   absl::Status Plan(const AllocationRequest&, AllocationPlan& out);
//                 static std::string_view Name();
// Contract:       `out` is cleared first; every move names a user of the
//                 request; shrinks come before grows; applying the moves in
//                 order never puts a host above capacity (`CheckPlan` passes);
//                 per-user `CostTerms::min`/`max` are respected when capacity
//                 allows; malformed requests get InvalidArgumentError and leave
//                 the allocator's state unchanged. Allocators may keep per-user
//                 state indexed by `AllocationRequest::slots` (dense, stable
//                 while the user lives).
// Optional:       static constexpr bool kReadsOutlook = false;  -- plans from
//                 observed usage alone (`ReadsOutlook`, below).
//                 void Forget(Slot slot);  -- the slot's user was deleted: drop
//                 what is kept for it, since the slot may go to a new user
//                 (`SlotForgetting`, core/user.hpp). Declare it empty when
//                 nothing is kept by slot; the Controller reuses slots only
//                 for allocators that have it (testing::SlotReuseConformance).
// Shipped:        VpaStyle, HpaStyle, QuantileTarget, Oracle and the decorators
//                 WithMargin<A>, MaxOfReactive<A> (foundation); the decision
//                 module adds water-filling, ProactiveDonor, thresholds,
//                 preemption, fallback, provisioner and Autopilot baselines.
#ifndef FORESIGHT_ALLOCATE_ALLOCATOR_HPP_
#define FORESIGHT_ALLOCATE_ALLOCATOR_HPP_

#include <algorithm>
#include <cmath>
#include <concepts>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "foresight/allocate/plan.hpp"
#include "foresight/cost/cost_model.hpp"
#include "foresight/forecast/forecast.hpp"
#include "foresight/telemetry/observation.hpp"
#include "xtensor/xtensor.hpp"

namespace foresight {

// Distribution of each user's demand over the window its next decision governs
// (from now + lead time to one tick later), per resource: quantiles at fixed
// levels, the mean and the forecaster's confidence. Tensors are
// users x resources (x levels), aligned with `AllocationRequest::users`.
struct DemandOutlook {
  std::vector<double> levels;
  xt::xtensor<double, 3> quantiles;   // users x 4 x levels, non-decreasing in level
  xt::xtensor<double, 2> mean;        // users x 4
  xt::xtensor<double, 2> confidence;  // users x 4, in [0, 1]

  void Resize(std::size_t users, std::span<const double> new_levels) {
    levels.assign(new_levels.begin(), new_levels.end());
    quantiles.resize({users, kNumResources, levels.size()});
    mean.resize({users, kNumResources});
    confidence.resize({users, kNumResources});
  }
  std::size_t size() const { return mean.shape()[0]; }
  // Demand quantile at probability p of user i, resource r (interpolated).
  double Quantile(std::size_t i, Resource r, double p) const {
    const std::size_t q = levels.size();
    const double* row = quantiles.data() + (i * kNumResources + Index(r)) * q;
    return Forecast::InterpolateQuantile(levels, std::span<const double>(row, q), p);
  }
  double Mean(std::size_t i, Resource r) const { return mean(i, Index(r)); }
};

struct AllocationRequest {
  absl::Time now;
  absl::Duration step = absl::Minutes(5);       // time between ticks
  PerResource<absl::Duration> lead_time;        // actuation lead time per resource
  std::span<const UserObservation> users;       // observed this tick
  std::span<const Slot> slots;                  // dense slot of each user, stable while it lives
  const DemandOutlook* outlook = nullptr;       // may be null for purely reactive policies
  std::span<const CostTerms> costs;             // per user
  std::span<const ResourceVector> host_capacity;
};

// Steps ahead at which a change of `r` asked now is first in force for a whole
// step: max(1, ceil(lead / step)). The outlook is taken at this step.
inline int LeadSteps(absl::Duration lead, absl::Duration step) {
  if (step <= absl::ZeroDuration()) return 1;
  const double steps = std::ceil(absl::FDivDuration(lead, step) - 1e-9);
  return std::max(1, static_cast<int>(steps));
}

// Checks the shape of a request: aligned spans, known hosts, finite amounts.
inline absl::Status ValidateRequest(const AllocationRequest& req) {
  if (req.slots.size() != req.users.size() || req.costs.size() != req.users.size()) {
    return absl::InvalidArgumentError("allocation request: users, slots and costs differ in size");
  }
  if (req.outlook != nullptr && req.outlook->size() != req.users.size()) {
    return absl::InvalidArgumentError("allocation request: outlook and users differ in size");
  }
  for (const ResourceVector& c : req.host_capacity) {
    if (!IsValidAmount(c)) return absl::InvalidArgumentError("allocation request: bad capacity");
  }
  for (const UserObservation& u : req.users) {
    if (u.host >= req.host_capacity.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("allocation request: ", ToString(u.user), " on unknown host ", u.host));
    }
    if (!IsValidAmount(u.usage) || !IsValidAmount(u.allocation)) {
      return absl::InvalidArgumentError(
          absl::StrCat("allocation request: ", ToString(u.user), " has invalid usage/allocation"));
    }
  }
  return absl::OkStatus();
}

template <typename A>
concept Allocator = requires(A a, const AllocationRequest& request, AllocationPlan& out) {
  { a.Plan(request, out) } -> std::same_as<absl::Status>;
  { A::Name() } -> std::convertible_to<std::string_view>;
};

// Whether allocator `A` plans on the forecasts (`AllocationRequest::outlook`).
// One that works from observed usage alone (VpaStyle, HpaStyle, the Autopilot
// recommenders, Oracle) declares `static constexpr bool kReadsOutlook = false;`
// so that a replay does not credit it with, or blame it for, forecasts it never
// read (PolicyMetrics::coverage); decorators pass their base's answer on.
template <typename A>
constexpr bool ReadsOutlook() {
  if constexpr (requires { A::kReadsOutlook; }) {
    return A::kReadsOutlook;
  } else {
    return true;
  }
}

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_ALLOCATOR_HPP_
