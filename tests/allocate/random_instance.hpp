// -----------------------------------------------------------------------------
// File: tests/allocate/random_instance.hpp
// -----------------------------------------------------------------------------
//
// Seeded random allocation problems for the decision-engine property tests:
// hosts, users with random priorities, prices, bounds, current limits and
// quantile outlooks, and "faults" (hosts already over capacity, zero-capacity
// resources, users pinned at min = max, zero change prices, missing outlook).
#ifndef FORESIGHT_TESTS_ALLOCATE_RANDOM_INSTANCE_HPP_
#define FORESIGHT_TESTS_ALLOCATE_RANDOM_INSTANCE_HPP_

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "foresight/allocate/allocator.hpp"
#include "foresight/forecast/forecast.hpp"

namespace foresight::testing {

struct InstanceOptions {
  int min_users = 1;
  int max_users = 40;
  int max_hosts = 4;
  double contention = 1.5;    // total target demand / capacity, roughly
  bool faults = true;
  bool with_outlook = true;
};

struct RandomInstance {
  std::vector<UserObservation> users;
  std::vector<Slot> slots;
  std::vector<CostTerms> costs;
  std::vector<ResourceVector> capacity;
  DemandOutlook outlook;
  bool has_outlook = true;
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);

  AllocationRequest Request() const {
    AllocationRequest req;
    req.now = now;
    req.step = absl::Minutes(5);
    for (Resource r : kAllResources) req.lead_time[r] = absl::Minutes(1);
    req.users = users;
    req.slots = slots;
    req.costs = costs;
    req.outlook = has_outlook ? &outlook : nullptr;
    req.host_capacity = capacity;
    return req;
  }

  static RandomInstance Make(std::uint64_t seed, const InstanceOptions& opt = {}) {
    std::mt19937_64 rng(seed);
    auto uni = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
    auto coin = [&](double p) { return uni(0, 1) < p; };
    RandomInstance in;
    const int hosts = 1 + static_cast<int>(rng() % static_cast<unsigned>(opt.max_hosts));
    const int n = opt.min_users +
                  static_cast<int>(rng() % static_cast<unsigned>(opt.max_users - opt.min_users + 1));
    const ResourceVector scale = MakeResources(4.0, 8e9, 2e8, 1e8);
    in.has_outlook = opt.with_outlook && !(opt.faults && coin(0.05));
    in.outlook.Resize(static_cast<std::size_t>(n), kDefaultQuantileLevels);
    std::vector<ResourceVector> demand_sum(static_cast<std::size_t>(hosts));
    for (int i = 0; i < n; ++i) {
      UserObservation u;
      u.user = UserId{static_cast<std::uint64_t>(1000 + i)};
      u.host = static_cast<std::uint32_t>(rng() % static_cast<unsigned>(hosts));
      CostTerms t;
      const double prio[] = {1.0, 1.0, 2.0, 3.0, 5.0};
      t.priority = prio[rng() % 5];
      for (Resource r : kAllResources) {
        const double unit = 1.0 / scale[r];
        t.under[r] = unit * uni(0.2, 3.0) * t.priority;
        t.over[r] = unit * uni(0.01, 0.5);
        t.change[r] = coin(0.3) ? 0.0 : uni(0.0, 50.0) * unit * scale[r] * 0.01;
        const double base = scale[r] * std::exp(uni(-2.0, 0.5));
        const double cv = uni(0.0, 0.6);
        for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) {
          const double z = internal_z(kDefaultQuantileLevels[k]);
          in.outlook.quantiles(static_cast<std::size_t>(i), Index(r), k) =
              std::max(0.0, base * (1.0 + cv * z));
        }
        in.outlook.mean(static_cast<std::size_t>(i), Index(r)) = base;
        in.outlook.confidence(static_cast<std::size_t>(i), Index(r)) = uni(0, 1);
        u.usage[r] = std::max(0.0, base * (1.0 + cv * uni(-1.5, 1.5)));
        u.allocation[r] = base * uni(0.3, 1.8);
        if (coin(0.2)) t.min[r] = base * uni(0.0, 0.5);
        if (coin(0.2)) t.max[r] = t.min[r] + base * uni(0.2, 2.0);
        if (opt.faults && coin(0.02)) t.max[r] = t.min[r];  // pinned
        demand_sum[u.host][r] += base;
      }
      if (opt.faults && coin(0.05)) u.events |= kEventOom;
      if (coin(0.1)) u.events |= kEventCpuThrottled;
      in.users.push_back(u);
      in.slots.push_back(static_cast<Slot>(i));
      in.costs.push_back(t);
    }
    in.capacity.resize(static_cast<std::size_t>(hosts));
    std::vector<ResourceVector> alloc_sum(static_cast<std::size_t>(hosts));
    for (const UserObservation& u : in.users) alloc_sum[u.host] += u.allocation;
    for (int h = 0; h < hosts; ++h) {
      for (Resource r : kAllResources) {
        double cap = demand_sum[h][r] / opt.contention * uni(0.5, 1.5);
        if (cap <= 0.0) cap = scale[r];
        if (opt.faults && coin(0.03)) cap = 0.0;
        in.capacity[h][r] = cap;
      }
    }
    // Current limits fit the hosts, except on a few "faulty" hosts.
    for (int h = 0; h < hosts; ++h) {
      const bool overcommitted = opt.faults && coin(0.1);
      for (Resource r : kAllResources) {
        if (overcommitted || alloc_sum[h][r] <= in.capacity[h][r]) continue;
        const double f = alloc_sum[h][r] > 0 ? in.capacity[h][r] / alloc_sum[h][r] : 0.0;
        for (UserObservation& u : in.users) {
          if (u.host == static_cast<std::uint32_t>(h)) u.allocation[r] *= f;
        }
      }
    }
    return in;
  }

  // A rough standard normal quantile (enough for test outlooks).
  static double internal_z(double p) {
    const double t = std::sqrt(-2.0 * std::log(p < 0.5 ? p : 1 - p));
    const double z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
                             (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
    return p < 0.5 ? -z : z;
  }
};

// Limits of every user after applying `plan`'s resize and preempt moves.
inline std::vector<ResourceVector> LimitsAfter(std::span<const UserObservation> users,
                                               const AllocationPlan& plan) {
  std::vector<ResourceVector> a(users.size());
  for (std::size_t i = 0; i < users.size(); ++i) a[i] = users[i].allocation;
  for (const Move& m : plan.moves) {
    if (m.kind == MoveKind::kResize || m.kind == MoveKind::kPreempt) a[m.index][m.resource] = m.to;
  }
  return a;
}

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTS_ALLOCATE_RANDOM_INSTANCE_HPP_
