// -----------------------------------------------------------------------------
// File: internal/capacity.hpp
// -----------------------------------------------------------------------------
//
// Shared last step of the foundation allocators: from a desired limit per user
// and resource, emit resize moves that fit every host's capacity. Shrinks are
// always granted; grows share what the shrinks and the free capacity leave,
// in proportion to the size of each grow (`Reason::kCapacityShare` marks the
// ones cut). If a host is over capacity already, every limit on it is scaled
// down to fit. Moves come out shrinks first.
#ifndef FORESIGHT_ALLOCATE_INTERNAL_CAPACITY_HPP_
#define FORESIGHT_ALLOCATE_INTERNAL_CAPACITY_HPP_

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/plan.hpp"

namespace foresight::internal {

// What an allocator wants for one user and resource, with its explanation.
struct Desire {
  double target = 0.0;
  Reason reason = Reason::kForecast;
  double level = 0.0;
  double forecast = 0.0;
};

// `desired` is users x 4 (row-major, aligned with req.users). Shrinks smaller
// than `min_relative_change` of the current limit are skipped.
inline void EmitWithinCapacity(const AllocationRequest& req, std::span<const Desire> desired,
                               AllocationPlan& out, double min_relative_change = 1e-6) {
  const std::size_t n = req.users.size();
  const std::size_t hosts = req.host_capacity.size();
  std::vector<double> granted(n * kNumResources);
  for (Resource r : kAllResources) {
    const std::size_t ri = Index(r);
    std::vector<double> base(hosts, 0.0), grow(hosts, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const double cur = req.users[i].allocation[r];
      const double want = std::max(0.0, desired[i * kNumResources + ri].target);
      base[req.users[i].host] += std::min(cur, want);
      grow[req.users[i].host] += std::max(0.0, want - cur);
    }
    std::vector<double> grow_factor(hosts, 1.0), shrink_factor(hosts, 1.0);
    for (std::size_t h = 0; h < hosts; ++h) {
      const double cap = req.host_capacity[h][r];
      if (base[h] > cap) {
        shrink_factor[h] = base[h] > 0 ? cap / base[h] : 0.0;
        grow_factor[h] = 0.0;
      } else if (base[h] + grow[h] > cap) {
        grow_factor[h] = grow[h] > 0 ? (cap - base[h]) / grow[h] : 0.0;
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t h = req.users[i].host;
      const double cur = req.users[i].allocation[r];
      const double want = std::max(0.0, desired[i * kNumResources + ri].target);
      // Exactly `want` when the host has room: cur + (want - cur) can miss it
      // by an ulp, and a limit one ulp under demand is an OOM.
      granted[i * kNumResources + ri] =
          shrink_factor[h] == 1.0 && grow_factor[h] == 1.0
              ? want
              : std::min(cur, want) * shrink_factor[h] + std::max(0.0, want - cur) * grow_factor[h];
    }
  }
  out.Clear();
  for (std::size_t i = 0; i < n; ++i) {
    for (Resource r : kAllResources) {
      const std::size_t k = i * kNumResources + Index(r);
      const double cur = req.users[i].allocation[r];
      const double to = granted[k];
      // Tiny shrinks are not worth a move; grows always are (a limit a hair
      // under demand still OOMs or throttles).
      if (to <= cur && cur - to <= min_relative_change * std::max(cur, 1e-12)) continue;
      const Desire& d = desired[k];
      Move m;
      m.user = req.users[i].user;
      m.index = static_cast<std::uint32_t>(i);
      m.resource = r;
      m.from = cur;
      m.to = to;
      m.reason = to + 1e-9 * std::max(1.0, to) < d.target ? Reason::kCapacityShare : d.reason;
      m.level = d.level;
      m.forecast = d.forecast;
      out.moves.push_back(m);
    }
  }
  out.OrderShrinksFirst();
}

}  // namespace foresight::internal

#endif  // FORESIGHT_ALLOCATE_INTERNAL_CAPACITY_HPP_
