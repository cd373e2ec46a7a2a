// -----------------------------------------------------------------------------
// File: proactive_donor.hpp
// -----------------------------------------------------------------------------
//
// `ProactiveDonor` is seed 000's "proactive resource adjuster" done properly.
// Per host and resource, users whose forecast target (the newsvendor quantile,
// clamped to [min, max]) exceeds their limit are receivers; users whose limit
// exceeds their target are donors of the excess. Receivers are served in
// descending priority, then descending expected gain per unit: first from the
// host's free capacity, then by transfers from donors taken in ascending order
// of change cost (then priority, then largest excess). A receiver may take
// from several donors (the seed stopped at the first), and every grant or
// transfer is made only when its benefit exceeds its cost:
//
//   benefit = receiver's expected cost avoided over `benefit_window`
//             + the donor's own expected over-provision saved
//   cost    = change cost of the receiver (once) + of the donor (once)
//             + the donor's expected under-provision added (0 for true excess)
//
// Targets: when a host can hold every target they are the newsvendor targets,
// and donors give only the excess above their own, so a transfer never hurts a
// donor's service level. When it cannot (`share_when_contended`, default), the
// targets are the users' water-filled shares (water_filling.hpp): transfers
// then move capacity to where its marginal value is highest, and a donor's
// expected loss is part of each transfer's cost. Unused excess is released
// when `release_excess` is on and releasing it is worth its change cost.
// Shrinks come before grows.
// Each move carries the summed benefit and cost of the transfers it takes
// part in (benefit > cost for each of them).
//
// | type           | name           | description                               | default |
// |----------------|----------------|-------------------------------------------|---------|
// | absl::Duration | benefit_window | expected life of a limit, benefits count over | 1 h (at least a step) |
// | bool           | release_excess | shrink idle excess nobody receives        | true    |
// | double         | min_transfer   | smallest transfer, relative to the target | 0.01    |
// | bool           | share_when_contended | water-filled targets on full hosts  | true    |
#ifndef FORESIGHT_ALLOCATE_PROACTIVE_DONOR_HPP_
#define FORESIGHT_ALLOCATE_PROACTIVE_DONOR_HPP_

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/plan_builder.hpp"
#include "foresight/allocate/internal/quantile_curve.hpp"
#include "foresight/allocate/water_filling.hpp"

namespace foresight {

class ProactiveDonor {
 public:
  static std::string_view Name() { return "proactive_donor"; }
  // Keeps nothing by slot.
  void Forget(Slot) {}

  absl::Duration benefit_window() const { return benefit_window_; }
  void set_benefit_window(absl::Duration d) { benefit_window_ = d; }
  bool release_excess() const { return release_excess_; }
  void set_release_excess(bool v) { release_excess_ = v; }
  bool share_when_contended() const { return share_when_contended_; }
  void set_share_when_contended(bool v) { share_when_contended_ = v; }
  double min_transfer() const { return min_transfer_; }
  void set_min_transfer(double v) { min_transfer_ = std::max(0.0, v); }

  // Number of donor -> receiver transfers in the last plan.
  std::size_t last_transfers() const { return last_transfers_; }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out);

 private:
  struct Party {
    std::uint32_t index;
    double alloc;   // limit as the matching goes
    double target;  // newsvendor target within [min, max]
    double key;     // sort key
    bool changed = false;
    bool transferred = false;
    double benefit = 0.0;
    double cost = 0.0;
  };

  absl::Duration benefit_window_ = absl::Hours(1);
  bool release_excess_ = true;
  double min_transfer_ = 0.01;
  bool share_when_contended_ = true;
  std::size_t last_transfers_ = 0;
  WaterFilling shares_;
  std::vector<double> share_, share_lambda_;

  internal::HostIndex hosts_;
  internal::PlanBuilder builder_;
  std::vector<Party> receivers_, donors_;
};
static_assert(Allocator<ProactiveDonor> && SlotForgetting<ProactiveDonor>);

}  // namespace foresight

#include "foresight/allocate/proactive_donor_impl.hpp"

#endif  // FORESIGHT_ALLOCATE_PROACTIVE_DONOR_HPP_
