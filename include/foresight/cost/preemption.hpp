// -----------------------------------------------------------------------------
// File: preemption.hpp
// -----------------------------------------------------------------------------
//
// The price of preempting a running user and the value of what it frees
// (seed 000's cost/benefit analyser).
//
// Cost of preempting a victim that holds `allocation` and whose shortfall
// costs `under` per unit-second (priority included, as in `CostTerms`):
//
//   value_rate = sum_r under[r] * allocation[r]           (cost per second off)
//   work_lost  = suspend: 0
//                requeue: now + grace - last checkpoint    (redone after restart)
//                kill:    now + grace - start              (everything redone)
//   delay      = displacement (time kept off) + restart overhead (not for kill)
//   cost       = value_rate * (work_lost + delay)
//
// A job whose remaining completion time is within the grace period finishes
// on its own: its cost is 0 and `finishes_in_grace` says so (YARN's
// "natural termination"). `work_lost_resource_seconds` = work_lost x
// allocation, per resource, for the audit.
//
// Benefit of the freed capacity: P(the higher-priority demand arrives within
// the lead time) x its value = p x amount x value per unit-second x window.
//
// `JobTable` keeps what the host knows of each user's running work (start,
// last checkpoint, remaining-time estimate); users it does not know are
// assumed to have started `default_age` ago and checkpointed
// `default_since_checkpoint` ago.
#ifndef FORESIGHT_COST_PREEMPTION_HPP_
#define FORESIGHT_COST_PREEMPTION_HPP_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"
#include "foresight/cost/cost_model.hpp"

namespace foresight {

enum class PreemptMode : std::uint8_t { kSuspend, kRequeue, kKill };

constexpr std::string_view PreemptModeName(PreemptMode m) {
  constexpr std::string_view kNames[] = {"suspend", "requeue", "kill"};
  return kNames[static_cast<int>(m)];
}

// What the host knows about one user's running work.
struct JobProgress {
  absl::Time started = absl::InfinitePast();
  absl::Time last_checkpoint = absl::InfinitePast();  // = started if it never checkpointed
  absl::Duration remaining = absl::InfiniteDuration();  // estimated time to completion
};

struct PreemptionContext {
  absl::Time now;
  PreemptMode mode = PreemptMode::kRequeue;
  absl::Duration grace = absl::ZeroDuration();           // runs this long after the warning
  absl::Duration displacement = absl::Minutes(5);        // kept off this long
  absl::Duration restart_overhead = absl::Minutes(1);    // resume / requeue cost
  ResourceVector allocation;                             // what the victim holds
  JobProgress job;
};

struct PreemptionCostBreakdown {
  double value_rate = 0.0;             // cost per second without the allocation
  double work_lost_seconds = 0.0;
  double delay_seconds = 0.0;
  ResourceVector work_lost_resource_seconds;
  bool finishes_in_grace = false;
  double total = 0.0;
};

inline PreemptionCostBreakdown PreemptionCostOf(const CostTerms& terms,
                                                const PreemptionContext& ctx) {
  PreemptionCostBreakdown b;
  for (Resource r : kAllResources) b.value_rate += terms.under[r] * ctx.allocation[r];
  if (ctx.job.remaining <= ctx.grace) {
    b.finishes_in_grace = true;
    return b;
  }
  const absl::Time effective = ctx.now + ctx.grace;
  auto since = [&](absl::Time t) {
    return t == absl::InfinitePast() ? 0.0 : std::max(0.0, absl::ToDoubleSeconds(effective - t));
  };
  switch (ctx.mode) {
    case PreemptMode::kSuspend:
      b.work_lost_seconds = 0.0;
      b.delay_seconds = absl::ToDoubleSeconds(ctx.displacement + ctx.restart_overhead);
      break;
    case PreemptMode::kRequeue: {
      const absl::Time cp = ctx.job.last_checkpoint == absl::InfinitePast() ? ctx.job.started
                                                                             : ctx.job.last_checkpoint;
      b.work_lost_seconds = since(cp);
      b.delay_seconds = absl::ToDoubleSeconds(ctx.displacement + ctx.restart_overhead);
      break;
    }
    case PreemptMode::kKill:
      b.work_lost_seconds = since(ctx.job.started);
      b.delay_seconds = absl::ToDoubleSeconds(ctx.displacement);
      break;
  }
  b.work_lost_resource_seconds = ctx.allocation * b.work_lost_seconds;
  b.total = b.value_rate * (b.work_lost_seconds + b.delay_seconds);
  return b;
}

// Expected value of freeing `amount` for a need that arrives within the lead
// time with probability `arrival_probability` and is worth
// `value_per_unit_second` for `window`.
inline double FreedCapacityBenefit(double arrival_probability, double amount,
                                   double value_per_unit_second, absl::Duration window) {
  return std::clamp(arrival_probability, 0.0, 1.0) * std::max(0.0, amount) *
         std::max(0.0, value_per_unit_second) * absl::ToDoubleSeconds(window);
}

// Per-user job progress, with defaults for users the host did not describe.
class JobTable {
 public:
  absl::Duration default_age() const { return default_age_; }
  void set_default_age(absl::Duration d) { default_age_ = d; }
  absl::Duration default_since_checkpoint() const { return default_since_checkpoint_; }
  void set_default_since_checkpoint(absl::Duration d) { default_since_checkpoint_ = d; }

  absl::Status Set(UserId user, const JobProgress& job) {
    if (job.started == absl::InfinitePast() || job.last_checkpoint < job.started ||
        job.remaining < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          ToString(user), ": job needs a start, a checkpoint not before it and remaining >= 0"));
    }
    jobs_[user] = job;
    return absl::OkStatus();
  }
  void Erase(UserId user) { jobs_.erase(user); }

  JobProgress Get(UserId user, absl::Time now) const {
    auto it = jobs_.find(user);
    if (it != jobs_.end()) return it->second;
    JobProgress j;
    j.started = now - default_age_;
    j.last_checkpoint = now - std::min(default_since_checkpoint_, default_age_);
    return j;
  }

 private:
  absl::Duration default_age_ = absl::Hours(1);
  absl::Duration default_since_checkpoint_ = absl::Minutes(10);
  absl::flat_hash_map<UserId, JobProgress> jobs_;
};

}  // namespace foresight

#endif  // FORESIGHT_COST_PREEMPTION_HPP_
