// -----------------------------------------------------------------------------
// File: observation.hpp
// -----------------------------------------------------------------------------
//
// What a `Pool` reports at one instant: per user its usage, its committed
// allocation (the last limits asked for, including changes still waiting out
// their lead time: what the allocator's next move is measured from and what
// grows are admitted against), the host it runs on and the events since the
// last observation; per host its capacity. Observations are filled into a reused
// buffer so a tick allocates nothing in steady state.
#ifndef FORESIGHT_TELEMETRY_OBSERVATION_HPP_
#define FORESIGHT_TELEMETRY_OBSERVATION_HPP_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"

namespace foresight {

// Bit flags for what happened to a user since the previous observation.
enum UserEvent : std::uint32_t {
  kEventNone = 0,
  kEventOom = 1u << 0,             // memory demand exceeded the memory limit
  kEventCpuThrottled = 1u << 1,    // CPU demand exceeded the CPU limit
  kEventIoThrottled = 1u << 2,     // IO demand exceeded the IO limit
  kEventNetThrottled = 1u << 3,    // network demand exceeded the network limit
  kEventSessionStart = 1u << 4,    // an interactive session began
  kEventSessionEnd = 1u << 5,      // an interactive session ended
  kEventAppLaunch = 1u << 6,       // `app` holds the id of an application launched
  kEventPreempted = 1u << 7,       // the user's work was suspended or killed
  kEventActuationFailed = 1u << 8, // a requested change could not be applied
  kEventNoSample = 1u << 9,        // no usage sample this interval: `usage` holds the
                                   // last known usage and is not a measurement
  kEventDeleted = 1u << 10,        // the user is gone for good (a VM deleted): its last
                                   // report, with kEventNoSample; its limits are released
};

struct UserObservation {
  UserId user;
  std::uint32_t host = 0;
  ResourceVector usage;       // measured usage over the last interval
  ResourceVector allocation;  // committed limits (pending changes included)
  std::uint32_t events = kEventNone;
  std::int32_t app = -1;      // application launched (with kEventAppLaunch), else -1
  std::int32_t intent = -1;   // declared intent id (e.g. "starting video edit"), else -1
};

struct Observation {
  absl::Time time;
  absl::Duration interval;                 // length of the interval `usage` covers
  std::vector<UserObservation> users;      // at most one entry per user
  std::vector<ResourceVector> host_capacity;

  void Clear() {
    users.clear();
    host_capacity.clear();
  }
};

// Checks the invariants every consumer of an observation relies on: finite,
// non-negative amounts and known hosts. Returns an error naming the user.
inline absl::Status ValidateObservation(const Observation& obs) {
  for (std::size_t h = 0; h < obs.host_capacity.size(); ++h) {
    if (!IsValidAmount(obs.host_capacity[h])) {
      return absl::InvalidArgumentError(absl::StrCat("host ", h, " has an invalid capacity"));
    }
  }
  for (const UserObservation& u : obs.users) {
    if (!IsValidAmount(u.usage)) {
      return absl::InvalidArgumentError(
          absl::StrCat(ToString(u.user), ": usage is NaN, infinite or negative"));
    }
    if (!IsValidAmount(u.allocation)) {
      return absl::InvalidArgumentError(
          absl::StrCat(ToString(u.user), ": allocation is NaN, infinite or negative"));
    }
    if (u.host >= obs.host_capacity.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(ToString(u.user), ": unknown host ", u.host));
    }
  }
  return absl::OkStatus();
}

}  // namespace foresight

#endif  // FORESIGHT_TELEMETRY_OBSERVATION_HPP_
