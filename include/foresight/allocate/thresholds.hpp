// -----------------------------------------------------------------------------
// File: thresholds.hpp
// -----------------------------------------------------------------------------
//
// `Thresholds` is seed 001's preemptive allocator: per resource, scale a
// user's limit up when the forecast (the `forecast_level` quantile of demand at
// the lead time) crosses `scale_up_utilisation` of the limit, down when it
// falls below `scale_down_utilisation`, in both cases to
// forecast / `target_utilisation`, and only when the change is at least
// `min_change` for that resource (the seed's thresholdCPU, thresholdMemory,
// ...). A user whose upper forecast (`idle_level` quantile) and usage stay
// below `idle_fraction` of its limit is idle and deallocated to its minimum.
// Limits stay inside [min, max]; grows that do not fit the host are clipped
// to its free capacity, higher priorities first. With no outlook the current
// usage stands in for the forecast (a reactive threshold policy).
//
// | type           | name                    | description                           | default |
// |----------------|-------------------------|---------------------------------------|---------|
// | double         | forecast_level          | quantile of demand compared           | 0.9     |
// | double         | scale_up_utilisation    | scale up above forecast/limit         | 0.85    |
// | double         | scale_down_utilisation  | scale down below forecast/limit       | 0.4     |
// | double         | target_utilisation      | forecast/limit after a change         | 0.7     |
// | ResourceVector | min_change              | smallest change per resource          | 0.05 cores, 64 MiB, 1 MiB/s, 1 MiB/s |
// | double         | idle_level              | quantile used for idleness            | 0.99    |
// | double         | idle_fraction           | idle below this share of the limit    | 0.02    |
#ifndef FORESIGHT_ALLOCATE_THRESHOLDS_HPP_
#define FORESIGHT_ALLOCATE_THRESHOLDS_HPP_

#include <algorithm>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/plan_builder.hpp"
#include "foresight/allocate/internal/quantile_curve.hpp"

namespace foresight {

struct ThresholdOptions {
  double forecast_level = 0.9;
  double scale_up_utilisation = 0.85;
  double scale_down_utilisation = 0.4;
  double target_utilisation = 0.7;
  ResourceVector min_change =
      MakeResources(0.05, 64.0 * 1024 * 1024, 1024.0 * 1024, 1024.0 * 1024);
  double idle_level = 0.99;
  double idle_fraction = 0.02;
};

class Thresholds {
 public:
  Thresholds() = default;

  static std::string_view Name() { return "thresholds"; }
  // Keeps nothing by slot.
  void Forget(Slot) {}

  const ThresholdOptions& options() const { return options_; }
  absl::Status set_options(const ThresholdOptions& o) {
    if (!(o.forecast_level > 0 && o.forecast_level < 1) || !(o.idle_level > 0 && o.idle_level < 1)) {
      return absl::InvalidArgumentError("thresholds: quantile levels must be in (0, 1)");
    }
    if (!(o.scale_down_utilisation > 0 && o.scale_down_utilisation < o.target_utilisation &&
          o.target_utilisation < o.scale_up_utilisation)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "thresholds: need 0 < scale_down (", o.scale_down_utilisation, ") < target (",
          o.target_utilisation, ") < scale_up (", o.scale_up_utilisation, ")"));
    }
    if (!IsValidAmount(o.min_change) || !(o.idle_fraction >= 0 && o.idle_fraction < 1)) {
      return absl::InvalidArgumentError("thresholds: bad min_change or idle_fraction");
    }
    options_ = o;
    return absl::OkStatus();
  }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out) {
    out.Clear();
    if (absl::Status s = internal::ValidateDecisionRequest(req); !s.ok()) return s;
    builder_.Reset();
    const ThresholdOptions& o = options_;
    for (std::size_t i = 0; i < req.users.size(); ++i) {
      const UserObservation& u = req.users[i];
      const CostTerms& t = req.costs[i];
      for (Resource r : kAllResources) {
        const internal::QuantileCurve curve = internal::CurveOf(req, i, r);
        const double a = u.allocation[r];
        const double f = curve.Quantile(o.forecast_level);
        const double lo = t.min[r], hi = std::max(t.min[r], t.max[r]);
        double to = a;
        Reason reason = Reason::kForecast;
        const bool idle = a > 0 && curve.Quantile(o.idle_level) <= o.idle_fraction * a &&
                          u.usage[r] <= o.idle_fraction * a;
        if (idle) {
          to = lo;
          reason = Reason::kIdle;
        } else if (f > o.scale_up_utilisation * a || f < o.scale_down_utilisation * a) {
          to = f / o.target_utilisation;
        }
        to = std::clamp(to, lo, hi);
        const bool forced = a < lo || a > hi;
        if (forced && reason != Reason::kIdle) reason = Reason::kPolicy;
        if (!forced && std::abs(to - a) < o.min_change[r]) continue;
        if (to == a) continue;
        internal::Proposal p;
        p.index = static_cast<std::uint32_t>(i);
        p.resource = r;
        p.to = to;
        p.reason = reason;
        p.level = o.forecast_level;
        p.forecast = f;
        p.benefit = absl::ToDoubleSeconds(req.step) *
                    (curve.ExpectedCost(a, t.under[r], t.over[r]) -
                     curve.ExpectedCost(to, t.under[r], t.over[r]));
        p.cost = t.change[r];
        p.rank = t.priority;
        p.force = true;
        builder_.Propose(p);
      }
    }
    builder_.Emit(req, out, 0.0);
    return absl::OkStatus();
  }

 private:
  ThresholdOptions options_;
  internal::PlanBuilder builder_;
};
static_assert(Allocator<Thresholds> && SlotForgetting<Thresholds>);

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_THRESHOLDS_HPP_
