// -----------------------------------------------------------------------------
// File: provisioner.hpp
// -----------------------------------------------------------------------------
//
// `NodeProvisioner` is seed 002's pre-allocation engine: how many nodes of
// each catalogue type (cost/node_catalogue.hpp) to add or remove so that the
// forecast aggregate demand at each type's provisioning lead time is covered
// at the SLA quantile, at minimum expected cost. A planning API of its own
// (it decides fleets, not per-user limits).
//
// For one horizon step the fleet n (nodes per type) is chosen to minimise
//
//   sum_t marginal price_t * n_t * period        (reserved nodes: 0, already paid)
//   + setup_cost_per_node * added nodes
//   + sum_r shortfall_cost[r] * E[(D_r - C_r)+] * period
//
// subject to P(C_r >= D_r) >= service_level for every resource, where D_r is
// the forecast demand (quantile curve) and C_r the fleet capacity, random
// when spot nodes are in it: each spot node survives the period with
// probability exp(-rate * period), so spot capacity is a sum of binomials and
// both the coverage and the expected shortfall are exact sums over it. Only
// types allowed by the proximity constraint (zone / region) are used; types
// whose provisioning lead exceeds the step stay as they are. The search is
// exhaustive over all but the last type, whose count is found by a scan (so
// exact) for up to `exact_max_types` adjustable types, greedy beyond.
//
// `Plan` is the rolling-horizon (model predictive control) form: it solves
// every step of the horizon, returns the trajectory, and the action to take
// now: for each type, the fleet needed at the step its lead time reaches;
// removals are held back while a later step of the horizon still needs the
// nodes. Re-plan every tick; only the first action is executed.
//
// | type   | name                | description                          | default |
// |--------|---------------------|--------------------------------------|---------|
// | int    | max_nodes_per_type  | search bound per unbounded type      | 64      |
// | int    | exact_max_types     | exhaustive search up to              | 4       |
// | double | setup_cost_per_node | cost of adding one node              | 0       |
// | int    | max_spot_outcomes   | support of the spot capacity         | 4096    |
#ifndef FORESIGHT_ALLOCATE_PROVISIONER_HPP_
#define FORESIGHT_ALLOCATE_PROVISIONER_HPP_

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/allocate/internal/quantile_curve.hpp"
#include "foresight/cost/node_catalogue.hpp"
#include "xtensor/xtensor.hpp"

namespace foresight {

// Forecast aggregate demand: for steps 1..H, quantiles per resource.
struct FleetDemand {
  absl::Duration step = absl::Minutes(5);
  std::vector<double> levels;
  xt::xtensor<double, 3> quantiles;  // steps x 4 x levels, non-decreasing in level

  std::size_t steps() const { return quantiles.dimension() == 3 ? quantiles.shape()[0] : 0; }
  internal::QuantileCurve Curve(std::size_t step_index, Resource r) const {
    const std::size_t q = levels.size();
    return {levels, std::span<const double>(
                        quantiles.data() + (step_index * kNumResources + Index(r)) * q, q)};
  }
};

struct ProvisionRequest {
  const NodeCatalogue* catalogue = nullptr;
  std::vector<int> current;  // nodes of each type running or ordered
  FleetDemand demand;
  double service_level = 0.99;
  ResourceVector shortfall_cost = ResourceVector::Filled(0.0);  // per unit-second
  std::string zone;
  std::string region;
  Proximity proximity = Proximity::kAnywhere;
};

struct FleetPlan {
  std::vector<int> nodes;     // per type
  double expected_cost = 0.0;  // over one step
  double price = 0.0;          // node price part of it
  double shortfall = 0.0;      // expected shortfall cost part of it
  double coverage = 0.0;       // min over resources of P(capacity >= demand)
  bool feasible = false;       // coverage >= service level
};

struct ProvisionDecision {
  std::vector<int> target;            // fleet to move to now (per type)
  std::vector<int> delta;             // target - current
  std::vector<FleetPlan> trajectory;  // optimal fleet at each horizon step
};

struct ProvisionerOptions {
  int max_nodes_per_type = 64;
  int exact_max_types = 4;
  double setup_cost_per_node = 0.0;
  int max_spot_outcomes = 4096;
};

class NodeProvisioner {
 public:
  NodeProvisioner() = default;
  explicit NodeProvisioner(ProvisionerOptions o) : options_(o) {}
  static std::string_view Name() { return "provisioner"; }
  const ProvisionerOptions& options() const { return options_; }

  absl::Status Validate(const ProvisionRequest& req) const {
    if (req.catalogue == nullptr || req.catalogue->size() == 0) {
      return absl::InvalidArgumentError("provisioning needs a non-empty node catalogue");
    }
    if (req.current.size() != req.catalogue->size()) {
      return absl::InvalidArgumentError("provisioning: `current` must list every node type");
    }
    for (std::size_t t = 0; t < req.current.size(); ++t) {
      if (req.current[t] < 0) return absl::InvalidArgumentError("negative node count");
    }
    if (!(req.service_level > 0 && req.service_level < 1)) {
      return absl::InvalidArgumentError("service level must be in (0, 1)");
    }
    if (!IsValidAmount(req.shortfall_cost)) {
      return absl::InvalidArgumentError("shortfall costs must be finite and non-negative");
    }
    const FleetDemand& d = req.demand;
    if (d.step <= absl::ZeroDuration() || d.levels.empty() || d.steps() == 0 ||
        d.quantiles.shape()[1] != kNumResources || d.quantiles.shape()[2] != d.levels.size()) {
      return absl::InvalidArgumentError("fleet demand must be steps x 4 x levels with a step > 0");
    }
    for (std::size_t k = 0; k < d.levels.size(); ++k) {
      if (!(d.levels[k] > 0 && d.levels[k] < 1) || (k > 0 && d.levels[k] <= d.levels[k - 1])) {
        return absl::InvalidArgumentError("fleet demand levels must ascend inside (0, 1)");
      }
    }
    for (std::size_t s = 0; s < d.steps(); ++s) {
      for (Resource r : kAllResources) {
        const auto c = d.Curve(s, r);
        for (std::size_t k = 0; k < c.values.size(); ++k) {
          if (!std::isfinite(c.values[k]) || c.values[k] < 0 ||
              (k > 0 && c.values[k] < c.values[k - 1])) {
            return absl::InvalidArgumentError(
                absl::StrCat("fleet demand at step ", s + 1, " is not finite and non-decreasing"));
          }
        }
      }
    }
    return absl::OkStatus();
  }

  // The cheapest feasible fleet for horizon step `step_index` (0-based), with
  // types that cannot change by then held at `fixed` (-1: free).
  absl::StatusOr<FleetPlan> SolveStep(const ProvisionRequest& req, std::size_t step_index,
                                      std::span<const int> fixed) const {
    if (absl::Status s = Validate(req); !s.ok()) return s;
    const NodeCatalogue& cat = *req.catalogue;
    const std::size_t nt = cat.size();
    std::vector<int> lo(nt, 0), hi(nt, 0);
    std::vector<std::size_t> free_types;
    for (std::size_t t = 0; t < nt; ++t) {
      const NodeType& type = cat[t];
      const bool allowed = NodeCatalogue::Allowed(type, req.zone, req.region, req.proximity);
      if (fixed[t] >= 0) {
        lo[t] = hi[t] = fixed[t];
      } else if (!allowed) {
        lo[t] = hi[t] = 0;
      } else {
        lo[t] = 0;
        hi[t] = type.max_count >= 0 ? type.max_count : options_.max_nodes_per_type;
        // No more than what would cover the top quantile alone (plus spot losses).
        int need = 0;
        for (Resource r : kAllResources) {
          if (type.capacity[r] <= 0) continue;
          const double top = req.demand.Curve(step_index, r).values.back();
          need = std::max(need, static_cast<int>(std::ceil(top / type.capacity[r])));
        }
        if (type.pricing == Pricing::kSpot) need = need * 2 + 2;
        hi[t] = std::min(hi[t], need + 1);
        if (hi[t] > lo[t]) free_types.push_back(t);
      }
    }
    FleetPlan best;
    best.expected_cost = std::numeric_limits<double>::infinity();
    std::vector<int> n(lo);
    auto consider = [&](const std::vector<int>& cand) {
      FleetPlan p = Evaluate(req, step_index, cand);
      const bool better = (p.feasible && !best.feasible) ||
                          (p.feasible == best.feasible &&
                           (p.feasible ? p.expected_cost < best.expected_cost
                                       : p.coverage > best.coverage + 1e-12 ||
                                             (std::abs(p.coverage - best.coverage) <= 1e-12 &&
                                              p.expected_cost < best.expected_cost)));
      if (better) best = std::move(p);
      return best.feasible;
    };
    if (free_types.empty()) {
      consider(n);
      return best;
    }
    if (static_cast<int>(free_types.size()) <= options_.exact_max_types) {
      // Exhaustive over all free types but the last; scan the last upward.
      const std::size_t last = free_types.back();
      std::vector<std::size_t> outer(free_types.begin(), free_types.end() - 1);
      std::vector<int> idx(outer.size(), 0);
      while (true) {
        for (std::size_t k = 0; k < outer.size(); ++k) n[outer[k]] = lo[outer[k]] + idx[k];
        double prev = std::numeric_limits<double>::infinity();
        for (int c = lo[last]; c <= hi[last]; ++c) {
          n[last] = c;
          const FleetPlan p = Evaluate(req, step_index, n);
          consider(n);
          // Once feasible, the cost is convex in this count: stop when it rises.
          if (p.feasible) {
            if (p.expected_cost > prev) break;
            prev = p.expected_cost;
          }
        }
        std::size_t k = 0;
        for (; k < outer.size(); ++k) {
          if (++idx[k] <= hi[outer[k]] - lo[outer[k]]) break;
          idx[k] = 0;
        }
        if (k == outer.size()) break;
      }
      return best;
    }
    // Greedy: add the node with the best coverage gain per price until
    // feasible, then drop nodes while that lowers the cost.
    FleetPlan cur = Evaluate(req, step_index, n);
    while (!cur.feasible) {
      double best_score = -1.0;
      std::size_t pick = nt;
      for (std::size_t t : free_types) {
        if (n[t] >= hi[t]) continue;
        ++n[t];
        const FleetPlan p = Evaluate(req, step_index, n);
        --n[t];
        const double gain = p.coverage - cur.coverage + 1e-12;
        const double score = gain / (NodeCatalogue::MarginalPricePerHour(cat[t]) + 1e-9);
        if (score > best_score) {
          best_score = score;
          pick = t;
        }
      }
      if (pick == nt) break;
      ++n[pick];
      cur = Evaluate(req, step_index, n);
    }
    bool improved = true;
    while (improved) {
      improved = false;
      for (std::size_t t : free_types) {
        if (n[t] <= lo[t]) continue;
        --n[t];
        const FleetPlan p = Evaluate(req, step_index, n);
        if (p.feasible && p.expected_cost < cur.expected_cost) {
          cur = p;
          improved = true;
        } else {
          ++n[t];
        }
      }
    }
    return cur;
  }

  // The rolling-horizon plan (see the file comment).
  absl::StatusOr<ProvisionDecision> Plan(const ProvisionRequest& req) const {
    if (absl::Status s = Validate(req); !s.ok()) return s;
    const NodeCatalogue& cat = *req.catalogue;
    const std::size_t nt = cat.size(), h = req.demand.steps();
    ProvisionDecision out;
    std::vector<int> fixed(nt, -1);
    for (std::size_t s = 0; s < h; ++s) {
      const absl::Duration at = req.demand.step * static_cast<std::int64_t>(s + 1);
      for (std::size_t t = 0; t < nt; ++t) {
        fixed[t] = cat[t].provisioning_lead > at ? req.current[t] : -1;
      }
      absl::StatusOr<FleetPlan> p = SolveStep(req, s, fixed);
      if (!p.ok()) return p.status();
      out.trajectory.push_back(*std::move(p));
    }
    out.target.assign(nt, 0);
    out.delta.assign(nt, 0);
    for (std::size_t t = 0; t < nt; ++t) {
      // The step at which an order placed now lands.
      std::size_t k = static_cast<std::size_t>(
          std::max<double>(1.0, std::ceil(absl::FDivDuration(cat[t].provisioning_lead,
                                                             req.demand.step) - 1e-9)));
      k = std::min(k, h) - 1;
      int want = out.trajectory[k].nodes[t];
      if (want < req.current[t]) {
        // Hold removals while a later step still needs the nodes.
        for (std::size_t s = k; s < h; ++s) want = std::max(want, out.trajectory[s].nodes[t]);
        want = std::min(want, req.current[t]);
      }
      out.target[t] = want;
      out.delta[t] = want - req.current[t];
    }
    return out;
  }

  // Cost and coverage of fleet `n` at horizon step `step_index`.
  FleetPlan Evaluate(const ProvisionRequest& req, std::size_t step_index,
                     std::span<const int> n) const {
    const NodeCatalogue& cat = *req.catalogue;
    const double hours = absl::ToDoubleHours(req.demand.step);
    const double seconds = absl::ToDoubleSeconds(req.demand.step);
    FleetPlan p;
    p.nodes.assign(n.begin(), n.end());
    ResourceVector fixed_cap;
    // Spot capacity distribution: (probability, capacity) outcomes.
    std::vector<std::pair<double, ResourceVector>> spot = {{1.0, ResourceVector{}}};
    for (std::size_t t = 0; t < cat.size(); ++t) {
      const NodeType& type = cat[t];
      p.price += NodeCatalogue::MarginalPricePerHour(type) * n[t] * hours;
      p.price += options_.setup_cost_per_node * std::max(0, n[t] - req.current[t]);
      if (type.pricing != Pricing::kSpot || n[t] == 0) {
        fixed_cap += type.capacity * static_cast<double>(n[t]);
        continue;
      }
      const double q = NodeCatalogue::InterruptionProbability(type, req.demand.step);
      // Binomial(n, 1 - q) survivors.
      std::vector<double> pmf(static_cast<std::size_t>(n[t]) + 1, 0.0);
      for (int k = 0; k <= n[t]; ++k) {
        pmf[static_cast<std::size_t>(k)] =
            std::exp(std::lgamma(n[t] + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n[t] - k + 1.0) +
                     k * std::log1p(-std::min(q, 1 - 1e-15)) +
                     (n[t] - k) * std::log(std::max(q, 1e-300)));
      }
      std::vector<std::pair<double, ResourceVector>> next;
      for (const auto& [pr, cap] : spot) {
        for (int k = 0; k <= n[t]; ++k) {
          const double w = pr * pmf[static_cast<std::size_t>(k)];
          if (w < 1e-15) continue;
          next.push_back({w, cap + type.capacity * static_cast<double>(k)});
        }
      }
      if (static_cast<int>(next.size()) > options_.max_spot_outcomes) {
        // Keep the most likely outcomes (renormalised).
        std::nth_element(next.begin(), next.begin() + options_.max_spot_outcomes, next.end(),
                         [](const auto& a, const auto& b) { return a.first > b.first; });
        next.resize(static_cast<std::size_t>(options_.max_spot_outcomes));
        double z = 0.0;
        for (const auto& o : next) z += o.first;
        for (auto& o : next) o.first /= z;
      }
      spot = std::move(next);
    }
    p.coverage = 1.0;
    for (Resource r : kAllResources) {
      const internal::QuantileCurve d = req.demand.Curve(step_index, r);
      double cover = 0.0, shortfall = 0.0;
      for (const auto& [pr, cap] : spot) {
        const double c = fixed_cap[r] + cap[r];
        cover += pr * d.Cdf(c);
        shortfall += pr * d.ExpectedShortfall(c);
      }
      p.coverage = std::min(p.coverage, cover);
      p.shortfall += req.shortfall_cost[r] * shortfall * seconds;
    }
    p.expected_cost = p.price + p.shortfall;
    p.feasible = p.coverage >= req.service_level - 1e-12;
    return p;
  }

 private:
  ProvisionerOptions options_;
};

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_PROVISIONER_HPP_
