// -----------------------------------------------------------------------------
// File: internal/water_fill_solver.hpp
// -----------------------------------------------------------------------------
//
// Marginal-value water-filling of one resource of one host. User i with
// under/over prices cu, co and demand quantile curve Q gains, from one more
// unit at allocation a, the marginal expected value
//     v_i(a) = cu * P(D > a) - co * P(D <= a).
// Equalising v_i(a_i) = lambda across users gives a_i(lambda) =
// clamp(Q((cu - lambda) / (cu + co)), lo, hi): lambda = 0 is every user's
// newsvendor target, growing lambda walks each user down its quantile curve.
// The solver finds the smallest lambda >= 0 with sum a_i(lambda) <= capacity.
//
// Each a_i(lambda) is piecewise linear (quantile levels and the lo/hi clamps
// are its kinks), so the sum is too: the solver sorts all kinks and sweeps
// them once, O(n K log(n K)) for n users with K quantile levels, and returns
// the exact lambda. Below the lowest level the curve is extended linearly to
// Q(0) = 0, so rationing can reach each user's `lo`.
#ifndef FORESIGHT_ALLOCATE_INTERNAL_WATER_FILL_SOLVER_HPP_
#define FORESIGHT_ALLOCATE_INTERNAL_WATER_FILL_SOLVER_HPP_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "foresight/allocate/internal/quantile_curve.hpp"

namespace foresight::internal {

struct FillItem {
  QuantileCurve curve;
  double cu = 1.0;
  double co = 0.1;
  double lo = 0.0;
  double hi = std::numeric_limits<double>::infinity();
};

class WaterFillSolver {
 public:
  // Writes a_i into `alloc` (same size as `items`) and returns lambda (the
  // shadow price of one unit of capacity; +inf when even every `lo` does not
  // fit, in which case every user gets its `lo`).
  double Solve(std::span<const FillItem> items, double capacity, std::span<double> alloc) {
    const std::size_t n = items.size();
    offsets_.assign(n + 1, 0);
    points_.clear();
    for (std::size_t i = 0; i < n; ++i) {
      BuildPoints(items[i]);
      offsets_[i + 1] = static_cast<std::uint32_t>(points_.size());
    }
    double sum = 0.0, slope = 0.0;
    events_.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t b = offsets_[i], e = offsets_[i + 1];
      sum += points_[b].a;
      double prev_slope = 0.0;
      for (std::uint32_t j = b; j + 1 < e; ++j) {
        const double s = (points_[j + 1].a - points_[j].a) / (points_[j + 1].lambda - points_[j].lambda);
        if (j == b) {
          slope += s;
        } else {
          events_.push_back({points_[j].lambda, s - prev_slope});
        }
        prev_slope = s;
      }
      if (e - b >= 2) events_.push_back({points_[e - 1].lambda, -prev_slope});
    }
    double lambda;
    if (sum <= capacity) {
      lambda = 0.0;
    } else {
      std::sort(events_.begin(), events_.end(),
                [](const Event& x, const Event& y) { return x.lambda < y.lambda; });
      lambda = std::numeric_limits<double>::infinity();
      double prev = 0.0;
      for (const Event& ev : events_) {
        const double at = sum + slope * (ev.lambda - prev);
        if (at <= capacity) {
          lambda = slope < 0.0 ? prev + (capacity - sum) / slope : ev.lambda;
          break;
        }
        sum = at;
        prev = ev.lambda;
        slope += ev.delta_slope;
      }
    }
    double total = 0.0, lo_total = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      alloc[i] = std::clamp(Evaluate(i, lambda), items[i].lo, std::max(items[i].lo, items[i].hi));
      total += alloc[i];
      lo_total += items[i].lo;
    }
    // Rounding on steep segments can leave the sum a hair above capacity:
    // shave the part above each `lo` proportionally.
    if (total > capacity && lo_total < total) {
      const double f = std::max(0.0, capacity - lo_total) / (total - lo_total);
      for (std::size_t i = 0; i < n; ++i) alloc[i] = items[i].lo + (alloc[i] - items[i].lo) * std::min(1.0, f);
    }
    return lambda;
  }

 private:
  struct Point {
    double lambda;
    double a;
  };
  struct Event {
    double lambda;
    double delta_slope;
  };

  // Allocation of user i at `lambda` (points ascend in lambda, a non-increasing).
  double Evaluate(std::size_t i, double lambda) const {
    const std::uint32_t b = offsets_[i], e = offsets_[i + 1];
    if (lambda <= points_[b].lambda) return points_[b].a;
    if (lambda >= points_[e - 1].lambda) return points_[e - 1].a;
    std::uint32_t lo = b, hi = e - 1;  // points_[lo].lambda < lambda < points_[hi].lambda
    while (hi - lo > 1) {
      const std::uint32_t mid = (lo + hi) / 2;
      (points_[mid].lambda <= lambda ? lo : hi) = mid;
    }
    const Point& p = points_[lo];
    const Point& q = points_[hi];
    return p.a + (q.a - p.a) * (lambda - p.lambda) / (q.lambda - p.lambda);
  }

  void Push(double lambda, double a) {
    if (!points_.empty() && points_.size() > offsets_back_ &&
        lambda <= points_.back().lambda + 1e-300) {
      points_.back().a = std::min(points_.back().a, a);
      return;
    }
    points_.push_back({lambda, a});
  }

  // Kinks of clamp(Q((cu - lambda) / (cu + co)), lo, hi) for lambda in [0, cu].
  void BuildPoints(const FillItem& it) {
    offsets_back_ = points_.size();
    const double lo = it.lo, hi = std::max(it.lo, it.hi);
    const double w = it.cu + it.co;
    const std::span<const double> lv = it.curve.levels, vv = it.curve.values;
    const std::size_t k = lv.size();
    raw_.clear();
    if (w <= 0.0 || it.cu <= 0.0) {
      const double p = w <= 0.0 ? 0.5 : 0.0;
      raw_.push_back({0.0, it.curve.Quantile(p)});
    } else {
      const double tau = it.cu / w;
      raw_.push_back({0.0, it.curve.Quantile(tau)});
      for (std::size_t j = k; j-- > 0;) {
        if (lv[j] >= tau) continue;
        raw_.push_back({it.cu - lv[j] * w, vv[j]});
      }
      raw_.push_back({it.cu, 0.0});  // Q(0) = 0: linear below the lowest level
    }
    // Clamp to [lo, hi], inserting the crossings.
    auto clamp = [&](double a) { return std::clamp(a, lo, hi); };
    Push(raw_[0].lambda, clamp(raw_[0].a));
    for (std::size_t j = 0; j + 1 < raw_.size(); ++j) {
      const Point& p = raw_[j];
      const Point& q = raw_[j + 1];
      for (double bound : {hi, lo}) {
        if ((p.a - bound) * (q.a - bound) < 0.0) {
          const double t = (p.a - bound) / (p.a - q.a);
          Push(p.lambda + t * (q.lambda - p.lambda), bound);
        }
      }
      Push(q.lambda, clamp(q.a));
    }
  }

  std::vector<Point> raw_;
  std::vector<Point> points_;
  std::vector<std::uint32_t> offsets_;
  std::vector<Event> events_;
  std::size_t offsets_back_ = 0;
};

}  // namespace foresight::internal

#endif  // FORESIGHT_ALLOCATE_INTERNAL_WATER_FILL_SOLVER_HPP_
