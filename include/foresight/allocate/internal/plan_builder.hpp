// -----------------------------------------------------------------------------
// File: internal/plan_builder.hpp
// -----------------------------------------------------------------------------
//
// The last step of every decision-engine allocator. Allocators `Propose` the
// limit they want for a (user, resource) with the numbers behind it; `Emit`
// writes the plan: preemptions first, then shrinks, then grows in descending
// `rank` (priority), each grow clipped to the capacity its host has free at
// that point. Capacity is therefore never exceeded at any step, whatever the
// allocator proposed, and a clipped grow is marked `Reason::kCapacityShare`.
//
// `HostIndex` groups the users of a request by host (CSR layout, O(n)).
#ifndef FORESIGHT_ALLOCATE_INTERNAL_PLAN_BUILDER_HPP_
#define FORESIGHT_ALLOCATE_INTERNAL_PLAN_BUILDER_HPP_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/plan.hpp"

namespace foresight::internal {

// Users of a request grouped by host: members(h) lists their indices.
class HostIndex {
 public:
  void Build(const AllocationRequest& req) {
    const std::size_t hosts = req.host_capacity.size();
    offsets_.assign(hosts + 1, 0);
    for (const UserObservation& u : req.users) ++offsets_[u.host + 1];
    for (std::size_t h = 0; h < hosts; ++h) offsets_[h + 1] += offsets_[h];
    members_.resize(req.users.size());
    std::vector<std::uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
    for (std::size_t i = 0; i < req.users.size(); ++i) {
      members_[fill[req.users[i].host]++] = static_cast<std::uint32_t>(i);
    }
  }
  std::size_t num_hosts() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::span<const std::uint32_t> members(std::size_t h) const {
    return std::span<const std::uint32_t>(members_).subspan(offsets_[h],
                                                            offsets_[h + 1] - offsets_[h]);
  }

 private:
  std::vector<std::uint32_t> offsets_;
  std::vector<std::uint32_t> members_;
};

// Sum of current allocations per host, into `used` (its storage reused).
inline void UsedPerHost(const AllocationRequest& req, std::vector<ResourceVector>& used) {
  used.assign(req.host_capacity.size(), ResourceVector{});
  for (const UserObservation& u : req.users) used[u.host] += u.allocation;
}
inline std::vector<ResourceVector> UsedPerHost(const AllocationRequest& req) {
  std::vector<ResourceVector> used;
  UsedPerHost(req, used);
  return used;
}

// Relative headroom every grow leaves below a host's capacity.
inline constexpr double kCapacityHeadroom = 1e-9;

struct Proposal {
  std::uint32_t index = 0;
  Resource resource = Resource::kCpu;
  MoveKind kind = MoveKind::kResize;
  Reason reason = Reason::kForecast;
  double to = 0.0;
  double level = 0.0;
  double forecast = 0.0;
  double benefit = 0.0;
  double cost = 0.0;
  double rank = 0.0;  // grows with a higher rank are granted first
  bool force = false;  // emit even when negligible (e.g. back inside [min, max])
};

// Copies a move's explanation (reason and the numbers behind it) into a
// proposal, an audit record or another move.
template <typename T>
void CopyExplanation(const Move& m, T& out) {
  out.reason = m.reason;
  out.level = m.level;
  out.forecast = m.forecast;
  out.benefit = m.benefit;
  out.cost = m.cost;
}

class PlanBuilder {
 public:
  void Reset() { proposals_.clear(); }
  void Propose(const Proposal& p) { proposals_.push_back(p); }
  std::vector<Proposal>& proposals() { return proposals_; }

  // Writes the plan into `out` (cleared first). Changes no larger than
  // `min_change` (absolute) or `min_relative_change` of the current limit are dropped.
  void Emit(const AllocationRequest& req, AllocationPlan& out, double min_relative_change = 1e-9,
            double min_change = 1e-12) {
    out.Clear();
    std::vector<ResourceVector> used = UsedPerHost(req);
    auto negligible = [&](double from, double to) {
      const double d = std::abs(to - from);
      return d <= min_change || d <= min_relative_change * std::max(from, to);
    };
    auto make = [&](const Proposal& p, double to) {
      const UserObservation& u = req.users[p.index];
      Move m;
      m.user = u.user;
      m.index = p.index;
      m.resource = p.resource;
      m.kind = p.kind;
      m.reason = p.reason;
      m.from = u.allocation[p.resource];
      m.to = to;
      m.level = p.level;
      m.forecast = p.forecast;
      m.benefit = p.benefit;
      m.cost = p.cost;
      return m;
    };
    // Preemptions.
    for (const Proposal& p : proposals_) {
      if (p.kind != MoveKind::kPreempt) continue;
      const UserObservation& u = req.users[p.index];
      const double from = u.allocation[p.resource];
      const double to = std::clamp(p.to, 0.0, from);
      used[u.host][p.resource] -= from - to;
      out.moves.push_back(make(p, to));
    }
    // Shrinks.
    for (const Proposal& p : proposals_) {
      if (p.kind != MoveKind::kResize) continue;
      const UserObservation& u = req.users[p.index];
      const double from = u.allocation[p.resource];
      const double to = std::max(0.0, p.to);
      if (to >= from || (!p.force && negligible(from, to))) continue;
      used[u.host][p.resource] -= from - to;
      out.moves.push_back(make(p, to));
    }
    // Grows, highest rank first, each within what its host has free.
    order_.clear();
    for (std::uint32_t k = 0; k < proposals_.size(); ++k) {
      const Proposal& p = proposals_[k];
      if (p.kind == MoveKind::kResize && p.to > req.users[p.index].allocation[p.resource] &&
          (p.force || !negligible(req.users[p.index].allocation[p.resource], p.to))) {
        order_.push_back(k);
      }
    }
    std::stable_sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
      return proposals_[a].rank > proposals_[b].rank;
    });
    for (std::uint32_t k : order_) {
      const Proposal& p = proposals_[k];
      const UserObservation& u = req.users[p.index];
      const double from = u.allocation[p.resource];
      // A hair of headroom, so that sums of limits rounded by the pool never
      // read as above capacity.
      const double cap = req.host_capacity[u.host][p.resource] * (1.0 - kCapacityHeadroom);
      const double free = cap - used[u.host][p.resource];
      double to = p.to;
      bool clipped = false;
      if (to - from > free) {
        const double asked = to;
        to = from + std::max(0.0, free);
        clipped = asked - to > 1e-6 * asked;  // not just the headroom
      }
      if (to <= from || (!p.force && negligible(from, to))) continue;
      used[u.host][p.resource] += to - from;
      Move m = make(p, to);
      if (clipped) m.reason = Reason::kCapacityShare;
      out.moves.push_back(m);
    }
  }

 private:
  std::vector<Proposal> proposals_;
  std::vector<std::uint32_t> order_;
};

}  // namespace foresight::internal

#endif  // FORESIGHT_ALLOCATE_INTERNAL_PLAN_BUILDER_HPP_
