// -----------------------------------------------------------------------------
// File: quantile_target.hpp
// -----------------------------------------------------------------------------
//
// `QuantileTarget` is the proactive foundation policy: for each user and
// resource it allocates the newsvendor quantile cu / (cu + co) of forecast
// demand at the step where a change asked now takes effect (the demand outlook
// is already taken at the actuation lead time), clamped to the user's bounds.
// A change is made only when its expected benefit (expected provisioning cost
// per second at the current limit minus at the target, integrated over the
// forecast distribution, times `benefit_horizon`) exceeds the change cost. Shrinks are planned
// before grows and grows share the room the host has (`EmitWithinCapacity`).
//
// | type   | name           | description                                    | default |
// |--------|----------------|------------------------------------------------|---------|
// | vector | min_allocation | floor per resource                             | 25m cpu, 64 MiB memory |
// | vector | level_override | per resource: if in (0,1), use this level instead of cu/(cu+co) | 0 (off) |
// | int    | cost_points    | quantile points used to integrate expected cost | 20     |
// | Duration | benefit_horizon | expected lifetime of a limit, for benefits   | 1 h     |
// | bool   | gate_grows     | also hold grows whose benefit is below the change cost | true |
#ifndef FORESIGHT_ALLOCATE_QUANTILE_TARGET_HPP_
#define FORESIGHT_ALLOCATE_QUANTILE_TARGET_HPP_

#include <algorithm>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/capacity.hpp"

namespace foresight {

struct QuantileTargetOptions {
  ResourceVector min_allocation = MakeResources(0.025, 64.0 * 1024 * 1024, 0.0, 0.0);
  ResourceVector level_override{};  // per resource; 0 (or >= 1): the newsvendor level
  int cost_points = 20;
  // How long a limit is expected to stay once set: the benefit of a change is
  // its expected cost saving per second times this (at least one tick).
  absl::Duration benefit_horizon = absl::Hours(1);
  // false: only shrinks must pay for their change cost; a grow to the target
  // level is always made. Use it with tail levels (level_override near 1): the
  // benefit integral samples the body of the distribution and cannot see the
  // risk a tail level is chosen to cover.
  bool gate_grows = true;
};

// Expected provisioning cost per second of holding `allocation` for user i,
// resource r, under the outlook's demand distribution (midpoint rule over
// `points` equally spaced probabilities).
inline double ExpectedProvisioningRate(const DemandOutlook& outlook, std::size_t i, Resource r,
                                       const CostTerms& terms, double allocation, int points) {
  double sum = 0.0;
  for (int k = 0; k < points; ++k) {
    const double d = outlook.Quantile(i, r, (k + 0.5) / points);
    sum += ProvisioningCost(terms, r, allocation, d, 1.0);
  }
  return sum / points;
}

class QuantileTarget {
 public:
  explicit QuantileTarget(QuantileTargetOptions options = {}) : options_(options) {}
  static std::string_view Name() { return "proactive"; }
  // Keeps nothing by slot.
  void Forget(Slot) {}
  const QuantileTargetOptions& options() const { return options_; }

  void Recommend(const AllocationRequest& req, std::span<internal::Desire> out) const {
    const double seconds =
        absl::ToDoubleSeconds(std::max(req.step, options_.benefit_horizon));
    for (std::size_t i = 0; i < req.users.size(); ++i) {
      const CostTerms& terms = req.costs[i];
      for (Resource r : kAllResources) {
        internal::Desire& d = out[i * kNumResources + Index(r)];
        const double cur = req.users[i].allocation[r];
        d.reason = Reason::kForecast;
        const double override = options_.level_override[r];
        d.level = override > 0 && override < 1 ? override : TargetLevel(terms, r);
        d.forecast = req.outlook->Quantile(i, r, d.level);
        const double target = std::clamp(std::max(d.forecast, options_.min_allocation[r]),
                                         terms.min[r], std::max(terms.min[r], terms.max[r]));
        d.target = target;
        if (terms.change[r] > 0.0 && target != cur && (options_.gate_grows || target < cur)) {
          const double benefit =
              seconds * (ExpectedProvisioningRate(*req.outlook, i, r, terms, cur,
                                                  options_.cost_points) -
                         ExpectedProvisioningRate(*req.outlook, i, r, terms, target,
                                                  options_.cost_points));
          if (benefit < terms.change[r]) d.target = cur;  // not worth a change
        }
      }
    }
  }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out) {
    out.Clear();
    if (absl::Status s = ValidateRequest(req); !s.ok()) return s;
    if (req.outlook == nullptr) {
      return absl::FailedPreconditionError("proactive allocation needs a demand outlook");
    }
    desires_.resize(req.users.size() * kNumResources);
    Recommend(req, desires_);
    internal::EmitWithinCapacity(req, desires_, out);
    return absl::OkStatus();
  }

 private:
  QuantileTargetOptions options_;
  std::vector<internal::Desire> desires_;
};
static_assert(Allocator<QuantileTarget> && SlotForgetting<QuantileTarget>);

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_QUANTILE_TARGET_HPP_
