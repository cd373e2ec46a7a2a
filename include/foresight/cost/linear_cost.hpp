// -----------------------------------------------------------------------------
// File: linear_cost.hpp
// -----------------------------------------------------------------------------
//
// `LinearCost` prices under- and over-provision linearly per resource-second,
// with per-user overrides of every term and a priority that scales the
// under-provision cost (a priority-2 user's shortfall costs twice as much).
//
//   LinearCost cost;                                   // defaults for everyone
//   cost.set_default_terms(terms);
//   FORESIGHT_RETURN_IF_ERROR(cost.SetUser(UserId{7}, vip_terms));
//
// | type      | name          | description                              | default |
// |-----------|---------------|------------------------------------------|---------|
// | CostTerms | default_terms | terms of users without their own         | see below |
//
// Default terms, per unit-second: under = 1 per core, 1 per GiB of memory,
// 1 per 100 MiB/s of io and net; over = 0.2 of that for cpu (target level
// 0.833: throttling slows work), 0.1 for io and net (0.909) and 0.01 for
// memory (0.990: an OOM kill loses work);
// change = 30 unit-seconds of under-provision; priority 1.
#ifndef FORESIGHT_COST_LINEAR_COST_HPP_
#define FORESIGHT_COST_LINEAR_COST_HPP_

#include <cmath>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "foresight/cost/cost_model.hpp"

namespace foresight {

class LinearCost {
 public:
  static CostTerms StandardTerms() {
    CostTerms t;
    constexpr double kGiB = 1024.0 * 1024 * 1024;
    constexpr double k100MiB = 100.0 * 1024 * 1024;
    t.under = MakeResources(1.0, 1.0 / kGiB, 1.0 / k100MiB, 1.0 / k100MiB);
    // An OOM kill loses work, a throttled core only slows it: memory's
    // under-provision is priced 100x its over-provision, cpu's 5x.
    t.over = t.under * MakeResources(0.2, 0.01, 0.1, 0.1);
    // A change costs what 30 s of one unit of shortfall would.
    t.change = t.under * 30.0;
    return t;
  }

  LinearCost() : default_terms_(StandardTerms()) {}
  explicit LinearCost(CostTerms default_terms) : default_terms_(default_terms) {}

  static std::string_view Name() { return "linear"; }

  CostTerms Terms(UserId user) const {
    auto it = users_.find(user);
    CostTerms t = it == users_.end() ? default_terms_ : it->second;
    t.under = t.under * t.priority;
    return t;
  }

  const CostTerms& default_terms() const { return default_terms_; }
  absl::Status set_default_terms(const CostTerms& t) {
    if (absl::Status s = Validate(t); !s.ok()) return s;
    default_terms_ = t;
    return absl::OkStatus();
  }
  absl::Status SetUser(UserId user, const CostTerms& t) {
    if (absl::Status s = Validate(t); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(ToString(user), ": ", s.message()));
    }
    users_[user] = t;
    return absl::OkStatus();
  }

  static absl::Status Validate(const CostTerms& t) {
    if (!IsValidAmount(t.under) || !IsValidAmount(t.over) || !IsValidAmount(t.change)) {
      return absl::InvalidArgumentError("cost terms must be finite and non-negative");
    }
    if (!std::isfinite(t.priority) || t.priority <= 0.0) {
      return absl::InvalidArgumentError("priority must be finite and positive");
    }
    for (Resource r : kAllResources) {
      if (!(t.min[r] >= 0.0) || !(t.max[r] >= t.min[r])) {
        return absl::InvalidArgumentError(
            absl::StrCat("impossible bounds for ", Sv(ResourceName(r)), ": min ", t.min[r],
                         " > max ", t.max[r]));
      }
    }
    return absl::OkStatus();
  }

 private:
  CostTerms default_terms_;
  absl::flat_hash_map<UserId, CostTerms> users_;
};
static_assert(CostModel<LinearCost>);

}  // namespace foresight

#endif  // FORESIGHT_COST_LINEAR_COST_HPP_
