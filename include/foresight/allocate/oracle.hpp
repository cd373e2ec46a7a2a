// -----------------------------------------------------------------------------
// File: oracle.hpp
// -----------------------------------------------------------------------------
//
// `Oracle` has perfect foresight of the replayed workload: it sets each limit
// to the demand at the step where the change takes effect (plus an optional
// headroom), within capacity. It exists for evaluation only, as the bound
// `gap_closed` measures against; it cannot run on a real pool.
//
// | type     | name     | description                         | default |
// |----------|----------|-------------------------------------|---------|
// | Workload | workload | the demand being replayed (borrowed)| —       |
// | double   | headroom | fraction added to the true demand    | 0       |
#ifndef FORESIGHT_ALLOCATE_ORACLE_HPP_
#define FORESIGHT_ALLOCATE_ORACLE_HPP_

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/capacity.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {

class Oracle {
 public:
  explicit Oracle(const Workload& workload, double headroom = 0.0)
      : workload_(&workload), headroom_(headroom) {
    for (std::size_t u = 0; u < workload.users.size(); ++u) index_[workload.users[u].id] = u;
  }
  static std::string_view Name() { return "oracle"; }
  static constexpr bool kReadsOutlook = false;  // the workload's future itself
  // Keeps nothing by slot (it looks demand up by user id).
  void Forget(Slot) {}

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out) {
    out.Clear();
    if (absl::Status s = ValidateRequest(req); !s.ok()) return s;
    const std::int64_t now_step = IDiv(req.now - workload_->start,
                                                     workload_->step);
    desires_.resize(req.users.size() * kNumResources);
    for (std::size_t i = 0; i < req.users.size(); ++i) {
      auto it = index_.find(req.users[i].user);
      for (Resource r : kAllResources) {
        internal::Desire& d = desires_[i * kNumResources + Index(r)];
        d.reason = Reason::kOracle;
        d.level = 1.0;
        d.target = req.users[i].allocation[r];
        // Users and times the workload does not cover keep their limits.
        if (it == index_.end() || now_step < 0) continue;
        const std::size_t steps = workload_->num_steps();
        const std::size_t k = std::min<std::size_t>(
            static_cast<std::size_t>(now_step + LeadSteps(req.lead_time[r], req.step)),
            steps - 1);
        const double demand = workload_->Demand(it->second, k, r);
        if (std::isnan(demand)) continue;
        d.forecast = demand;
        d.target = std::clamp(demand * (1 + headroom_), req.costs[i].min[r],
                              std::max(req.costs[i].min[r], req.costs[i].max[r]));
      }
    }
    internal::EmitWithinCapacity(req, desires_, out);
    return absl::OkStatus();
  }

 private:
  const Workload* workload_;
  double headroom_;
  absl::flat_hash_map<UserId, std::size_t> index_;
  std::vector<internal::Desire> desires_;
};
static_assert(Allocator<Oracle> && SlotForgetting<Oracle>);

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_ORACLE_HPP_
