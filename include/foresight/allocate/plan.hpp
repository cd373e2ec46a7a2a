// -----------------------------------------------------------------------------
// File: plan.hpp
// -----------------------------------------------------------------------------
//
// An `AllocationPlan` is an ordered list of `Move`s: set a user's limit of one
// resource from `from` to `to`, preempt, migrate or provision. Every move
// carries the numbers behind it (service level, forecast quantile, expected
// benefit and cost) and a `Reason`, so a decision can be explained.
//
// Plans are applied in order, and every allocator emits shrinks before grows
// (`OrderShrinksFirst`), so that capacity is never exceeded mid-plan even when
// an actuation fails half-way: a grow only ever uses capacity that is already free.
#ifndef FORESIGHT_ALLOCATE_PLAN_HPP_
#define FORESIGHT_ALLOCATE_PLAN_HPP_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"
#include "foresight/telemetry/observation.hpp"

namespace foresight {

enum class MoveKind : std::uint8_t {
  kResize,     // change one resource limit of a user in place
  kPreempt,    // suspend / requeue / kill a user's work, freeing its allocation
  kMigrate,    // move a user to another host
  kProvision,  // add or remove a node
};

enum class Reason : std::uint8_t {
  kForecast,        // proactive: forecast quantile at the lead time
  kReactive,        // reactive: recent usage percentile or ratio
  kOomBump,         // grow after an out-of-memory event
  kCapacityShare,   // reduced because the host cannot give every user its target
  kTransfer,        // donor/receiver transfer whose benefit exceeded its cost
  kPreemption,      // freed for a higher-priority need
  kFallback,        // denied request degraded, queued or taken from low priority
  kPolicy,          // clamped by a user/group constraint
  kOverride,        // forced by an administrator
  kOracle,          // perfect foresight (evaluation only)
  kIdle,            // deallocated because the user is idle
};

constexpr std::string_view ReasonName(Reason r) {
  constexpr std::string_view kNames[] = {"forecast", "reactive",   "oom_bump", "capacity_share",
                                         "transfer", "preemption", "fallback", "policy",
                                         "override", "oracle",     "idle"};
  return kNames[static_cast<int>(r)];
}
constexpr std::string_view MoveKindName(MoveKind k) {
  constexpr std::string_view kNames[] = {"resize", "preempt", "migrate", "provision"};
  return kNames[static_cast<int>(k)];
}

struct Move {
  UserId user;
  std::uint32_t index = 0;  // position of the user in the request's `users`
  Resource resource = Resource::kCpu;
  MoveKind kind = MoveKind::kResize;
  Reason reason = Reason::kForecast;
  double from = 0.0;        // limit in force when planned
  double to = 0.0;          // limit asked for
  std::uint32_t to_host = 0;  // kMigrate: destination host
  // The numbers behind the decision (NaN when not applicable).
  double level = 0.0;       // service level targeted (quantile probability)
  double forecast = 0.0;    // forecast demand at that level
  double benefit = 0.0;     // expected cost avoided by the move
  double cost = 0.0;        // cost of making the move (change / preemption)

  bool is_shrink() const { return to < from; }
};

struct AllocationPlan {
  std::vector<Move> moves;

  void Clear() { moves.clear(); }
  bool empty() const { return moves.empty(); }
  std::size_t size() const { return moves.size(); }

  // Stable: shrinks (and preemptions) first, then everything else, each group
  // in its original order.
  void OrderShrinksFirst() {
    std::stable_partition(moves.begin(), moves.end(), [](const Move& m) {
      return m.kind == MoveKind::kPreempt || (m.kind == MoveKind::kResize && m.is_shrink());
    });
  }
};

// Sum of allocations per host if `plan`'s resize moves were applied to `users`.
inline std::vector<ResourceVector> AllocationAfter(std::span<const UserObservation> users,
                                                   const AllocationPlan& plan,
                                                   std::size_t num_hosts) {
  std::vector<ResourceVector> alloc(users.size());
  for (std::size_t i = 0; i < users.size(); ++i) alloc[i] = users[i].allocation;
  for (const Move& m : plan.moves) {
    if (m.index >= users.size()) continue;
    if (m.kind == MoveKind::kResize) alloc[m.index][m.resource] = m.to;
    if (m.kind == MoveKind::kPreempt) alloc[m.index][m.resource] = m.to;
  }
  std::vector<ResourceVector> per_host(num_hosts);
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (users[i].host < num_hosts) per_host[users[i].host] += alloc[i];
  }
  return per_host;
}

// Checks that applying `plan` move by move, in order, never puts any host
// above its capacity, and that every move names a user of the request with a
// finite, non-negative target. Returns an error naming the first violation.
inline absl::Status CheckPlan(std::span<const UserObservation> users,
                              std::span<const ResourceVector> capacity,
                              const AllocationPlan& plan, double tolerance = 1e-6) {
  std::vector<ResourceVector> used(capacity.size());
  std::vector<ResourceVector> current(users.size());
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (users[i].host >= used.size()) {
      return absl::InvalidArgumentError(absl::StrCat(ToString(users[i].user), " is on unknown host ",
                                                     users[i].host));
    }
    used[users[i].host] += users[i].allocation;
    current[i] = users[i].allocation;
  }
  for (std::size_t k = 0; k < plan.moves.size(); ++k) {
    const Move& m = plan.moves[k];
    if (m.index >= users.size() || users[m.index].user != m.user) {
      return absl::InvalidArgumentError(absl::StrCat("move ", k, " names an unknown user"));
    }
    if (!(m.to >= 0.0) || !std::isfinite(m.to)) {
      return absl::InvalidArgumentError(
          absl::StrCat("move ", k, " (", ToString(m.user), ") has an invalid target ", m.to));
    }
    if (m.kind != MoveKind::kResize && m.kind != MoveKind::kPreempt) continue;
    const std::uint32_t host = users[m.index].host;
    double& now = current[m.index][m.resource];
    used[host][m.resource] += m.to - now;
    now = m.to;
    const double cap = capacity[host][m.resource];
    if (used[host][m.resource] > cap * (1 + tolerance) + tolerance) {
      return absl::FailedPreconditionError(absl::StrCat(
          "move ", k, " (", ToString(m.user), " ", Sv(ResourceName(m.resource)), " ", m.from, " -> ",
          m.to, ") puts host ", host, " at ", used[host][m.resource], " above capacity ", cap));
    }
  }
  return absl::OkStatus();
}

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_PLAN_HPP_
