// -----------------------------------------------------------------------------
// File: simulated_pool.hpp
// -----------------------------------------------------------------------------
//
// `SimulatedPool` replays a `Workload` as a `Pool`: hosts with capacities,
// users with demand over time, per-resource actuation lead time (a change asked
// at t takes effect at t + lead), out-of-memory events when memory demand is
// above the memory limit, throttling when CPU (io, net) demand is above its
// limit, and fault injection (a configurable fraction of actuations fail, or
// take effect late).
//
// Capacity is a hard invariant: the sum of limits on a host never exceeds its
// capacity at any instant. `Apply` admits a grow only if the host's committed
// limits (pending targets where a change is pending, else limits in force) stay
// within capacity; when changes fall due, shrinks take effect before grows, and
// a grow whose room is not free yet (a delayed or failed shrink) waits. Every
// instant is checked and any excess is counted in `capacity_violations()`,
// which the tests require to be 0: every host on freshly summed limits at each
// observation, and inside `Apply` the hosts whose limits a move changed.
//
// Users come and go: a user exists from its first present sample to its last
// (`UserLives`, sim/workload.hpp). Until then it holds nothing on its host and
// is not reported; at its first sample it is admitted with its starting limits,
// cut to the room free on its host if the others have taken it (counted in
// `short_admissions()`); after its last sample its limits are released,
// pending changes dropped, and it is reported once more, flagged
// `kEventDeleted` (the Controller ends its forecasts), then no more.
// Admission and release are not limit changes. Observe costs O(users alive),
// not O(users ever). A change with no lead time takes effect inside `Apply` at
// the cost of the grows still waiting for room (usually none), not of every
// user alive, so a plan of k such moves costs about O(k), not O(k x users).
// A user present from the first step to the last (every generated workload
// without `--mean-lifetime`) is replayed exactly as before lifetimes existed.
//
// Observed usage is the user's demand (what a pressure-stall or unthrottled
// probe would measure); `kEventOom` / `kEvent*Throttled` flag the steps where
// demand exceeded the limit in force. At a step where a user's demand is
// missing (NaN) the user is still reported, flagged `kEventNoSample`, with the
// last known usage held, so decisions keep being made across gaps.
//
// | type     | name          | description                                   | default |
// |----------|---------------|-----------------------------------------------|---------|
// | Duration | lead_time     | per resource: delay before a change applies   | cpu 0, memory 10 min, io 0, net 0 |
// | double   | failure_rate  | fraction of moves that fail (limit unchanged) | 0       |
// | double   | delay_rate    | fraction of moves that take effect late       | 0       |
// | Duration | extra_delay   | how late a delayed move is                    | 10 min  |
// | uint64   | seed          | seed of the fault injector                    | 1       |
#ifndef FORESIGHT_POOL_SIMULATED_POOL_HPP_
#define FORESIGHT_POOL_SIMULATED_POOL_HPP_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/allocate/plan.hpp"
#include "foresight/pool/pool.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {

struct SimulatedPoolOptions {
  PerResource<absl::Duration> lead_time{
      {absl::ZeroDuration(), absl::Minutes(10), absl::ZeroDuration(), absl::ZeroDuration()}};
  double failure_rate = 0.0;
  double delay_rate = 0.0;
  absl::Duration extra_delay = absl::Minutes(10);
  std::uint64_t seed = 1;
};

class SimulatedPool {
 public:
  // Validates `workload` and `options`; the workload must outlive the pool.
  static absl::StatusOr<SimulatedPool> Create(const Workload& workload,
                                              SimulatedPoolOptions options = {}) {
    if (absl::Status s = ValidateWorkload(workload); !s.ok()) return s;
    if (!(options.failure_rate >= 0 && options.failure_rate <= 1) ||
        !(options.delay_rate >= 0 && options.delay_rate <= 1)) {
      return absl::InvalidArgumentError("failure_rate and delay_rate must be in [0, 1]");
    }
    for (Resource r : kAllResources) {
      if (options.lead_time[r] < absl::ZeroDuration()) {
        return absl::InvalidArgumentError(
            absl::StrCat("negative lead time for ", Sv(ResourceName(r))));
      }
    }
    return SimulatedPool(workload, options);
  }

  static std::string_view Name() { return "simulated"; }
  absl::Duration LeadTime(Resource r) const { return options_.lead_time[r]; }
  PoolCapabilities capabilities() const { return {}; }
  const Workload& workload() const { return *workload_; }

  absl::Status Observe(absl::Time now, Observation& out) {
    if (now < last_observe_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "observe at ", absl::FormatTime(now), " is before the previous observation at ",
          absl::FormatTime(last_observe_)));
    }
    if (now < workload_->start) {
      return absl::OutOfRangeError("observation before the workload starts");
    }
    const std::size_t step = StepAt(now);
    if (step >= workload_->num_steps()) {
      return absl::OutOfRangeError(absl::StrCat("observation past the end of the workload (step ",
                                                step, " of ", workload_->num_steps(), ")"));
    }
    last_observe_ = now;
    Advance(now);
    out.Clear();
    out.time = now;
    out.interval = workload_->step;
    out.host_capacity = workload_->host_capacity;
    // The users released since the last observation: their last report.
    for (std::size_t u : deleted_unreported_) {
      UserState& s = users_[u];
      UserObservation o;
      o.user = workload_->users[u].id;
      o.host = workload_->users[u].host;
      o.usage = s.last_usage;
      o.events = s.pending_events | kEventNoSample | kEventDeleted;
      s.pending_events = kEventNone;
      out.users.push_back(o);
    }
    deleted_unreported_.clear();
    for (std::size_t u : live_) {  // in workload order
      UserState& s = users_[u];
      UserObservation o;
      o.user = workload_->users[u].id;
      o.host = workload_->users[u].host;
      // The committed limits (the last change asked, pending or not): what
      // will be in force if nothing else is asked, and what grows are
      // admitted against. Reporting the effective limits instead made an
      // allocator that wanted the current value skip the move while an older
      // pending change was still to land.
      for (Resource r : kAllResources) o.allocation[r] = Committed(s, r);
      if (!workload_->Present(u, step)) {
        // A gap: still reported (so decisions keep being made), flagged, with
        // the last known usage; users never seen yet are left out.
        if (!s.seen) continue;
        o.usage = s.last_usage;
        o.events = s.pending_events | kEventNoSample;
        s.pending_events = kEventNone;
        out.users.push_back(o);
        continue;
      }
      o.usage = workload_->DemandVector(u, step);
      s.seen = true;
      s.last_usage = o.usage;
      o.events = s.pending_events;
      s.pending_events = kEventNone;
      if (o.usage.memory() > s.effective.memory()) o.events |= kEventOom;
      if (o.usage.cpu() > s.effective.cpu()) o.events |= kEventCpuThrottled;
      if (o.usage.io() > s.effective.io()) o.events |= kEventIoThrottled;
      if (o.usage.net() > s.effective.net()) o.events |= kEventNetThrottled;
      const std::int32_t app = workload_->App(u, step);
      if (app >= 0) {
        o.events |= kEventAppLaunch;
        o.app = app;
      }
      out.users.push_back(o);
    }
    return absl::OkStatus();
  }

  absl::Status Apply(absl::Time now, const AllocationPlan& plan,
                     std::vector<absl::Status>& results) {
    results.assign(plan.moves.size(), absl::OkStatus());
    for (std::size_t k = 0; k < plan.moves.size(); ++k) {
      results[k] = ApplyMove(now, plan.moves[k]);
      if (!results[k].ok()) ++failed_actuations_;
    }
    return absl::OkStatus();
  }

  // Brings the limits in force up to `now` (changes due by then take effect).
  // `Observe` does this itself; callers scoring the limits in force at `now`
  // before observing call it first.
  void AdvanceTo(absl::Time now) {
    if (now < last_advance_) return;
    Advance(now);
  }

  // Limits in force for user index `u` (workload order).
  const ResourceVector& effective(std::size_t u) const { return users_[u].effective; }
  // Number of effective limit changes (summed over resources) of user `u` so
  // far, and of one resource.
  std::uint64_t changes(std::size_t u) const { return users_[u].changes; }
  std::uint64_t changes(std::size_t u, Resource r) const { return users_[u].changes_by[r]; }
  std::uint64_t capacity_violations() const { return capacity_violations_; }
  std::uint64_t failed_actuations() const { return failed_actuations_; }
  std::uint64_t deferred_grows() const { return deferred_grows_; }
  // Arrivals admitted with less than their starting limits: the room on their
  // host was held by the users already there.
  std::uint64_t short_admissions() const { return short_admissions_; }
  // Whether user `u` exists at the last instant brought up to date.
  bool alive(std::size_t u) const { return users_[u].alive; }
  // The users that exist then, in workload order.
  const std::vector<std::size_t>& live() const { return live_; }
  // The steps user `u` exists (its first present sample to its last).
  const UserLife& life(std::size_t u) const { return lives_[u]; }
  // Whether nothing can happen before the next arrival: no user exists, none
  // awaits its last report, no change is pending. An observation now would
  // be empty, and one at any later instant before `NextArrival()` too.
  bool Quiet() const { return live_.empty() && deleted_unreported_.empty() && busy_.empty(); }
  // The step at which the next user not yet admitted arrives, or
  // `UserLife::kNever` when none will.
  std::size_t NextArrival() const {
    return next_arrival_ < arrivals_.size() ? lives_[arrivals_[next_arrival_]].first
                                            : UserLife::kNever;
  }
  // Sum of limits in force on `host`.
  ResourceVector host_allocation(std::uint32_t host) const { return host_effective_[host]; }

 private:
  // A change asked for and not yet in force. Changes complete at their own due
  // time; when one completes, older ones still pending are superseded.
  struct Pending {
    absl::Time due;
    double target = 0.0;
  };
  struct UserState {
    ResourceVector effective;
    PerResource<std::vector<Pending>> pending;  // in the order asked
    std::uint32_t pending_events = kEventNone;
    std::uint64_t changes = 0;
    PerResource<std::uint64_t> changes_by{};
    bool seen = false;          // a sample has been observed
    ResourceVector last_usage;  // held over gaps
    bool alive = false;         // admitted and not yet released
  };

  // A user's committed limit of `r`: the last change asked, pending or not,
  // else the limit in force.
  static double Committed(const UserState& s, Resource r) {
    const std::vector<Pending>& queue = s.pending[r];
    return queue.empty() ? s.effective[r] : queue.back().target;
  }

  SimulatedPool(const Workload& w, SimulatedPoolOptions options)
      : workload_(&w), options_(options), rng_(options.seed), users_(w.num_users()),
        host_effective_(w.host_capacity.size()), host_committed_(w.host_capacity.size()),
        check_(w.host_capacity.size()), lives_(UserLives(w)) {
    // Users present at the first step start with their limits; the others
    // hold nothing until they arrive.
    for (std::size_t u = 0; u < users_.size(); ++u) {
      index_[w.users[u].id] = u;
      users_[u].alive = lives_[u].Contains(0);
      if (users_[u].alive) users_[u].effective = w.users[u].initial_allocation;
      if (lives_[u].empty()) continue;
      if (users_[u].alive) live_.push_back(u);
      if (!users_[u].alive) arrivals_.push_back(u);
      departures_.push_back(u);
    }
    std::stable_sort(arrivals_.begin(), arrivals_.end(), [&](std::size_t a, std::size_t b) {
      return lives_[a].first < lives_[b].first;
    });
    std::stable_sort(departures_.begin(), departures_.end(), [&](std::size_t a, std::size_t b) {
      return lives_[a].last < lives_[b].last;
    });
    // Starting limits that do not fit are scaled down host by host.
    for (std::size_t u = 0; u < users_.size(); ++u) {
      host_effective_[w.users[u].host] += users_[u].effective;
    }
    for (std::size_t h = 0; h < host_effective_.size(); ++h) {
      for (Resource r : kAllResources) {
        const double cap = w.host_capacity[h][r];
        if (host_effective_[h][r] <= cap) continue;
        const double f = cap / host_effective_[h][r];
        host_effective_[h][r] = 0;
        for (std::size_t u = 0; u < users_.size(); ++u) {
          if (w.users[u].host != h) continue;
          users_[u].effective[r] *= f * (1 - 1e-12);
          host_effective_[h][r] += users_[u].effective[r];
        }
      }
    }
    host_committed_ = host_effective_;
  }

  absl::Status ApplyMove(absl::Time now, const Move& m) {
    auto it = index_.find(m.user);
    if (it == index_.end()) {
      return absl::NotFoundError(absl::StrCat("unknown user ", ToString(m.user)));
    }
    if (m.kind != MoveKind::kResize && m.kind != MoveKind::kPreempt) {
      return absl::UnimplementedError(
          absl::StrCat("simulated pool cannot ", Sv(MoveKindName(m.kind))));
    }
    if (!std::isfinite(m.to) || m.to < 0) {
      return absl::InvalidArgumentError(absl::StrCat("invalid target ", m.to));
    }
    const std::size_t u = it->second;
    const std::uint32_t host = workload_->users[u].host;
    UserState& s = users_[u];
    if (!s.alive) {
      return absl::FailedPreconditionError(
          absl::StrCat(ToString(m.user), " does not exist at ", absl::FormatTime(now),
                       " (not created yet, or deleted)"));
    }
    std::vector<Pending>& queue = s.pending[m.resource];
    const double committed = Committed(s, m.resource);
    const double cap = workload_->host_capacity[host][m.resource];
    const double after = host_committed_[host][m.resource] - committed + m.to;
    if (m.to > committed && after > cap * (1 + kAdmitSlack)) {
      return absl::FailedPreconditionError(absl::StrCat(
          ToString(m.user), " ", Sv(ResourceName(m.resource)), " grow to ", m.to,
          " would commit ", after, " on host ", host, " above capacity ", cap));
    }
    if (options_.failure_rate > 0 && Draw() < options_.failure_rate) {
      s.pending_events |= kEventActuationFailed;
      return absl::UnavailableError(absl::StrCat("injected actuation failure for ",
                                                 ToString(m.user), " ",
                                                 Sv(ResourceName(m.resource))));
    }
    absl::Duration delay = options_.lead_time[m.resource];
    if (options_.delay_rate > 0 && Draw() < options_.delay_rate) {
      delay += options_.extra_delay;
    }
    host_committed_[host][m.resource] = after;
    queue.push_back(Pending{now + delay, m.to});
    const auto at = std::lower_bound(busy_.begin(), busy_.end(), u);
    if (at == busy_.end() || *at != u) busy_.insert(at, u);
    if (delay == absl::ZeroDuration()) {
      if (now == last_advance_) {
        ApplyNow(u, now);
      } else {
        Advance(now);  // time moved: arrivals and departures first
      }
    }
    return absl::OkStatus();
  }

  double Draw() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

  // The workload step `now` falls in (callers check now >= start).
  std::size_t StepAt(absl::Time now) const {
    return static_cast<std::size_t>(IDiv(now - workload_->start, workload_->step));
  }

  // Releases every user whose life ended before `step`: its limits leave the
  // host and its pending changes are dropped. O(departures).
  void Release(std::size_t step) {
    for (; next_departure_ < departures_.size(); ++next_departure_) {
      const std::size_t u = departures_[next_departure_];
      if (step <= lives_[u].last) break;
      UserState& s = users_[u];
      if (!s.alive) continue;
      const std::uint32_t host = workload_->users[u].host;
      for (Resource r : kAllResources) {
        host_committed_[host][r] -= Committed(s, r);
        s.pending[r].clear();
      }
      host_effective_[host] -= s.effective;
      s.effective = ResourceVector{};
      s.alive = false;
      live_.erase(std::lower_bound(live_.begin(), live_.end(), u));
      const auto at = std::lower_bound(busy_.begin(), busy_.end(), u);
      if (at != busy_.end() && *at == u) busy_.erase(at);
      deleted_unreported_.push_back(u);
    }
  }

  // Admits every user whose life has begun by `step` (and not ended): its
  // starting limits, cut to what neither the limits in force nor the
  // committed ones on its host leave unused. O(arrivals).
  void Admit(std::size_t step) {
    for (; next_arrival_ < arrivals_.size(); ++next_arrival_) {
      const std::size_t u = arrivals_[next_arrival_];
      if (step < lives_[u].first) break;
      UserState& s = users_[u];
      // The cursor reaches each arrival once; one whose whole life a jump in
      // time skipped is never admitted.
      if (!lives_[u].Contains(step)) continue;
      const std::uint32_t host = workload_->users[u].host;
      const ResourceVector& want = workload_->users[u].initial_allocation;
      bool cut = false;
      for (Resource r : kAllResources) {
        const double used = std::max(host_effective_[host][r], host_committed_[host][r]);
        const double room = std::max(0.0, workload_->host_capacity[host][r] - used);
        s.effective[r] = std::min(want[r], room);
        if (s.effective[r] < want[r]) cut = true;
      }
      host_effective_[host] += s.effective;
      host_committed_[host] += s.effective;
      s.alive = true;
      live_.insert(std::lower_bound(live_.begin(), live_.end(), u), u);
      if (cut) ++short_admissions_;
    }
  }

  // Brings user `u`'s changes due by `now` of one kind (shrinks, or grows that
  // fit) into force: per resource the newest due change wins and older ones
  // are superseded. Returns whether a grow is left waiting for room.
  bool ApplyDue(std::size_t u, absl::Time now, bool shrinks) {
    UserState& s = users_[u];
    const std::uint32_t host = workload_->users[u].host;
    bool waits = false;
    for (Resource r : kAllResources) {
      std::vector<Pending>& queue = s.pending[r];
      std::size_t due = queue.size();
      for (std::size_t j = queue.size(); j-- > 0;) {
        if (queue[j].due <= now) {
          due = j;
          break;
        }
      }
      if (due == queue.size()) continue;
      const double target = queue[due].target;
      const double delta = target - s.effective[r];
      if ((delta <= 0) != shrinks) continue;
      if (delta > 0 && host_effective_[host][r] + delta >
                           workload_->host_capacity[host][r] * (1 + kAdmitSlack)) {
        ++deferred_grows_;  // room not free yet: retry at the next instant
        waits = true;
        continue;
      }
      host_effective_[host][r] += delta;
      s.effective[r] = target;
      queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(due) + 1);
      if (delta != 0) {
        ++s.changes;
        ++s.changes_by[r];
        changed_hosts_.push_back(host);
      }
    }
    return waits;
  }

  bool Idle(std::size_t u) const {
    for (Resource r : kAllResources) {
      if (!users_[u].pending[r].empty()) return false;
    }
    return true;
  }

  // Applies every pending change due at or before `now`: shrinks, then grows
  // that fit. Checks every host on freshly summed limits and counts any above
  // capacity.
  void Advance(absl::Time now) {
    last_advance_ = std::max(last_advance_, now);
    const bool on_grid = now >= workload_->start;
    if (on_grid) Release(StepAt(now));
    waiting_.clear();
    for (int pass = 0; pass < 2; ++pass) {
      const bool shrinks = pass == 0;
      // Arrivals take the room shrinks freed before any grow does.
      if (!shrinks && on_grid) Admit(StepAt(now));
      // Users with nothing pending have nothing to change; the others in
      // workload order.
      for (std::size_t u : busy_) {
        if (ApplyDue(u, now, shrinks)) waiting_.push_back(u);
      }
    }
    std::erase_if(busy_, [&](std::size_t u) { return Idle(u); });
    // The invariant, checked on freshly summed limits (not the running sums).
    std::fill(check_.begin(), check_.end(), ResourceVector{});
    for (std::size_t u : live_) check_[workload_->users[u].host] += users_[u].effective;
    for (std::size_t h = 0; h < check_.size(); ++h) {
      for (Resource r : kAllResources) {
        if (check_[h][r] > workload_->host_capacity[h][r] * (1 + kViolationSlack)) {
          ++capacity_violations_;
        }
      }
      host_effective_[h] = check_[h];  // re-anchor the running sums
    }
    changed_hosts_.clear();  // every host was just checked
  }

  // A change of user `u` with no lead time, asked at `now`, the instant last
  // advanced to. Does what `Advance(now)` would, visiting only the users whose
  // changes can move: every other due change was applied at that instant, or
  // is a grow still waiting for room (`waiting_`). So `u`'s shrink, then the
  // waiting grows and `u`'s in workload order; then the changed hosts are
  // checked on their running sums. O(waiting users), not O(users alive).
  void ApplyNow(std::size_t u, absl::Time now) {
    changed_hosts_.clear();
    ApplyDue(u, now, /*shrinks=*/true);
    const auto at = std::lower_bound(waiting_.begin(), waiting_.end(), u);
    if (at == waiting_.end() || *at != u) waiting_.insert(at, u);
    visited_.swap(waiting_);
    waiting_.clear();
    for (std::size_t v : visited_) {
      if (ApplyDue(v, now, /*shrinks=*/false)) waiting_.push_back(v);
      if (!Idle(v)) continue;
      const auto b = std::lower_bound(busy_.begin(), busy_.end(), v);
      if (b != busy_.end() && *b == v) busy_.erase(b);
    }
    std::sort(changed_hosts_.begin(), changed_hosts_.end());
    changed_hosts_.erase(std::unique(changed_hosts_.begin(), changed_hosts_.end()),
                         changed_hosts_.end());
    for (std::uint32_t h : changed_hosts_) {
      for (Resource r : kAllResources) {
        if (host_effective_[h][r] > workload_->host_capacity[h][r] * (1 + kViolationSlack)) {
          ++capacity_violations_;
        }
      }
    }
  }

  // Floating-point slack: a grow is admitted up to capacity * (1 + 1e-12);
  // a host counts as over capacity above capacity * (1 + 1e-9).
  static constexpr double kAdmitSlack = 1e-12;
  static constexpr double kViolationSlack = 1e-9;

  const Workload* workload_;
  SimulatedPoolOptions options_;
  std::mt19937_64 rng_;
  std::vector<UserState> users_;
  absl::flat_hash_map<UserId, std::size_t> index_;
  std::vector<ResourceVector> host_effective_;
  std::vector<ResourceVector> host_committed_;
  std::vector<ResourceVector> check_;
  std::vector<UserLife> lives_;
  std::vector<std::size_t> arrivals_;    // users absent at step 0, by first step
  std::vector<std::size_t> departures_;  // users ever present, by last step
  std::size_t next_arrival_ = 0;
  std::vector<std::size_t> live_;                // alive users, ascending
  std::vector<std::size_t> busy_;                // alive users with a change pending, ascending
  std::vector<std::size_t> waiting_;    // users with a due grow waiting for room, ascending
  std::vector<std::size_t> visited_;    // scratch of ApplyNow
  std::vector<std::uint32_t> changed_hosts_;  // hosts whose limits changed since the last check
  std::vector<std::size_t> deleted_unreported_;  // released, last report not sent yet
  std::size_t next_departure_ = 0;
  absl::Time last_observe_ = absl::InfinitePast();
  absl::Time last_advance_ = absl::InfinitePast();
  std::uint64_t capacity_violations_ = 0;
  std::uint64_t failed_actuations_ = 0;
  std::uint64_t deferred_grows_ = 0;
  std::uint64_t short_admissions_ = 0;
};
static_assert(Pool<SimulatedPool>);

}  // namespace foresight

#endif  // FORESIGHT_POOL_SIMULATED_POOL_HPP_
