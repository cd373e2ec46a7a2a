// -----------------------------------------------------------------------------
// File: sla_cost.hpp
// -----------------------------------------------------------------------------
//
// `SlaCost` prices users from their service-level agreement: a priority, an
// SLA percentile of demand to cover and a latency class, plus per-resource
// prices of under-provision, over-provision and change. `Terms` returns
//
//   under  = under_price * priority * latency multiplier (batch 0.25,
//            standard 1, interactive 4 by default)
//   over   = over_price, or, when the SLA names a percentile p, the price that
//            makes the newsvendor level cu / (cu + co) equal p:
//            over = under * (1 - p) / p
//   change = change_price;  min / max from the agreement
//
// so `TargetLevel(Terms(u), r)` is the SLA percentile when one is given and
// the newsvendor quantile of the prices otherwise. `PreemptionCost` prices
// preempting the user (cost/preemption.hpp) with these terms.
//
// | type         | name            | description                          | default |
// |--------------|-----------------|--------------------------------------|---------|
// | SlaAgreement | default_agreement | agreement of users without their own | LinearCost's standard prices, standard latency, no percentile |
// | PerResource<double> via set_latency_multiplier | latency multipliers | batch / standard / interactive | 0.25 / 1 / 4 |
#ifndef FORESIGHT_COST_SLA_COST_HPP_
#define FORESIGHT_COST_SLA_COST_HPP_

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "foresight/cost/cost_model.hpp"
#include "foresight/cost/linear_cost.hpp"
#include "foresight/cost/preemption.hpp"

namespace foresight {

enum class LatencyClass : std::uint8_t { kBatch, kStandard, kInteractive };

constexpr std::string_view LatencyClassName(LatencyClass c) {
  constexpr std::string_view kNames[] = {"batch", "standard", "interactive"};
  return kNames[static_cast<int>(c)];
}

struct SlaAgreement {
  double priority = 1.0;
  double percentile = 0.0;  // demand percentile to cover, in (0, 1); 0 = from the prices
  LatencyClass latency = LatencyClass::kStandard;
  ResourceVector under_price = LinearCost::StandardTerms().under;
  ResourceVector over_price = LinearCost::StandardTerms().over;
  ResourceVector change_price = ResourceVector::Filled(0.0);
  ResourceVector min = ResourceVector::Filled(0.0);
  ResourceVector max = ResourceVector::Filled(1e300);
};

class SlaCost {
 public:
  static std::string_view Name() { return "sla"; }

  const SlaAgreement& default_agreement() const { return default_; }
  absl::Status set_default_agreement(const SlaAgreement& a) {
    if (absl::Status s = Validate(a); !s.ok()) return s;
    default_ = a;
    return absl::OkStatus();
  }
  absl::Status SetUser(UserId user, const SlaAgreement& a) {
    if (absl::Status s = Validate(a); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(ToString(user), ": ", s.message()));
    }
    users_[user] = a;
    return absl::OkStatus();
  }
  const SlaAgreement& Agreement(UserId user) const {
    auto it = users_.find(user);
    return it == users_.end() ? default_ : it->second;
  }

  double latency_multiplier(LatencyClass c) const { return multipliers_[static_cast<int>(c)]; }
  absl::Status set_latency_multiplier(LatencyClass c, double m) {
    if (!std::isfinite(m) || m <= 0.0) {
      return absl::InvalidArgumentError("latency multiplier must be finite and positive");
    }
    multipliers_[static_cast<int>(c)] = m;
    return absl::OkStatus();
  }

  CostTerms Terms(UserId user) const {
    const SlaAgreement& a = Agreement(user);
    CostTerms t;
    t.priority = a.priority;
    t.under = a.under_price * (a.priority * latency_multiplier(a.latency));
    t.over = a.over_price;
    if (a.percentile > 0.0) t.over = t.under * ((1.0 - a.percentile) / a.percentile);
    t.change = a.change_price;
    t.min = a.min;
    t.max = a.max;
    return t;
  }

  // The service level the allocators will target for `user` and `r`.
  double TargetServiceLevel(UserId user, Resource r) const { return TargetLevel(Terms(user), r); }

  double PreemptionCost(UserId user, const PreemptionContext& ctx) const {
    return PreemptionCostOf(Terms(user), ctx).total;
  }

  static absl::Status Validate(const SlaAgreement& a) {
    if (!std::isfinite(a.priority) || a.priority <= 0.0) {
      return absl::InvalidArgumentError("SLA priority must be finite and positive");
    }
    if (!(a.percentile == 0.0 || (a.percentile > 0.0 && a.percentile < 1.0))) {
      return absl::InvalidArgumentError(
          absl::StrCat("SLA percentile ", a.percentile, " must be in (0, 1) (or 0 for none)"));
    }
    if (static_cast<int>(a.latency) > 2) return absl::InvalidArgumentError("unknown latency class");
    if (!IsValidAmount(a.under_price) || !IsValidAmount(a.over_price) ||
        !IsValidAmount(a.change_price)) {
      return absl::InvalidArgumentError("SLA prices must be finite and non-negative");
    }
    for (Resource r : kAllResources) {
      if (!(a.min[r] >= 0.0) || !(a.max[r] >= a.min[r])) {
        return absl::InvalidArgumentError(absl::StrCat("impossible SLA bounds for ",
                                                       Sv(ResourceName(r)), ": min ", a.min[r],
                                                       " > max ", a.max[r]));
      }
    }
    return absl::OkStatus();
  }

 private:
  SlaAgreement default_;
  std::array<double, 3> multipliers_ = {0.25, 1.0, 4.0};
  absl::flat_hash_map<UserId, SlaAgreement> users_;
};
static_assert(CostModel<SlaCost>);

}  // namespace foresight

#endif  // FORESIGHT_COST_SLA_COST_HPP_
