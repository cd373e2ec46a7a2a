// -----------------------------------------------------------------------------
// File: proactive_donor_impl.hpp
// -----------------------------------------------------------------------------
//
// Bodies of `ProactiveDonor` (included at the bottom of proactive_donor.hpp).
#ifndef FORESIGHT_ALLOCATE_PROACTIVE_DONOR_IMPL_HPP_
#define FORESIGHT_ALLOCATE_PROACTIVE_DONOR_IMPL_HPP_

namespace foresight {

inline absl::Status ProactiveDonor::Plan(const AllocationRequest& req, AllocationPlan& out) {
  out.Clear();
  if (absl::Status s = internal::ValidateDecisionRequest(req); !s.ok()) return s;
  const double window =
      absl::ToDoubleSeconds(std::max(benefit_window_, req.step));
  hosts_.Build(req);
  builder_.Reset();
  last_transfers_ = 0;
  const std::vector<ResourceVector> used = internal::UsedPerHost(req);
  auto ec = [&](std::uint32_t i, Resource r, double a) {
    const CostTerms& t = req.costs[i];
    return window * internal::CurveOf(req, i, r).ExpectedCost(a, t.under[r], t.over[r]);
  };
  for (std::size_t h = 0; h < hosts_.num_hosts(); ++h) {
    const auto members = hosts_.members(h);
    if (members.empty()) continue;
    for (Resource r : kAllResources) {
      receivers_.clear();
      donors_.clear();
      const double cap = req.host_capacity[h][r];
      double free = cap - used[h][r];
      bool contended = false;
      if (share_when_contended_) {
        double sum = 0.0;
        for (std::uint32_t i : members) sum += internal::TargetAllocation(req, i, r);
        contended = sum > cap;
        if (contended) {
          share_.resize(req.users.size());
          share_lambda_.resize(req.users.size());
          shares_.FillHost(req, members, r, share_, share_lambda_);
        }
      }
      for (std::uint32_t i : members) {
        const double a = req.users[i].allocation[r];
        const double target =
            contended ? share_[i] : internal::TargetAllocation(req, i, r);
        const CostTerms& t = req.costs[i];
        if (target > a) {
          // Key: expected gain per unit of reaching the target.
          const double gain = (ec(i, r, a) - ec(i, r, target)) / (target - a);
          receivers_.push_back({i, a, target, gain});
        } else if (a > target) {
          donors_.push_back({i, a, target, t.change[r]});
        }
      }
      std::sort(receivers_.begin(), receivers_.end(), [&](const Party& x, const Party& y) {
        const double px = req.costs[x.index].priority, py = req.costs[y.index].priority;
        if (px != py) return px > py;
        return x.key > y.key;
      });
      std::sort(donors_.begin(), donors_.end(), [&](const Party& x, const Party& y) {
        if (x.key != y.key) return x.key < y.key;
        const double px = req.costs[x.index].priority, py = req.costs[y.index].priority;
        if (px != py) return px < py;
        return x.alloc - x.target > y.alloc - y.target;
      });
      // Over-committed host: donors must give back first, whatever it costs.
      std::size_t d = 0;
      if (free < 0.0) {
        for (Party& don : donors_) {
          if (free >= 0.0) break;
          const double give = std::min(don.alloc - don.target, -free);
          don.benefit += ec(don.index, r, don.alloc) - ec(don.index, r, don.alloc - give);
          don.alloc -= give;
          don.changed = true;
          free += give;
        }
      }
      for (Party& rec : receivers_) {
        const CostTerms& tr = req.costs[rec.index];
        const double tol = min_transfer_ * std::max(rec.target, 1e-300);
        // 1. Free capacity.
        if (free > tol) {
          const double x = std::min(free, rec.target - rec.alloc);
          const double benefit = ec(rec.index, r, rec.alloc) - ec(rec.index, r, rec.alloc + x);
          const double cost = rec.changed ? 0.0 : tr.change[r];
          if (x > tol && benefit > cost) {
            rec.alloc += x;
            rec.benefit += benefit;
            rec.cost += cost;
            rec.changed = true;
            free -= x;
          }
        }
        // 2. Transfers from donors.
        while (rec.target - rec.alloc > tol && d < donors_.size()) {
          Party& don = donors_[d];
          const double excess = don.alloc - don.target;
          if (excess <= tol) {
            ++d;
            continue;
          }
          const double x = std::min(excess, rec.target - rec.alloc);
          const double gain_r = ec(rec.index, r, rec.alloc) - ec(rec.index, r, rec.alloc + x);
          const double delta_d = ec(don.index, r, don.alloc - x) - ec(don.index, r, don.alloc);
          const double benefit = gain_r + std::max(0.0, -delta_d);
          const double cost = (rec.changed ? 0.0 : tr.change[r]) +
                              (don.changed ? 0.0 : req.costs[don.index].change[r]) +
                              std::max(0.0, delta_d);
          if (!(benefit > cost)) {
            // The cheapest donor is not worth it for this receiver; a cheaper
            // one does not exist, so this receiver stops here.
            break;
          }
          rec.alloc += x;
          don.alloc -= x;
          rec.benefit += benefit;
          rec.cost += cost;
          don.benefit += benefit;
          don.cost += cost;
          rec.changed = don.changed = true;
          rec.transferred = don.transferred = true;
          ++last_transfers_;
        }
      }
      auto propose = [&](const Party& p, Reason reason) {
        internal::Proposal prop;
        prop.index = p.index;
        prop.resource = r;
        prop.to = p.alloc;
        prop.reason = reason;
        double level = 0.0, forecast = 0.0;
        internal::TargetAllocation(req, p.index, r, &level, &forecast);
        prop.level = level;
        prop.forecast = forecast;
        prop.benefit = p.benefit;
        prop.cost = p.cost;
        prop.rank = req.costs[p.index].priority;
        prop.force = true;  // already filtered by benefit > cost
        builder_.Propose(prop);
      };
      for (const Party& rec : receivers_) {
        if (rec.changed) propose(rec, rec.transferred ? Reason::kTransfer : Reason::kForecast);
      }
      for (Party& don : donors_) {
        if (don.changed) {
          propose(don, don.transferred ? Reason::kTransfer : Reason::kCapacityShare);
        } else if (release_excess_) {
          const double gain = ec(don.index, r, don.alloc) - ec(don.index, r, don.target);
          const double cost = req.costs[don.index].change[r];
          if (gain > cost &&
              don.alloc - don.target > min_transfer_ * std::max(don.target, 1e-300)) {
            don.benefit = gain;
            don.cost = cost;
            don.alloc = don.target;
            propose(don, Reason::kForecast);
          }
        }
      }
    }
  }
  builder_.Emit(req, out, 0.0);
  return absl::OkStatus();
}

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_PROACTIVE_DONOR_IMPL_HPP_
