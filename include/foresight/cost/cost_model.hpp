// -----------------------------------------------------------------------------
// File: cost_model.hpp
// -----------------------------------------------------------------------------
//
// `CostModel` is the role that prices decisions for one user: the cost per
// resource-second of under-provision (demand above allocation) and of
// over-provision (allocation above demand), the cost of one change, and the
// user's priority. From these the cost-minimising allocation is the newsvendor
// quantile `cu / (cu + co)` of forecast demand (`TargetLevel`).
//
// Requirements:   CostTerms Terms(UserId) const;
//                 static std::string_view Name();
// Optional:       double PreemptionCost(UserId, const PreemptionContext&) const;
// Shipped:        LinearCost (foundation); the decision-engine module adds SlaCost.
#ifndef FORESIGHT_COST_COST_MODEL_HPP_
#define FORESIGHT_COST_COST_MODEL_HPP_

#include <algorithm>
#include <concepts>
#include <string_view>

#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"

namespace foresight {

// Prices for one user, per resource. `under` and `over` are per unit-second of
// the resource (a core-second, a byte-second, ...); `change` is per change of
// that resource's limit. `priority` orders users when capacity is short (higher
// wins); `min` and `max` bound the allocation.
struct CostTerms {
  ResourceVector under = ResourceVector::Filled(1.0);
  ResourceVector over = ResourceVector::Filled(0.1);
  ResourceVector change = ResourceVector::Filled(0.0);
  double priority = 1.0;
  ResourceVector min = ResourceVector::Filled(0.0);
  ResourceVector max = ResourceVector::Filled(1e300);
};

// The newsvendor service level for resource `r`: cu / (cu + co), in [0, 1].
inline double TargetLevel(const CostTerms& t, Resource r) {
  const double cu = t.under[r], co = t.over[r];
  if (cu + co <= 0.0) return 0.5;
  return std::clamp(cu / (cu + co), 0.0, 1.0);
}

// Cost of holding `allocation` for `seconds` while demand was `demand`.
inline double ProvisioningCost(const CostTerms& t, Resource r, double allocation, double demand,
                               double seconds) {
  const double gap = demand - allocation;
  return seconds * (gap > 0 ? t.under[r] * gap : -t.over[r] * gap);
}

template <typename C>
concept CostModel = requires(const C c, UserId user) {
  { c.Terms(user) } -> std::same_as<CostTerms>;
  { C::Name() } -> std::convertible_to<std::string_view>;
};

}  // namespace foresight

#endif  // FORESIGHT_COST_COST_MODEL_HPP_
