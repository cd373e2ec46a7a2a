// -----------------------------------------------------------------------------
// File: internal/quantile_curve.hpp
// -----------------------------------------------------------------------------
//
// A demand distribution described by its quantiles at fixed levels (the rows
// of a `DemandOutlook`), read as a piecewise-linear quantile function with
// a linear lower tail from Q(0) = 0 to the first level and a constant upper
// tail Q(p) = v_K above the last (the same curve the water-fill solver walks). From it,
// in O(levels): the mean, the CDF, the expected shortfall E[(D - a)+] and the
// newsvendor expected cost cu * E[(D - a)+] + co * E[(a - D)+] of holding `a`.
//
// `CurveOf(req, i, r)` is user i's curve for resource r: its outlook row, or a
// point mass at its current usage when the request carries no outlook.
#ifndef FORESIGHT_ALLOCATE_INTERNAL_QUANTILE_CURVE_HPP_
#define FORESIGHT_ALLOCATE_INTERNAL_QUANTILE_CURVE_HPP_

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/cost/cost_model.hpp"
#include "foresight/forecast/forecast.hpp"

namespace foresight::internal {

struct QuantileCurve {
  std::span<const double> levels;
  std::span<const double> values;

  // Q(p): linear from (0, 0) to the first stored level, between stored levels,
  // constant above the last.
  double Quantile(double p) const {
    if (p < levels.front()) return values.front() * std::max(0.0, p) / levels.front();
    return Forecast::InterpolateQuantile(levels, values, p);
  }

  double Mean() const {
    const std::size_t k = levels.size();
    double m = levels[0] * 0.5 * values[0] + (1.0 - levels[k - 1]) * values[k - 1];
    for (std::size_t j = 0; j + 1 < k; ++j) {
      m += (levels[j + 1] - levels[j]) * 0.5 * (values[j] + values[j + 1]);
    }
    return m;
  }

  // P(D <= a).
  double Cdf(double a) const {
    const std::size_t k = levels.size();
    if (a < 0.0) return 0.0;
    if (a >= values[k - 1]) return 1.0;
    if (a < values[0]) return levels[0] * a / values[0];
    // Last j with values[j] <= a.
    const auto it = std::upper_bound(values.begin(), values.end(), a);
    const std::size_t j = static_cast<std::size_t>(it - values.begin()) - 1;
    if (j + 1 >= k) return 1.0;
    const double span = values[j + 1] - values[j];
    if (span <= 0.0) return levels[j];
    return levels[j] + (a - values[j]) / span * (levels[j + 1] - levels[j]);
  }

  // E[(D - a)+].
  double ExpectedShortfall(double a) const {
    const std::size_t k = levels.size();
    double e = (1.0 - levels[k - 1]) * std::max(0.0, values[k - 1] - a) +
               SegmentExcess(0.0, 0.0, levels[0], values[0], a);
    for (std::size_t j = 0; j + 1 < k; ++j) {
      e += SegmentExcess(levels[j], values[j], levels[j + 1], values[j + 1], a);
    }
    return e;
  }

  // E[(a - D)+] = a - E[D] + E[(D - a)+].
  double ExpectedSlack(double a) const {
    return std::max(0.0, a - Mean() + ExpectedShortfall(a));
  }

  // Expected newsvendor cost per second of holding `a`.
  double ExpectedCost(double a, double cu, double co) const {
    const double shortfall = ExpectedShortfall(a);
    const double slack = std::max(0.0, a - Mean() + shortfall);
    return cu * shortfall + co * slack;
  }

 private:
  // Integral over [p0, p1] of (Q(p) - a)+ for Q linear from q0 to q1 >= q0.
  static double SegmentExcess(double p0, double q0, double p1, double q1, double a) {
    const double dp = p1 - p0;
    if (a >= q1 || dp <= 0.0) return 0.0;
    if (a <= q0) return dp * (0.5 * (q0 + q1) - a);
    const double frac = (q1 - a) / (q1 - q0);  // share of the segment above a
    return dp * frac * 0.5 * (q1 - a);
  }
};

inline constexpr std::array<double, 1> kPointMassLevel = {1e-9};

// User i's demand curve for resource r (see the file comment).
inline QuantileCurve CurveOf(const AllocationRequest& req, std::size_t i, Resource r) {
  if (req.outlook == nullptr) {
    return {kPointMassLevel, std::span<const double>(&req.users[i].usage[r], 1)};
  }
  const DemandOutlook& o = *req.outlook;
  const std::size_t q = o.levels.size();
  return {o.levels,
          std::span<const double>(o.quantiles.data() + (i * kNumResources + Index(r)) * q, q)};
}

// The cost-minimising limit of user i for resource r: the `TargetLevel`
// quantile of its demand, clamped to its [min, max].
inline double TargetAllocation(const AllocationRequest& req, std::size_t i, Resource r,
                               double* level = nullptr, double* forecast = nullptr) {
  const CostTerms& t = req.costs[i];
  const double p = TargetLevel(t, r);
  const double q = CurveOf(req, i, r).Quantile(p);
  if (level != nullptr) *level = p;
  if (forecast != nullptr) *forecast = q;
  return std::clamp(q, t.min[r], std::max(t.min[r], t.max[r]));
}

// `ValidateRequest` plus what the decision engine relies on: sane cost terms
// (finite, non-negative prices, positive priority, min <= max) and an outlook
// with ascending levels in (0, 1) and finite, non-decreasing quantiles.
inline absl::Status ValidateDecisionRequest(const AllocationRequest& req) {
  if (absl::Status s = ValidateRequest(req); !s.ok()) return s;
  if (req.step <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("allocation request: step must be positive");
  }
  for (std::size_t i = 0; i < req.costs.size(); ++i) {
    const CostTerms& t = req.costs[i];
    if (!IsValidAmount(t.under) || !IsValidAmount(t.over) || !IsValidAmount(t.change) ||
        !std::isfinite(t.priority) || t.priority < 0.0) {
      return absl::InvalidArgumentError(
          absl::StrCat("allocation request: ", ToString(req.users[i].user), " has invalid costs"));
    }
    for (Resource r : kAllResources) {
      if (!(t.min[r] >= 0.0) || !(t.max[r] >= t.min[r])) {
        return absl::InvalidArgumentError(
            absl::StrCat("allocation request: ", ToString(req.users[i].user), " has min ",
                         t.min[r], " > max ", t.max[r], " for ", Sv(ResourceName(r))));
      }
    }
  }
  if (req.outlook != nullptr) {
    const DemandOutlook& o = *req.outlook;
    if (o.levels.empty()) return absl::InvalidArgumentError("demand outlook has no levels");
    for (std::size_t k = 0; k < o.levels.size(); ++k) {
      if (!(o.levels[k] > 0.0 && o.levels[k] < 1.0) || (k > 0 && o.levels[k] <= o.levels[k - 1])) {
        return absl::InvalidArgumentError("demand outlook levels must ascend inside (0, 1)");
      }
    }
    const std::size_t q = o.levels.size();
    const double* data = o.quantiles.data();
    for (std::size_t row = 0; row < o.size() * kNumResources; ++row) {
      for (std::size_t k = 0; k < q; ++k) {
        const double v = data[row * q + k];
        if (!std::isfinite(v) || v < 0.0 || (k > 0 && v < data[row * q + k - 1])) {
          return absl::InvalidArgumentError(absl::StrCat(
              "demand outlook of ", ToString(req.users[row / kNumResources].user),
              " is not finite, non-negative and non-decreasing"));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace foresight::internal

#endif  // FORESIGHT_ALLOCATE_INTERNAL_QUANTILE_CURVE_HPP_
