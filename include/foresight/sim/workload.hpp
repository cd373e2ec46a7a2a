// -----------------------------------------------------------------------------
// File: workload.hpp
// -----------------------------------------------------------------------------
//
// A `Workload` is per-user demand for all four resources on a fixed time grid,
// plus what a pool needs to host it: users' hosts, priorities and starting
// limits, host capacities, and optional per-step application launches. The
// built-in generator (`GenerateWorkload`, sim/generator.hpp) and the trace
// loaders both produce one; `SimulatedPool` replays one.
//
// Missing samples are NaN (never zero): a pool reports no observation for that
// user at that step, and metrics skip it. A user exists from its first present
// sample to its last (`UserLives`): `SimulatedPool` admits it on its host at
// the first and releases its limits after the last. Demand is stored per user
// over its window only (`DemandTable`), so memory goes with the steps users
// live, not with users x steps.
#ifndef FORESIGHT_SIM_WORKLOAD_HPP_
#define FORESIGHT_SIM_WORKLOAD_HPP_

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"
#include "foresight/sim/demand_table.hpp"
#include "xtensor/xtensor.hpp"

namespace foresight {

struct WorkloadUser {
  UserId id;
  std::string name;        // host-side name (VM id, container name, ...)
  std::string archetype;   // generator archetype or trace format, for reports
  std::uint32_t host = 0;
  double priority = 1.0;
  ResourceVector initial_allocation;  // limits at the start of the replay
};

struct Workload {
  absl::Time start = absl::UnixEpoch();
  absl::Duration step = absl::Minutes(5);
  std::vector<WorkloadUser> users;
  std::vector<ResourceVector> host_capacity;
  DemandTable demand;                    // users x steps x 4; NaN = missing
  xt::xtensor<std::int32_t, 2> app;      // users x steps: app launched, -1 if none (may be empty)

  std::size_t num_users() const { return users.size(); }
  std::size_t num_steps() const { return demand.steps(); }
  absl::Time time(std::size_t step_index) const {
    return start + step * static_cast<std::int64_t>(step_index);
  }
  double Demand(std::size_t user, std::size_t step_index, Resource r) const {
    return demand(user, step_index, Index(r));
  }
  ResourceVector DemandVector(std::size_t user, std::size_t step_index) const {
    return demand.Vector(user, step_index);
  }
  bool Present(std::size_t user, std::size_t step_index) const {
    return !std::isnan(demand(user, step_index, 0));
  }
  std::int32_t App(std::size_t user, std::size_t step_index) const {
    return app.size() == 0 ? -1 : app(user, step_index);
  }
};

// A user's life on the workload's grid: the window from its first present
// step to its last. Before `first` it does not exist yet and after `last` it
// is gone (a VM not yet created, or deleted); a missing sample between the two
// is a gap in a running user. `empty()` for a user never present. It lies
// inside the user's demand window, which may also hold missing steps at its
// ends (a loaded entity's partial first or last step).
using UserLife = StepWindow;

// Every user's life, in workload order: O(steps in the users' windows).
inline std::vector<UserLife> UserLives(const Workload& w) {
  std::vector<UserLife> lives(w.num_users());
  for (std::size_t u = 0; u < w.num_users(); ++u) {
    const StepWindow& window = w.demand.window(u);
    for (std::size_t t = window.first; window.Contains(t); ++t) {
      if (!w.Present(u, t)) continue;
      if (lives[u].empty()) lives[u].first = t;
      lives[u].last = t;
    }
  }
  return lives;
}

// The entity-steps a replay walks: each user's steps from its first present
// sample to its last, summed (`UserLives`). Replay rates are quoted per
// entity-step of these, not per cell of users x steps, which on a trace of
// short-lived VMs counts mostly steps at which they do not exist.
inline std::size_t LiveEntitySteps(const Workload& w) {
  std::size_t n = 0;
  for (const UserLife& life : UserLives(w)) n += life.size();
  return n;
}

// Checks shapes, hosts, capacities and that present demand is finite and >= 0.
inline absl::Status ValidateWorkload(const Workload& w) {
  if (w.step <= absl::ZeroDuration()) return absl::InvalidArgumentError("workload step must be > 0");
  if (w.demand.users() != w.users.size()) {
    return absl::InvalidArgumentError(absl::StrCat("workload demand holds ", w.demand.users(),
                                                   " users for ", w.users.size()));
  }
  if (w.app.size() != 0 && (w.app.shape()[0] != w.users.size() ||
                            w.app.shape()[1] != w.num_steps())) {
    return absl::InvalidArgumentError("workload app launches must be users x steps");
  }
  if (w.host_capacity.empty()) return absl::InvalidArgumentError("workload has no hosts");
  for (std::size_t h = 0; h < w.host_capacity.size(); ++h) {
    if (!IsValidAmount(w.host_capacity[h])) {
      return absl::InvalidArgumentError(absl::StrCat("host ", h, " has an invalid capacity"));
    }
  }
  for (std::size_t u = 0; u < w.users.size(); ++u) {
    if (w.users[u].host >= w.host_capacity.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("user '", w.users[u].name, "' is on unknown host ", w.users[u].host));
    }
    const StepWindow& window = w.demand.window(u);
    for (std::size_t t = window.first; window.Contains(t); ++t) {
      for (std::size_t r = 0; r < kNumResources; ++r) {
        const double d = w.demand(u, t, r);
        if (std::isnan(d)) continue;
        if (!std::isfinite(d) || d < 0) {
          return absl::InvalidArgumentError(absl::StrCat("user '", w.users[u].name, "' step ", t,
                                                         ": demand ", d, " is not a valid amount"));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace foresight

#endif  // FORESIGHT_SIM_WORKLOAD_HPP_
