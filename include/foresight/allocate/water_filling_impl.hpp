// -----------------------------------------------------------------------------
// File: water_filling_impl.hpp
// -----------------------------------------------------------------------------
//
// Bodies of `WaterFilling` (included at the bottom of water_filling.hpp).
#ifndef FORESIGHT_ALLOCATE_WATER_FILLING_IMPL_HPP_
#define FORESIGHT_ALLOCATE_WATER_FILLING_IMPL_HPP_

namespace foresight {

inline double WaterFilling::FillHost(const AllocationRequest& req,
                                     std::span<const std::uint32_t> members, Resource r,
                                     std::vector<double>& alloc, std::vector<double>& lambda_of) {
  const std::uint32_t host = req.users[members.front()].host;
  const double capacity = req.host_capacity[host][r] * (1.0 - internal::kCapacityHeadroom);
  order_.assign(members.begin(), members.end());
  if (strict_priority_) {
    std::stable_sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
      return req.costs[a].priority > req.costs[b].priority;
    });
  }
  double lo_below = 0.0;  // minimums of the classes not yet served
  for (std::uint32_t i : order_) lo_below += req.costs[i].min[r];
  double left = capacity;
  double top_lambda = 0.0;
  bool cut_seen = false;
  std::size_t begin = 0;
  while (begin < order_.size()) {
    std::size_t end = begin + 1;
    if (strict_priority_) {
      while (end < order_.size() &&
             req.costs[order_[end]].priority == req.costs[order_[begin]].priority) {
        ++end;
      }
    } else {
      end = order_.size();
    }
    double class_lo = 0.0;
    items_.clear();
    for (std::size_t k = begin; k < end; ++k) {
      const std::uint32_t i = order_[k];
      const CostTerms& t = req.costs[i];
      class_lo += t.min[r];
      items_.push_back({internal::CurveOf(req, i, r), t.under[r], t.over[r], t.min[r],
                        std::max(t.min[r], t.max[r])});
    }
    lo_below -= class_lo;
    const double avail = std::max(0.0, left - lo_below);
    item_alloc_.resize(items_.size());
    double lambda;
    if (avail < class_lo * (1.0 - 1e-9) - 1e-12) {
      // Not even the minimums fit: hand them out in order until nothing is left.
      double rest = avail;
      for (std::size_t k = 0; k < items_.size(); ++k) {
        item_alloc_[k] = std::min(items_[k].lo, rest);
        rest -= item_alloc_[k];
      }
      lambda = std::numeric_limits<double>::infinity();
    } else {
      lambda = solver_.Solve(items_, std::max(avail, class_lo), item_alloc_);
    }
    double used = 0.0;
    for (std::size_t k = 0; k < items_.size(); ++k) {
      alloc[order_[begin + k]] = item_alloc_[k];
      used += item_alloc_[k];
    }
    // A lambda of +inf (only minimums) is reported as the class's largest cu.
    double finite_lambda = lambda;
    if (!std::isfinite(lambda)) {
      finite_lambda = 0.0;
      for (const internal::FillItem& it : items_) finite_lambda = std::max(finite_lambda, it.cu);
    }
    // Classes below the first cut one yield to it: their capacity is worth
    // the cut class's lambda (marked negative so that Plan forces the move).
    for (std::size_t k = begin; k < end; ++k) {
      lambda_of[order_[k]] = cut_seen ? -top_lambda : finite_lambda;
    }
    if (lambda > 0.0 && !cut_seen) {
      top_lambda = finite_lambda;
      cut_seen = true;
    }
    left = std::max(0.0, left - used);
    begin = end;
  }
  return top_lambda;
}

inline absl::Status WaterFilling::Plan(const AllocationRequest& req, AllocationPlan& out) {
  out.Clear();
  if (absl::Status s = internal::ValidateDecisionRequest(req); !s.ok()) return s;
  const std::size_t n = req.users.size();
  const double window =
      absl::ToDoubleSeconds(std::max(benefit_window_, req.step));
  hosts_.Build(req);
  builder_.Reset();
  alloc_.assign(n, 0.0);
  lambda_of_.assign(n, 0.0);
  shadow_.assign(req.host_capacity.size(), ResourceVector{});
  const std::vector<ResourceVector> used = internal::UsedPerHost(req);
  for (std::size_t h = 0; h < hosts_.num_hosts(); ++h) {
    const auto members = hosts_.members(h);
    if (members.empty()) continue;
    for (Resource r : kAllResources) {
      shadow_[h][r] = FillHost(req, members, r, alloc_, lambda_of_);
      const bool over_capacity = used[h][r] > req.host_capacity[h][r];
      for (std::uint32_t i : members) {
        const CostTerms& t = req.costs[i];
        const double from = req.users[i].allocation[r];
        const double to = alloc_[i];
        const internal::QuantileCurve curve = internal::CurveOf(req, i, r);
        const double tau = TargetLevel(t, r);
        const double target_q = curve.Quantile(tau);
        const bool yields = lambda_of_[i] < 0.0;  // below a cut priority class
        const double lambda = std::abs(lambda_of_[i]);
        const double benefit =
            window * (curve.ExpectedCost(from, t.under[r], t.over[r]) -
                      curve.ExpectedCost(to, t.under[r], t.over[r]) + lambda * (from - to));
        const double cost = t.change[r];
        const bool out_of_bounds = from < t.min[r] || from > t.max[r];
        if (!(benefit > cost) && !out_of_bounds && !(over_capacity && to < from) &&
            !(yields && to < from)) {
          continue;
        }
        internal::Proposal p;
        p.index = i;
        p.resource = r;
        p.to = to;
        const bool cut = to + 1e-9 * std::max(1.0, to) < std::min(target_q, t.max[r]) &&
                         to > t.min[r] - 1e-12 && lambda > 0.0;
        p.reason = cut ? Reason::kCapacityShare
                       : (out_of_bounds && (to == t.min[r] || to == t.max[r]) ? Reason::kPolicy
                                                                              : Reason::kForecast);
        p.level = cut ? curve.Cdf(to) : tau;
        p.forecast = target_q;
        p.benefit = benefit;
        p.cost = cost;
        p.rank = t.priority;
        p.force = out_of_bounds || (yields && to < from);
        builder_.Propose(p);
      }
    }
  }
  builder_.Emit(req, out, min_relative_change_);
  return absl::OkStatus();
}

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_WATER_FILLING_IMPL_HPP_
