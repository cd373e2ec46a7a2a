// -----------------------------------------------------------------------------
// File: hpa_style.hpp
// -----------------------------------------------------------------------------
//
// `HpaStyle` is the Kubernetes Horizontal Pod Autoscaler's rule applied to a
// user's limits: desired = limit * (utilisation / target utilisation), i.e.
// usage / target, left alone while |utilisation / target - 1| <= tolerance
// (0.1), and scaled down only to the highest recommendation of the last
// 5 minutes (downscale stabilisation); scale-up is immediate.
//
// | type     | name                     | description                       | default |
// |----------|--------------------------|-----------------------------------|---------|
// | vector   | target_utilization       | usage / limit aimed at            | 0.7 each |
// | double   | tolerance                | dead band around the target ratio | 0.1     |
// | Duration | downscale_stabilization  | window of the max recommendation  | 5 min   |
// | vector   | min_allocation           | floor per resource                | 25m cpu, 64 MiB memory |
#ifndef FORESIGHT_ALLOCATE_HPA_STYLE_HPP_
#define FORESIGHT_ALLOCATE_HPA_STYLE_HPP_

#include <algorithm>
#include <cmath>
#include <deque>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/capacity.hpp"

namespace foresight {

struct HpaStyleOptions {
  ResourceVector target_utilization = ResourceVector::Filled(0.7);
  double tolerance = 0.1;
  absl::Duration downscale_stabilization = absl::Minutes(5);
  ResourceVector min_allocation = MakeResources(0.025, 64.0 * 1024 * 1024, 0.0, 0.0);
};

class HpaStyle {
 public:
  explicit HpaStyle(HpaStyleOptions options = {}) : options_(options) {}
  static std::string_view Name() { return "hpa"; }
  static constexpr bool kReadsOutlook = false;  // the last usage
  const HpaStyleOptions& options() const { return options_; }

  // Records this tick's raw recommendations (for the stabilisation window).
  absl::Status Observe(const AllocationRequest& req) {
    if (absl::Status s = ValidateRequest(req); !s.ok()) return s;
    for (Resource r : kAllResources) {
      if (!(options_.target_utilization[r] > 0.0)) {
        return absl::InvalidArgumentError("hpa: target utilisation must be > 0");
      }
    }
    if (history_.size() < users_needed(req)) history_.resize(users_needed(req));
    for (std::size_t i = 0; i < req.users.size(); ++i) {
      auto& hist = history_[req.slots[i]];
      for (Resource r : kAllResources) {
        auto& q = hist[Index(r)];
        q.emplace_back(req.now, Raw(req.users[i], r));
        while (!q.empty() && q.front().first <= req.now - options_.downscale_stabilization) {
          q.pop_front();
        }
      }
    }
    return absl::OkStatus();
  }

  void Recommend(const AllocationRequest& req, std::span<internal::Desire> out) const {
    for (std::size_t i = 0; i < req.users.size(); ++i) {
      for (Resource r : kAllResources) {
        internal::Desire& d = out[i * kNumResources + Index(r)];
        d.reason = Reason::kReactive;
        d.level = options_.target_utilization[r];
        const double cur = req.users[i].allocation[r];
        const double raw = Raw(req.users[i], r);
        d.forecast = req.users[i].usage[r];
        double want = raw;
        if (raw < cur && req.slots[i] < history_.size()) {
          for (const auto& [t, v] : history_[req.slots[i]][Index(r)]) want = std::max(want, v);
          want = std::min(want, cur);
        }
        want = std::max(want, options_.min_allocation[r]);
        d.target = std::clamp(want, req.costs[i].min[r],
                              std::max(req.costs[i].min[r], req.costs[i].max[r]));
      }
    }
  }

  // Drops `slot`'s stabilisation window (its user is gone).
  void Forget(Slot slot) {
    if (slot < history_.size()) history_[slot] = {};
  }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out) {
    out.Clear();
    if (absl::Status s = Observe(req); !s.ok()) return s;
    desires_.resize(req.users.size() * kNumResources);
    Recommend(req, desires_);
    internal::EmitWithinCapacity(req, desires_, out);
    return absl::OkStatus();
  }

 private:
  static std::size_t users_needed(const AllocationRequest& req) {
    std::size_t n = 0;
    for (Slot s : req.slots) n = std::max<std::size_t>(n, static_cast<std::size_t>(s) + 1);
    return n;
  }
  // Desired limit before stabilisation; the current limit inside the tolerance band.
  double Raw(const UserObservation& u, Resource r) const {
    const double cur = u.allocation[r];
    const double target = options_.target_utilization[r];
    if (cur <= 0.0) return u.usage[r] / target;
    const double ratio = (u.usage[r] / cur) / target;
    if (std::abs(ratio - 1.0) <= options_.tolerance) return cur;
    return cur * ratio;
  }

  HpaStyleOptions options_;
  std::vector<std::array<std::deque<std::pair<absl::Time, double>>, kNumResources>> history_;
  std::vector<internal::Desire> desires_;
};
static_assert(Allocator<HpaStyle> && SlotForgetting<HpaStyle>);

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_HPA_STYLE_HPP_
