// -----------------------------------------------------------------------------
// File: pool.hpp
// -----------------------------------------------------------------------------
//
// `Pool` is the role of the resources being allocated: it reports what users
// use and hold (`Observe`) and carries out plans (`Apply`). A change asked at
// time t takes effect at t + `LeadTime(resource)`. Adapters act on the real
// thing (cgroups, libvirt); `SimulatedPool` replays a workload.
//
// Requirements:   absl::Status Observe(absl::Time now, Observation& out);
//                 absl::Status Apply(absl::Time now, const AllocationPlan& plan,
//                                    std::vector<absl::Status>& results);
//                 absl::Duration LeadTime(Resource) const;
//                 PoolCapabilities capabilities() const;
//                 static std::string_view Name();
// Contract:       `Apply` writes one Status per move into `results` (resized to
//                 the plan); a failed move leaves that user's limit as it was;
//                 the sum of limits on a host never exceeds its capacity at any
//                 instant, whatever fails (moves are applied in order, and a grow
//                 that would not fit is refused with FailedPreconditionError).
//                 `Observe` fails with InvalidArgumentError for `now` earlier
//                 than the previous call. `Apply` returns OkStatus once the plan
//                 was walked, whatever the individual moves did; its own error
//                 (copied into every move's result) only when it could not walk
//                 the plan at all (e.g. the current limits cannot be read).
// Shipped:        SimulatedPool (foundation), CgroupPool (v2 and v1), LibvirtPool.
#ifndef FORESIGHT_POOL_POOL_HPP_
#define FORESIGHT_POOL_POOL_HPP_

#include <concepts>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "foresight/allocate/plan.hpp"
#include "foresight/telemetry/observation.hpp"

namespace foresight {

struct PoolCapabilities {
  bool can_migrate = false;
  bool can_provision = false;
  bool can_preempt = false;
};

template <typename P>
concept Pool = requires(P p, const P cp, absl::Time now, Observation& obs,
                        const AllocationPlan& plan, std::vector<absl::Status>& results,
                        Resource r) {
  { p.Observe(now, obs) } -> std::same_as<absl::Status>;
  { p.Apply(now, plan, results) } -> std::same_as<absl::Status>;
  { cp.LeadTime(r) } -> std::same_as<absl::Duration>;
  { cp.capabilities() } -> std::same_as<PoolCapabilities>;
  { P::Name() } -> std::convertible_to<std::string_view>;
};

}  // namespace foresight

#endif  // FORESIGHT_POOL_POOL_HPP_
