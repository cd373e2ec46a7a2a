// -----------------------------------------------------------------------------
// File: water_filling.hpp
// -----------------------------------------------------------------------------
//
// `WaterFilling` gives every user its newsvendor target, the
// `cu / (cu + co)` quantile of its forecast demand clamped to its [min, max],
// when the host can hold all targets. When it cannot, it equalises the
// marginal expected value of capacity across users, walking each one down its
// own quantile curve (internal/water_fill_solver.hpp), exactly and in
// O(n log n) per host and resource.
//
// Priorities: with `strict_priority` (default) users are served in classes of
// descending priority: a class is water-filled in what is left after the
// classes above it, with the minimums of the classes below reserved; so a
// lower-priority user never holds more than its minimum while a
// higher-priority user on its host is below its target. Without it, one
// water-fill over everyone (priority then acts only through the cost terms).
//
// Every move is explained: `level` is the quantile level the user ends at,
// `forecast` the demand at its target level, `benefit` the expected cost
// avoided over `benefit_window` plus the shadow value (lambda) of capacity
// freed, `cost` the change cost. A change is made only when benefit > cost,
// unless the current limit is outside [min, max] or the host is over capacity.
//
// | type           | name                | description                                   | default |
// |----------------|---------------------|-----------------------------------------------|---------|
// | bool           | strict_priority     | serve priority classes in order               | true    |
// | absl::Duration | benefit_window      | expected life of a limit, benefits count over | 1 h (at least a step) |
// | double         | min_relative_change | smaller changes are skipped                   | 0.01    |
#ifndef FORESIGHT_ALLOCATE_WATER_FILLING_HPP_
#define FORESIGHT_ALLOCATE_WATER_FILLING_HPP_

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/plan_builder.hpp"
#include "foresight/allocate/internal/quantile_curve.hpp"
#include "foresight/allocate/internal/water_fill_solver.hpp"

namespace foresight {

class WaterFilling {
 public:
  static std::string_view Name() { return "water_filling"; }
  // Keeps nothing by slot.
  void Forget(Slot) {}

  bool strict_priority() const { return strict_priority_; }
  void set_strict_priority(bool v) { strict_priority_ = v; }
  absl::Duration benefit_window() const { return benefit_window_; }
  void set_benefit_window(absl::Duration d) { benefit_window_ = d; }
  double min_relative_change() const { return min_relative_change_; }
  void set_min_relative_change(double v) { min_relative_change_ = std::max(0.0, v); }

  // Shadow price of one unit of each resource on each host in the last plan
  // (0 where every user got its target; the top class's value otherwise).
  const std::vector<ResourceVector>& shadow_prices() const { return shadow_; }

  // Fills `alloc` with the water-filled allocations of `members` of one host
  // for resource `r`; returns the shadow price of the last class that was cut.
  double FillHost(const AllocationRequest& req, std::span<const std::uint32_t> members,
                  Resource r, std::vector<double>& alloc, std::vector<double>& lambda_of);

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out);

 private:
  bool strict_priority_ = true;
  absl::Duration benefit_window_ = absl::Hours(1);
  double min_relative_change_ = 0.01;

  internal::HostIndex hosts_;
  internal::PlanBuilder builder_;
  internal::WaterFillSolver solver_;
  std::vector<internal::FillItem> items_;
  std::vector<double> item_alloc_;
  std::vector<std::uint32_t> order_;
  std::vector<double> alloc_, lambda_of_;
  std::vector<ResourceVector> shadow_;
};
static_assert(Allocator<WaterFilling> && SlotForgetting<WaterFilling>);

}  // namespace foresight

#include "foresight/allocate/water_filling_impl.hpp"

#endif  // FORESIGHT_ALLOCATE_WATER_FILLING_HPP_
