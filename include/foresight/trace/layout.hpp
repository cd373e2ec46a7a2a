// -----------------------------------------------------------------------------
// File: layout.hpp
// -----------------------------------------------------------------------------
//
// Where a replayed trace's users live:
//
//   RightSizingLayout   one host per user with ample capacity (10x the most the
//                       user ever needs or was given), so no user competes with
//                       another: how closely each policy tracks each entity.
//   ContentionLayout    users packed onto `hosts` identical hosts of `capacity`
//                       (first-fit decreasing on peak demand, spilling to the
//                       least loaded host), initial allocations scaled down per
//                       host to fit, so allocators must trade users off. Users
//                       that never live at the same time (`UserLives`) share
//                       room: a host's load is counted per block of at most
//                       steps / kMaxLayoutBlocks steps, so a trace where every
//                       user lives throughout packs as without time.
#ifndef FORESIGHT_TRACE_LAYOUT_HPP_
#define FORESIGHT_TRACE_LAYOUT_HPP_

#include <cstddef>

#include "absl/status/status.h"
#include "foresight/core/resources.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {

// ContentionLayout's time resolution: at most this many blocks of steps.
inline constexpr std::size_t kMaxLayoutBlocks = 2048;

absl::Status RightSizingLayout(Workload& workload);
absl::Status ContentionLayout(Workload& workload, std::size_t hosts,
                              const ResourceVector& capacity);

// Per user, per resource, the largest present demand (0 when never present).
std::vector<ResourceVector> PeakDemand(const Workload& workload);

}  // namespace foresight

#endif  // FORESIGHT_TRACE_LAYOUT_HPP_
