// -----------------------------------------------------------------------------
// File: internal/adapter_common.hpp
// -----------------------------------------------------------------------------
//
// Pieces every real `Pool` adapter (CgroupPool, LibvirtPool) shares: the
// Observe clock check, counter deltas as rates, the capacity check a grow
// must pass before it is actuated, and the last report of a removed user.
#ifndef FORESIGHT_POOL_INTERNAL_ADAPTER_COMMON_HPP_
#define FORESIGHT_POOL_INTERNAL_ADAPTER_COMMON_HPP_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/core/resources.hpp"
#include "foresight/core/units.hpp"
#include "foresight/core/user.hpp"
#include "foresight/telemetry/observation.hpp"

namespace foresight::internal {

// OkStatus when `now` is finite and not earlier than the previous observation.
inline absl::Status CheckObserveTime(bool has_last, absl::Time last, absl::Time now) {
  if (now == absl::InfiniteFuture() || now == absl::InfinitePast()) {
    return absl::InvalidArgumentError("Observe needs a finite time");
  }
  if (has_last && now < last) {
    return absl::InvalidArgumentError(absl::StrCat("Observe at ", absl::FormatTime(now),
                                                   " is earlier than the previous one at ",
                                                   absl::FormatTime(last)));
  }
  return absl::OkStatus();
}

// Appends one report per user removed since the last observation, flagged
// `kEventDeleted | kEventNoSample` with zero usage and limits (the Controller
// ends its forecasts), and forgets them.
inline void ReportRemoved(std::vector<UserId>& removed, Observation& out) {
  for (UserId id : removed) {
    UserObservation u;
    u.user = id;
    u.events = kEventDeleted | kEventNoSample;
    out.users.push_back(u);
  }
  removed.clear();
}

// (now - before) * scale per second; 0 for the first sample (seconds <= 0) and
// when the counter went backwards (the group or domain was recreated).
inline double CounterRate(std::uint64_t now, std::uint64_t before, double scale, double seconds) {
  if (seconds <= 0.0 || now < before) return 0.0;
  return static_cast<double>(now - before) * scale / seconds;
}

// FailedPreconditionError when growing one limit from `before` to `to` would
// put the host's sum of limits (`sum`, which includes `before`) above `capacity`.
inline absl::Status CheckGrowFits(std::string_view who, Resource r, double before, double to,
                                  double sum, double capacity) {
  if (to <= before || sum - before + to <= capacity * (1 + 1e-9)) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(Sv(who), ": growing ", FormatQuantity(before, r), " -> ", FormatQuantity(to, r),
                   " would put the host at ", FormatQuantity(sum - before + to, r),
                   " above its capacity ", FormatQuantity(capacity, r)));
}

}  // namespace foresight::internal

#endif  // FORESIGHT_POOL_INTERNAL_ADAPTER_COMMON_HPP_
