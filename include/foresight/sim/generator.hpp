// -----------------------------------------------------------------------------
// File: generator.hpp
// -----------------------------------------------------------------------------
//
// `GenerateWorkload` builds the deterministic (seeded) built-in population used
// by `foresight simulate`, tests and benchmarks. Five archetypes, assigned in
// rotation, each producing demand for all four resources on a 5-minute grid
// starting on a Monday at 00:00 UTC:
//
//   office     interactive office-hours user: weekday 8-18 h sessions with a
//              lunch dip, memory that builds during the day and is released at
//              night, light weekends.
//   batch      nightly batch job: a heavy CPU / memory / IO run starting at
//              01:00 +- 20 min for 2-3 h every night, near idle otherwise.
//   analysis   bursty analysis sessions: Poisson arrivals (about 3 a day,
//              more in working hours), 30-150 min each with a CPU spike and a
//              large memory working set.
//   service    web service: daily and weekly seasonality, AR(1) noise and rare
//              traffic surges.
//   apps       a user whose application launches follow a transition chain
//              (editor -> build -> test -> browser -> ...); each application
//              has its own demand, launches are recorded in `Workload::app`.
//
// Host capacity per resource is `capacity_factor` x the sum over the host's
// users of their peak demand (1.5: room for everyone's peak; below 1 the
// allocators must trade users off). Starting limits are 1.2 x each user's mean
// demand over the first day.
//
// | type     | name            | description                       | default |
// |----------|-----------------|-----------------------------------|---------|
// | int      | users           | number of users                   | 40      |
// | int      | days            | days of demand                    | 14      |
// | uint64   | seed            | random seed                       | 42      |
// | Duration | step            | sampling step                     | 5 min   |
// | int      | users_per_host  | users packed per host             | 8       |
// | double   | capacity_factor | host capacity / sum of user peaks | 1.5     |
#ifndef FORESIGHT_SIM_GENERATOR_HPP_
#define FORESIGHT_SIM_GENERATOR_HPP_

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "foresight/sim/workload.hpp"

namespace foresight {

struct GeneratorOptions {
  int users = 40;
  int days = 14;
  std::uint64_t seed = 42;
  absl::Duration step = absl::Minutes(5);
  int users_per_host = 8;
  double capacity_factor = 1.5;
};

inline constexpr std::array<std::string_view, 5> kArchetypes = {"office", "batch", "analysis",
                                                               "service", "apps"};

namespace internal {

inline constexpr double kGiB = 1024.0 * 1024 * 1024;
inline constexpr double kMiB = 1024.0 * 1024;

struct GenContext {
  std::mt19937_64& rng;
  std::size_t steps;
  double steps_per_hour;
  double Uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }
  double Normal(double sd) { return std::normal_distribution<double>(0.0, sd)(rng); }
  // Hour of day [0, 24) and day index of step t (day 0 is a Monday).
  double Hour(std::size_t t) const { return std::fmod(t / steps_per_hour, 24.0); }
  int Day(std::size_t t) const { return static_cast<int>(t / (steps_per_hour * 24)); }
  bool Weekend(std::size_t t) const { return Day(t) % 7 >= 5; }
};

// Fills demand rows of one user: out[t] = {cpu, memory, io, net}.
inline void GenerateOffice(GenContext& g, std::vector<ResourceVector>& out) {
  const double cores = g.Uniform(1.0, 3.0), mem_gib = g.Uniform(2.0, 6.0);
  const double start = g.Uniform(7.5, 9.5), end = g.Uniform(16.5, 18.5);
  double noise = 0.0, mem = 0.4 * mem_gib * kGiB;
  for (std::size_t t = 0; t < g.steps; ++t) {
    const double h = g.Hour(t);
    const bool working = !g.Weekend(t) && h >= start && h < end;
    const bool lunch = h >= 12.0 && h < 13.0;
    noise = 0.8 * noise + g.Normal(0.08);
    const double act = working ? (lunch ? 0.35 : 0.75) : (g.Weekend(t) ? 0.05 : 0.03);
    const double cpu = std::max(0.02, cores * (act + noise * (working ? 1.0 : 0.2)));
    const double mem_target = (working ? 0.9 : 0.35) * mem_gib * kGiB;
    mem += (mem_target - mem) * (working ? 0.05 : 0.2);
    out[t] = MakeResources(cpu, std::max(0.2 * kGiB, mem * (1 + 0.02 * g.Normal(1.0))),
                           std::max(0.0, (working ? 8.0 : 0.5) * kMiB * (1 + noise)),
                           std::max(0.0, (working ? 4.0 : 0.2) * kMiB * (1 + 2 * noise)));
  }
}

inline void GenerateBatch(GenContext& g, std::vector<ResourceVector>& out) {
  const double cores = g.Uniform(4.0, 8.0), mem_gib = g.Uniform(6.0, 14.0);
  const double duration_h = g.Uniform(2.0, 3.0);
  int day = -1;
  double begin = 0.0;
  for (std::size_t t = 0; t < g.steps; ++t) {
    if (g.Day(t) != day) {
      day = g.Day(t);
      begin = 1.0 + g.Uniform(-0.33, 0.33);
    }
    const double h = g.Hour(t);
    const bool running = h >= begin && h < begin + duration_h;
    const double phase = running ? (h - begin) / duration_h : 0.0;
    const double cpu = running ? cores * (0.85 + 0.1 * g.Normal(1.0)) : 0.05 + 0.02 * g.Uniform(0, 1);
    const double mem = running ? mem_gib * kGiB * (0.5 + 0.5 * std::min(1.0, phase * 3.0))
                               : 0.3 * kGiB;
    out[t] = MakeResources(std::max(0.01, cpu), mem, running ? 120.0 * kMiB * g.Uniform(0.6, 1.0)
                                                             : 0.2 * kMiB,
                           running ? 20.0 * kMiB * g.Uniform(0.5, 1.0) : 0.1 * kMiB);
  }
}

inline void GenerateAnalysis(GenContext& g, std::vector<ResourceVector>& out) {
  const double cores = g.Uniform(2.0, 6.0), mem_gib = g.Uniform(4.0, 12.0);
  std::size_t left = 0;
  double level = 0.0, ws = 0.0;
  for (std::size_t t = 0; t < g.steps; ++t) {
    const double h = g.Hour(t);
    const double rate_per_hour = (!g.Weekend(t) && h >= 9 && h < 19) ? 0.25 : 0.04;
    if (left == 0 && g.Uniform(0, 1) < rate_per_hour / g.steps_per_hour) {
      left = static_cast<std::size_t>(g.Uniform(0.5, 2.5) * g.steps_per_hour);
      level = g.Uniform(0.5, 1.0);
      ws = g.Uniform(0.4, 1.0);
    }
    double cpu = 0.05, mem = 0.5 * kGiB, io = 0.5 * kMiB, net = 0.3 * kMiB;
    if (left > 0) {
      --left;
      cpu = cores * level * (0.8 + 0.3 * g.Uniform(0, 1));
      mem = mem_gib * kGiB * ws;
      io = 60.0 * kMiB * g.Uniform(0.2, 1.0);
      net = 10.0 * kMiB * g.Uniform(0.2, 1.0);
    }
    out[t] = MakeResources(cpu, mem, io, net);
  }
}

inline void GenerateService(GenContext& g, std::vector<ResourceVector>& out) {
  const double cores = g.Uniform(1.0, 4.0), mem_gib = g.Uniform(1.0, 4.0);
  const double peak_hour = g.Uniform(13.0, 21.0);
  double ar = 0.0;
  std::size_t surge = 0;
  for (std::size_t t = 0; t < g.steps; ++t) {
    const double h = g.Hour(t);
    const double daily = 0.55 + 0.45 * std::cos(2 * M_PI * (h - peak_hour) / 24.0);
    const double weekly = g.Weekend(t) ? 0.7 : 1.0;
    ar = 0.9 * ar + g.Normal(0.05);
    if (surge == 0 && g.Uniform(0, 1) < 0.002) surge = static_cast<std::size_t>(g.steps_per_hour);
    const double boost = surge > 0 ? 1.6 : 1.0;
    if (surge > 0) --surge;
    const double load = std::max(0.05, daily * weekly * boost + ar);
    out[t] = MakeResources(cores * load, mem_gib * kGiB * (0.6 + 0.25 * load),
                           5.0 * kMiB * load, 30.0 * kMiB * load);
  }
}

// apps: editor(0) build(1) test(2) browser(3) video(4), launch chain below.
inline void GenerateApps(GenContext& g, std::vector<ResourceVector>& out,
                         std::vector<std::int32_t>& app) {
  static constexpr double kNext[5][5] = {{0.0, 0.6, 0.1, 0.3, 0.0},
                                         {0.3, 0.0, 0.6, 0.1, 0.0},
                                         {0.6, 0.2, 0.0, 0.2, 0.0},
                                         {0.5, 0.0, 0.0, 0.0, 0.5},
                                         {0.3, 0.0, 0.0, 0.7, 0.0}};
  // cpu cores, memory GiB, io MiB/s, net MiB/s, mean minutes
  static constexpr double kApp[5][5] = {{0.3, 1.0, 1.0, 0.2, 40},
                                        {3.5, 4.0, 40.0, 1.0, 10},
                                        {2.0, 3.0, 10.0, 0.5, 15},
                                        {0.6, 2.0, 2.0, 6.0, 20},
                                        {3.0, 5.0, 30.0, 2.0, 30}};
  const double scale = g.Uniform(0.7, 1.3);
  int current = -1;
  std::size_t left = 0;
  for (std::size_t t = 0; t < g.steps; ++t) {
    const double h = g.Hour(t);
    const bool working = !g.Weekend(t) && h >= 8.5 && h < 18.0;
    if (!working) {
      current = -1;
      left = 0;
    } else if (left == 0) {
      if (current < 0) {
        current = 0;
      } else {
        double u = g.Uniform(0, 1);
        int next = 0;
        for (; next < 4; ++next) {
          u -= kNext[current][next];
          if (u <= 0) break;
        }
        current = next;
      }
      app[t] = current;
      left = std::max<std::size_t>(
          1, static_cast<std::size_t>(kApp[current][4] * g.Uniform(0.6, 1.4) / 60.0 *
                                      g.steps_per_hour));
    }
    if (left > 0) --left;
    if (current < 0) {
      out[t] = MakeResources(0.03, 0.4 * kGiB, 0.1 * kMiB, 0.05 * kMiB);
    } else {
      const double* a = kApp[current];
      const double jitter = 1 + 0.1 * g.Normal(1.0);
      out[t] = MakeResources(std::max(0.02, a[0] * scale * jitter), a[1] * scale * kGiB,
                             a[2] * scale * kMiB, a[3] * scale * kMiB);
    }
  }
}

}  // namespace internal

inline absl::StatusOr<Workload> GenerateWorkload(const GeneratorOptions& o) {
  if (o.users <= 0 || o.days <= 0 || o.users_per_host <= 0) {
    return absl::InvalidArgumentError("users, days and users_per_host must be positive");
  }
  if (o.step <= absl::ZeroDuration() || absl::Hours(1) % o.step != absl::ZeroDuration()) {
    return absl::InvalidArgumentError("step must be positive and divide one hour");
  }
  if (!(o.capacity_factor > 0)) return absl::InvalidArgumentError("capacity_factor must be > 0");
  Workload w;
  w.start = absl::FromCivil(absl::CivilSecond(2026, 1, 5, 0, 0, 0), absl::UTCTimeZone());
  w.step = o.step;
  const double per_hour = absl::FDivDuration(absl::Hours(1), o.step);
  const std::size_t steps = static_cast<std::size_t>(o.days * 24 * per_hour);
  const std::size_t n = static_cast<std::size_t>(o.users);
  w.demand = DemandTable(n, steps);
  w.app = xt::xtensor<std::int32_t, 2>::from_shape({n, steps});
  w.app.fill(-1);
  const std::size_t hosts = (n + o.users_per_host - 1) / o.users_per_host;
  w.host_capacity.assign(hosts, ResourceVector{});
  std::vector<ResourceVector> rows(steps);
  std::vector<std::int32_t> app(steps);
  for (std::size_t u = 0; u < n; ++u) {
    std::mt19937_64 rng(o.seed * 1000003u + u);
    internal::GenContext g{rng, steps, per_hour};
    const std::string_view kind = kArchetypes[u % kArchetypes.size()];
    std::fill(app.begin(), app.end(), -1);
    switch (u % kArchetypes.size()) {
      case 0: internal::GenerateOffice(g, rows); break;
      case 1: internal::GenerateBatch(g, rows); break;
      case 2: internal::GenerateAnalysis(g, rows); break;
      case 3: internal::GenerateService(g, rows); break;
      default: internal::GenerateApps(g, rows, app); break;
    }
    WorkloadUser user;
    user.id = UserId{u};
    user.name = absl::StrCat(Sv(kind), "-", u);
    user.archetype = std::string(kind);
    user.host = static_cast<std::uint32_t>(u / static_cast<std::size_t>(o.users_per_host));
    user.priority = kind == "service" ? 2.0 : 1.0;
    ResourceVector peak{}, first_day{};
    const std::size_t day_steps = std::min(steps, static_cast<std::size_t>(24 * per_hour));
    for (std::size_t t = 0; t < steps; ++t) {
      for (Resource r : kAllResources) w.demand.Set(u, t, Index(r), rows[t][r]);
      w.app(u, t) = app[t];
      peak = Max(peak, rows[t]);
      if (t < day_steps) first_day += rows[t];
    }
    user.initial_allocation = first_day * (1.2 / static_cast<double>(day_steps));
    w.host_capacity[user.host] += peak * o.capacity_factor;
    w.users.push_back(std::move(user));
  }
  // Starting limits must fit: scale them down on a host where they would not.
  std::vector<ResourceVector> start(hosts);
  for (const WorkloadUser& u : w.users) start[u.host] += u.initial_allocation;
  for (WorkloadUser& u : w.users) {
    for (Resource r : kAllResources) {
      const double cap = w.host_capacity[u.host][r], sum = start[u.host][r];
      if (sum > cap && sum > 0) u.initial_allocation[r] *= cap / sum * 0.999;
    }
  }
  return w;
}

}  // namespace foresight

#endif  // FORESIGHT_SIM_GENERATOR_HPP_
