// -----------------------------------------------------------------------------
// File: fallback.hpp
// -----------------------------------------------------------------------------
//
// `Fallback` is seed 004's resource allocation manager with its fallback on
// denial. Each user asks for its newsvendor target (clamped to [min, max]);
// shrinks are granted at once. A grow that the host's free capacity can meet
// is granted; one it cannot is *denied*, and the configured `actions` are
// tried in order:
//
//   kReduceLowPriority  take the missing amount from users of strictly lower
//                       priority on the same host, lowest priority first,
//                       down to their minimum (reason kFallback on both);
//   kDegrade            grant what fits, if at least `min_grant_fraction` of
//                       the request (reason kFallback);
//   kQueue              keep the request; queued requests are served before
//                       new ones (oldest first within a priority) on later
//                       ticks, and dropped after `max_queue_wait`.
//
// With `share_when_contended` (default), a host that cannot hold every target
// first degrades every request to the user's water-filled share
// (water_filling.hpp), so that what is denied is only what the shrinks in
// flight have not freed yet. A user whose last actuation failed
// (`kEventActuationFailed`) has its grows queued as if denied. `queue()` and
// `denials()` expose the state for audit.
//
// | type                        | name               | description                      | default |
// |-----------------------------|--------------------|----------------------------------|---------|
// | std::vector<FallbackAction> | actions            | tried in order on denial         | {kReduceLowPriority, kDegrade, kQueue} |
// | absl::Duration              | max_queue_wait     | queued requests expire after     | 30 min  |
// | double                      | min_grant_fraction | smallest degraded grant          | 0.25    |
// | double                      | min_relative_change| smaller changes are skipped      | 0.02    |
// | bool                        | share_when_contended | degrade to water-filled shares | true    |
#ifndef FORESIGHT_ALLOCATE_FALLBACK_HPP_
#define FORESIGHT_ALLOCATE_FALLBACK_HPP_

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/plan_builder.hpp"
#include "foresight/allocate/internal/quantile_curve.hpp"
#include "foresight/allocate/water_filling.hpp"

namespace foresight {

enum class FallbackAction : std::uint8_t { kQueue, kReduceLowPriority, kDegrade };

constexpr std::string_view FallbackActionName(FallbackAction a) {
  constexpr std::string_view kNames[] = {"queue", "reduce_low_priority", "degrade"};
  return kNames[static_cast<int>(a)];
}

struct FallbackOptions {
  static std::vector<FallbackAction> DefaultActions() {
    std::vector<FallbackAction> a(3);
    a[0] = FallbackAction::kReduceLowPriority;
    a[1] = FallbackAction::kDegrade;
    a[2] = FallbackAction::kQueue;
    return a;
  }
  std::vector<FallbackAction> actions = DefaultActions();
  absl::Duration max_queue_wait = absl::Minutes(30);
  double min_grant_fraction = 0.25;
  double min_relative_change = 0.02;
  bool share_when_contended = true;
};

struct QueuedRequest {
  UserId user;
  Resource resource = Resource::kCpu;
  absl::Time since;
  double amount = 0.0;  // what was missing when last denied
};

class Fallback {
 public:
  static std::string_view Name() { return "fallback"; }
  // Keeps nothing by slot (queued requests are keyed by user and dropped once the user is absent).
  void Forget(Slot) {}

  const FallbackOptions& options() const { return options_; }
  absl::Status set_options(const FallbackOptions& o) {
    if (o.max_queue_wait < absl::ZeroDuration() ||
        !(o.min_grant_fraction >= 0 && o.min_grant_fraction <= 1) ||
        !(o.min_relative_change >= 0)) {
      return absl::InvalidArgumentError(
          "fallback options: need max_queue_wait >= 0, min_grant_fraction in [0, 1]");
    }
    options_ = o;
    return absl::OkStatus();
  }

  std::vector<QueuedRequest> queue() const {
    std::vector<QueuedRequest> out;
    for (const auto& [k, q] : queue_) out.push_back(q);
    return out;
  }
  // Requests denied in the last plan (before any fallback action).
  std::size_t denials() const { return denials_; }
  // Requests dropped from the queue after waiting too long, so far.
  std::size_t expired() const { return expired_; }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out);

 private:
  static std::uint64_t Key(UserId u, Resource r) { return u.value * kNumResources + Index(r); }

  FallbackOptions options_;
  absl::flat_hash_map<std::uint64_t, QueuedRequest> queue_;
  std::size_t denials_ = 0;
  std::size_t expired_ = 0;
  internal::HostIndex hosts_;
  internal::PlanBuilder builder_;
  WaterFilling shares_;
  std::vector<double> share_, share_lambda_;
};
static_assert(Allocator<Fallback> && SlotForgetting<Fallback>);

inline absl::Status Fallback::Plan(const AllocationRequest& req, AllocationPlan& out) {
  out.Clear();
  if (absl::Status s = internal::ValidateDecisionRequest(req); !s.ok()) return s;
  const std::size_t n = req.users.size();
  const double window = absl::ToDoubleSeconds(req.step);
  denials_ = 0;
  hosts_.Build(req);
  builder_.Reset();
  std::vector<ResourceVector> lim(n), target(n);
  for (std::size_t i = 0; i < n; ++i) lim[i] = req.users[i].allocation;
  // Expire old queue entries; forget entries of users that left.
  absl::flat_hash_map<std::uint64_t, std::uint32_t> present;
  for (std::size_t i = 0; i < n; ++i) {
    for (Resource r : kAllResources) {
      present[Key(req.users[i].user, r)] = static_cast<std::uint32_t>(i);
    }
  }
  for (auto it = queue_.begin(); it != queue_.end();) {
    const bool gone = !present.contains(it->first);
    const bool old = req.now - it->second.since > options_.max_queue_wait;
    if (old && !gone) ++expired_;
    if (gone || old) {
      queue_.erase(it++);
    } else {
      ++it;
    }
  }
  struct Ask {
    std::uint32_t index;
    Resource r;
    double to;
    bool queued;
    absl::Time since;
  };
  std::vector<Ask> asks;
  for (std::size_t h = 0; h < hosts_.num_hosts(); ++h) {
    const auto members = hosts_.members(h);
    if (members.empty()) continue;
    for (Resource r : kAllResources) {
      const double cap = req.host_capacity[h][r];
      double used = 0.0;
      asks.clear();
      bool contended = false;
      if (options_.share_when_contended) {
        double sum = 0.0;
        for (std::uint32_t i : members) sum += internal::TargetAllocation(req, i, r);
        contended = sum > cap;
        if (contended) {
          share_.resize(n);
          share_lambda_.resize(n);
          shares_.FillHost(req, members, r, share_, share_lambda_);
        }
      }
      for (std::uint32_t i : members) {
        const double a = req.users[i].allocation[r];
        const double t = contended ? share_[i] : internal::TargetAllocation(req, i, r);
        target[i][r] = t;
        const double tol = options_.min_relative_change * std::max(a, t);
        const bool outside = a < req.costs[i].min[r] || a > req.costs[i].max[r];
        if (t < a && (a - t > tol || outside)) {
          lim[i][r] = t;  // shrinks are always granted
        }
        used += lim[i][r];
        if (t > a && (t - a > tol || outside)) {
          auto q = queue_.find(Key(req.users[i].user, r));
          const bool queued = q != queue_.end();
          asks.push_back({i, r, t, queued, queued ? q->second.since : req.now});
        } else {
          queue_.erase(Key(req.users[i].user, r));
        }
      }
      // Queued first (oldest first), then by priority.
      std::stable_sort(asks.begin(), asks.end(), [&](const Ask& x, const Ask& y) {
        if (x.queued != y.queued) return x.queued;
        const double px = req.costs[x.index].priority, py = req.costs[y.index].priority;
        if (px != py) return px > py;
        return x.since < y.since;
      });
      double free = cap - used;
      for (const Ask& ask : asks) {
        const std::uint32_t i = ask.index;
        const UserObservation& u = req.users[i];
        const double a = lim[i][r];
        const double want = ask.to - a;
        const bool failed = (u.events & kEventActuationFailed) != 0;
        if (!failed && want <= free) {
          lim[i][r] = ask.to;
          free -= want;
          queue_.erase(Key(u.user, r));
          continue;
        }
        ++denials_;
        bool done = false;
        for (FallbackAction act : options_.actions) {
          if (done) break;
          if (failed && act != FallbackAction::kQueue) continue;
          switch (act) {
            case FallbackAction::kReduceLowPriority: {
              double missing = want - free;
              // Lowest priority first.
              std::vector<std::uint32_t> lows;
              for (std::uint32_t j : members) {
                if (req.costs[j].priority < req.costs[i].priority &&
                    lim[j][r] > req.costs[j].min[r]) {
                  lows.push_back(j);
                }
              }
              double available = 0.0;
              for (std::uint32_t j : lows) available += lim[j][r] - req.costs[j].min[r];
              if (available < missing) break;  // cannot meet it this way
              std::stable_sort(lows.begin(), lows.end(), [&](std::uint32_t x, std::uint32_t y) {
                return req.costs[x].priority < req.costs[y].priority;
              });
              for (std::uint32_t j : lows) {
                if (missing <= 0.0) break;
                const double take = std::min(missing, lim[j][r] - req.costs[j].min[r]);
                lim[j][r] -= take;
                free += take;
                missing -= take;
                target[j][r] = -1.0;  // reduced by the fallback
              }
              lim[i][r] = ask.to;
              free -= want;
              target[i][r] = -1.0;  // served by the fallback
              queue_.erase(Key(u.user, r));
              done = true;
              break;
            }
            case FallbackAction::kDegrade: {
              if (free > 0.0 && free >= options_.min_grant_fraction * want) {
                lim[i][r] = a + free;
                free = 0.0;
                queue_.erase(Key(u.user, r));
                done = true;
              }
              break;
            }
            case FallbackAction::kQueue: {
              auto [it, inserted] =
                  queue_.try_emplace(Key(u.user, r), QueuedRequest{u.user, r, req.now, want});
              it->second.amount = want;
              done = true;
              break;
            }
          }
        }
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    const CostTerms& t = req.costs[i];
    for (Resource r : kAllResources) {
      const double a = req.users[i].allocation[r];
      if (lim[i][r] == a) continue;
      const internal::QuantileCurve curve = internal::CurveOf(req, i, r);
      internal::Proposal p;
      p.index = static_cast<std::uint32_t>(i);
      p.resource = r;
      p.to = lim[i][r];
      p.level = TargetLevel(t, r);
      p.forecast = curve.Quantile(p.level);
      const bool reduced = target[i][r] < 0.0;
      const double full = internal::TargetAllocation(req, i, r);
      auto same = [](double x, double y) { return std::abs(x - y) <= 1e-12 * std::max(1.0, y); };
      if (reduced) {
        p.reason = Reason::kFallback;
      } else if (same(p.to, full)) {
        p.reason = Reason::kForecast;
      } else if (same(p.to, target[i][r])) {
        p.reason = Reason::kCapacityShare;  // degraded to its water-filled share
      } else {
        p.reason = Reason::kFallback;
      }
      p.benefit = window * (curve.ExpectedCost(a, t.under[r], t.over[r]) -
                            curve.ExpectedCost(p.to, t.under[r], t.over[r]));
      p.cost = t.change[r];
      p.rank = t.priority;
      p.force = true;
      builder_.Propose(p);
    }
  }
  builder_.Emit(req, out, 0.0);
  return absl::OkStatus();
}

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_FALLBACK_HPP_
