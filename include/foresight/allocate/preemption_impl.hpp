// -----------------------------------------------------------------------------
// File: preemption_impl.hpp
// -----------------------------------------------------------------------------
//
// Bodies of `WithPreemption` (included at the bottom of preemption.hpp).
#ifndef FORESIGHT_ALLOCATE_PREEMPTION_IMPL_HPP_
#define FORESIGHT_ALLOCATE_PREEMPTION_IMPL_HPP_

#include "foresight/core/status.hpp"

namespace foresight {

namespace internal {
inline bool Covers(const ResourceVector& freed, const ResourceVector& need) {
  for (Resource r : kAllResources) {
    if (need[r] > 0.0 && freed[r] < need[r] * (1.0 - 1e-12)) return false;
  }
  return true;
}
}  // namespace internal

template <Allocator BaseT>
bool WithPreemption<BaseT>::ChooseVictims(const std::vector<std::uint32_t>& cand,
                                          const ResourceVector& need,
                                          const std::vector<ResourceVector>& holds,
                                          const std::vector<double>& cost,
                                          std::vector<std::uint32_t>& chosen) const {
  chosen.clear();
  const std::size_t m = cand.size();
  if (m == 0) return false;
  if (m <= static_cast<std::size_t>(options_.exact_max_candidates)) {
    double best = std::numeric_limits<double>::infinity();
    int best_count = 0;
    std::uint32_t best_mask = 0;
    for (std::uint32_t mask = 1; mask < (1u << m); ++mask) {
      ResourceVector freed;
      double c = 0.0;
      int count = 0;
      for (std::size_t k = 0; k < m; ++k) {
        if (mask & (1u << k)) {
          freed += holds[cand[k]];
          c += cost[cand[k]];
          ++count;
        }
      }
      if (!internal::Covers(freed, need)) continue;
      if (c < best || (c == best && count < best_count)) {
        best = c;
        best_count = count;
        best_mask = mask;
      }
    }
    if (best_mask == 0) return false;
    for (std::size_t k = 0; k < m; ++k) {
      if (best_mask & (1u << k)) chosen.push_back(cand[k]);
    }
    return true;
  }
  // Greedy by cost per unit of covered (normalised) need, then prune.
  std::vector<std::uint32_t> order(cand);
  auto coverage = [&](std::uint32_t j) {
    double c = 0.0;
    for (Resource r : kAllResources) {
      if (need[r] > 0.0) c += std::min(holds[j][r], need[r]) / need[r];
    }
    return c;
  };
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return cost[a] * coverage(b) < cost[b] * coverage(a);
  });
  ResourceVector freed;
  for (std::uint32_t j : order) {
    if (internal::Covers(freed, need)) break;
    if (coverage(j) <= 0.0) continue;
    chosen.push_back(j);
    freed += holds[j];
  }
  if (!internal::Covers(freed, need)) {
    chosen.clear();
    return false;
  }
  std::sort(chosen.begin(), chosen.end(), [&](std::uint32_t a, std::uint32_t b) {
    return cost[a] > cost[b];
  });
  for (std::size_t k = 0; k < chosen.size();) {
    if (internal::Covers(freed - holds[chosen[k]], need)) {
      freed -= holds[chosen[k]];
      chosen.erase(chosen.begin() + static_cast<std::ptrdiff_t>(k));
    } else {
      ++k;
    }
  }
  return true;
}

template <Allocator BaseT>
absl::Status WithPreemption<BaseT>::Plan(const AllocationRequest& req, AllocationPlan& out) {
  out.Clear();
  FORESIGHT_RETURN_IF_ERROR(internal::ValidateDecisionRequest(req));
  FORESIGHT_RETURN_IF_ERROR(base_.Plan(req, base_plan_));
  orders_.clear();
  const std::size_t n = req.users.size();
  std::vector<ResourceVector> fin(n);
  for (std::size_t i = 0; i < n; ++i) fin[i] = req.users[i].allocation;
  std::vector<std::int32_t> base_move(n * kNumResources, -1);
  for (std::size_t k = 0; k < base_plan_.moves.size(); ++k) {
    const Move& m = base_plan_.moves[k];
    if (m.index >= n || (m.kind != MoveKind::kResize && m.kind != MoveKind::kPreempt)) continue;
    fin[m.index][m.resource] = m.to;
    base_move[m.index * kNumResources + Index(m.resource)] = static_cast<std::int32_t>(k);
  }
  absl::flat_hash_map<UserId, std::uint32_t> index_of;
  index_of.reserve(n);
  for (std::size_t i = 0; i < n; ++i) index_of[req.users[i].user] = static_cast<std::uint32_t>(i);
  // Pending warnings whose victim or needer left, or moved host, are dropped.
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto v = index_of.find(it->second.victim);
    auto u = index_of.find(it->second.for_user);
    const bool gone = v == index_of.end() || u == index_of.end() ||
                      req.users[v->second].host != it->second.host ||
                      req.users[u->second].host != it->second.host;
    if (gone) {
      pending_.erase(it++);
    } else {
      ++it;
    }
  }
  std::vector<char> victim(n, 0), helped(n, 0);
  std::vector<double> pcost(n, 0.0);
  std::vector<ResourceVector> grant(n), holds(n);
  std::vector<double> order_benefit(n, 0.0);
  std::vector<std::uint32_t> needers, cand, chosen, expired;
  hosts_.Build(req);
  for (std::size_t h = 0; h < hosts_.num_hosts(); ++h) {
    const auto members = hosts_.members(h);
    if (members.empty()) continue;
    const ResourceVector& cap = req.host_capacity[h];
    ResourceVector free = cap;
    for (std::uint32_t i : members) free -= fin[i];
    needers.clear();
    for (std::uint32_t i : members) {
      ResourceVector need;
      bool any = false;
      for (Resource r : kAllResources) {
        need[r] = std::max(0.0, internal::TargetAllocation(req, i, r) - fin[i][r]);
        any = any || need[r] > options_.dead_zone * cap[r];
      }
      holds[i] = need;  // temporarily: the need
      if (any) needers.push_back(i);
    }
    std::stable_sort(needers.begin(), needers.end(), [&](std::uint32_t a, std::uint32_t b) {
      return req.costs[a].priority > req.costs[b].priority;
    });
    std::vector<ResourceVector> needs(needers.size());
    for (std::size_t k = 0; k < needers.size(); ++k) needs[k] = holds[needers[k]];
    for (std::uint32_t j : members) holds[j] = fin[j];
    for (std::size_t k = 0; k < needers.size(); ++k) {
      const std::uint32_t i = needers[k];
      if (victim[i]) continue;
      // What free capacity can meet; the rest is the shortfall.
      ResourceVector claim, s;
      bool short_any = false;
      for (Resource r : kAllResources) {
        claim[r] = std::clamp(free[r], 0.0, needs[k][r]);
        s[r] = needs[k][r] - claim[r];
        if (s[r] <= options_.dead_zone * cap[r]) s[r] = 0.0;
        short_any = short_any || s[r] > 0.0;
      }
      free -= claim;
      if (!short_any) continue;
      const double pi = req.costs[i].priority;
      // Warned victims for this need whose grace is over go first.
      expired.clear();
      bool waiting = false;
      for (const auto& [id, o] : pending_) {
        if (o.for_user != req.users[i].user) continue;
        if (o.effective <= req.now) {
          expired.push_back(index_of[id]);
        } else {
          waiting = true;
        }
      }
      chosen.clear();
      double benefit = 0.0;
      auto benefit_of = [&](const std::vector<std::uint32_t>& set) {
        ResourceVector freed;
        for (std::uint32_t j : set) freed += holds[j];
        double b = 0.0;
        for (Resource r : kAllResources) {
          if (s[r] <= 0.0) continue;
          const internal::QuantileCurve curve = internal::CurveOf(req, i, r);
          const double p_short = 1.0 - curve.Cdf(fin[i][r] + claim[r]);
          b += FreedCapacityBenefit(p_short, std::min(s[r], freed[r]), req.costs[i].under[r],
                                    req.step);
        }
        return b;
      };
      auto cost_of = [&](std::uint32_t j) {
        PreemptionContext ctx;
        ctx.now = req.now;
        ctx.mode = options_.mode;
        ctx.grace = options_.grace;
        ctx.displacement = req.step;
        ctx.restart_overhead = options_.restart_overhead;
        ctx.allocation = req.users[j].allocation;
        ctx.job = jobs_.Get(req.users[j].user, req.now);
        return PreemptionCostOf(req.costs[j], ctx);
      };
      if (!expired.empty()) {
        chosen = expired;
        for (std::uint32_t j : chosen) pending_.erase(req.users[j].user);
        benefit = benefit_of(chosen);
      } else if (waiting) {
        continue;
      } else {
        cand.clear();
        for (std::uint32_t j : members) {
          if (victim[j] || j == i || req.costs[j].priority >= pi - options_.min_priority_gap ||
              pending_.contains(req.users[j].user)) {
            continue;
          }
          bool useful = false;
          for (Resource r : kAllResources) useful = useful || (s[r] > 0.0 && holds[j][r] > 0.0);
          if (!useful) continue;
          pcost[j] = cost_of(j).total;
          cand.push_back(j);
        }
        if (!ChooseVictims(cand, s, holds, pcost, chosen)) continue;
        benefit = benefit_of(chosen);
        double total = 0.0;
        for (std::uint32_t j : chosen) total += pcost[j];
        if (!(benefit > total)) continue;
        if (options_.grace > absl::ZeroDuration()) {
          for (std::uint32_t j : chosen) {
            PreemptionOrder o;
            o.victim = req.users[j].user;
            o.for_user = req.users[i].user;
            o.host = static_cast<std::uint32_t>(h);
            o.mode = options_.mode;
            o.announced = req.now;
            o.effective = req.now + options_.grace;
            o.cost = pcost[j];
            o.benefit = benefit;
            o.shortfall = s;
            o.freed = holds[j];
            o.breakdown = cost_of(j);
            pending_[o.victim] = o;
          }
          continue;
        }
      }
      // Preempt now: victims free everything they hold; the needer takes its
      // claim from free capacity plus what the victims freed.
      for (std::uint32_t j : chosen) {
        victim[j] = 1;
        const PreemptionCostBreakdown bd = cost_of(j);
        pcost[j] = bd.total;
        PreemptionOrder o;
        o.victim = req.users[j].user;
        o.for_user = req.users[i].user;
        o.host = static_cast<std::uint32_t>(h);
        o.mode = options_.mode;
        o.announced = req.now;
        o.effective = req.now;
        o.cost = bd.total;
        o.benefit = benefit;
        o.shortfall = s;
        o.freed = holds[j];
        o.breakdown = bd;
        orders_.push_back(o);
        order_benefit[j] = benefit;
        free += fin[j];
        fin[j] = ResourceVector{};
        holds[j] = ResourceVector{};
      }
      ResourceVector take;
      for (Resource r : kAllResources) {
        take[r] = std::clamp(free[r], 0.0, s[r]);
      }
      free -= take;
      grant[i] = claim + take;
      helped[i] = 1;
      order_benefit[i] = benefit;
    }
  }
  // Emit: victims' preemptions, the helped users' grows, the base plan's other moves.
  builder_.Reset();
  for (std::size_t i = 0; i < n; ++i) {
    bool first = true;
    for (Resource r : kAllResources) {
      const std::int32_t bm = base_move[i * kNumResources + Index(r)];
      internal::Proposal p;
      p.index = static_cast<std::uint32_t>(i);
      p.resource = r;
      p.rank = req.costs[i].priority;
      p.force = true;
      if (victim[i]) {
        if (req.users[i].allocation[r] <= 0.0) continue;
        p.kind = MoveKind::kPreempt;
        p.reason = Reason::kPreemption;
        p.to = 0.0;
        p.cost = first ? pcost[i] : 0.0;
        p.benefit = first ? order_benefit[i] : 0.0;
        first = false;
      } else if (helped[i] && grant[i][r] > 0.0) {
        p.to = fin[i][r] + grant[i][r];
        p.reason = Reason::kPreemption;
        double level = 0.0, forecast = 0.0;
        internal::TargetAllocation(req, i, r, &level, &forecast);
        p.level = level;
        p.forecast = forecast;
        p.benefit = order_benefit[i];
      } else if (bm >= 0) {
        const Move& m = base_plan_.moves[static_cast<std::size_t>(bm)];
        p.kind = m.kind;
        p.to = m.to;
        internal::CopyExplanation(m, p);
      } else {
        continue;
      }
      builder_.Propose(p);
    }
  }
  builder_.Emit(req, out, 0.0);
  return absl::OkStatus();
}

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_PREEMPTION_IMPL_HPP_
