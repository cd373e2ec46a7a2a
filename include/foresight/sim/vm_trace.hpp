// -----------------------------------------------------------------------------
// File: vm_trace.hpp
// -----------------------------------------------------------------------------
//
// `GenerateVmTrace` builds a seeded population of virtual machines whose
// demand imitates what published characterisations of real VM traces report,
// for evaluating policies where no real trace can be fetched. It is *not* a
// real trace and no claim about real traces should rest on it alone; it is a
// stand-in with the features that make real traces hard:
//
//   * sizes: 1-16 cores and 2-64 GiB provisioned, far above mean use (Bitbrains
//     GWA-T-12, Shen et al. 2015: mean CPU use under 10 % of provisioned for most
//     VMs, memory use 20-60 %);
//   * CPU, one of (weights in parentheses)
//       idle      (0.30) low noisy use with rare bursts of 5-40 min,
//       diurnal   (0.25) interactive weekday/working-hour shape, lighter
//                        weekends, AR(1) noise (Azure, Cortez et al. 2017),
//       nightly   (0.15) a cron job at a fixed hour (+-10 min) for 0.5-3 h,
//       steady    (0.10) delay-insensitive compute at 40-80 % with AR(1) noise,
//       bursty    (0.20) on/off with heavy-tailed (Pareto) burst heights;
//   * memory, one of
//       flat      (0.35) a level with small noise and rare step changes
//                        (deployments, about one a week, +-10-40 %; the
//                        rate is `deploys_per_week`, for sensitivity runs),
//       cache     (0.20) builds with activity during the day, released at night,
//       cron      (0.15) a bump of +20-100 % while the nightly job runs
//                        (nightly CPU VMs always get it),
//       leak      (0.10) grows 1-5 % a day until a restart drops it,
//       spiky     (0.20) short unpredictable spikes (1-3 samples, 0.2-2 a
//                        day, +10-60 %);
//   * restarts (memory falls to 30-60 % and regrows over hours) about twice a
//     month, 0.2 % of samples missing at random and, in 5 % of the VMs, one
//     outage of 1-6 h with no samples;
//   * io and net: proportional to CPU activity with lognormal noise;
//   * lifetimes, when `mean_lifetime` is set: each VM exists only from its
//     arrival to its deletion, a lognormal lifetime (log-sd 1.5, so the median
//     is a third of the mean) placed uniformly so that the population alive is
//     the same through the trace, cut to it; outside its life a VM has no
//     samples. Cloud VMs come and go: Azure's public 30-day trace (V1) holds
//     2,013,767 VMs and 104,371,713 VM-hours, 52 h per VM in the window, so
//     most of its VMs are young. A VM's samples in its life are those it has
//     without `mean_lifetime` (lifetimes draw from their own generator).
//
// Demand never exceeds the provisioned size. Starting limits (and what a trace
// writer reports as capacity) are the provisioned sizes; each VM gets its own
// host with room for twice its size (right-sizing replays).
//
// | type     | name    | description           | default |
// |----------|---------|-----------------------|---------|
// | int      | vms     | number of VMs         | 200     |
// | int      | days    | days of demand        | 28      |
// | uint64   | seed    | random seed           | 1       |
// | Duration | step    | sampling step         | 5 min   |
// | double   | deploys_per_week | memory level steps (deployments) per VM-week, >= 0 | 1 |
// | Duration | mean_lifetime | mean VM lifetime; zero: every VM lives the whole trace | 0 |
#ifndef FORESIGHT_SIM_VM_TRACE_HPP_
#define FORESIGHT_SIM_VM_TRACE_HPP_

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
#include "foresight/core/absl_compat.hpp"
#include "foresight/sim/generator.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {

struct VmTraceOptions {
  int vms = 200;
  int days = 28;
  std::uint64_t seed = 1;
  absl::Duration step = absl::Minutes(5);
  double deploys_per_week = 1.0;
  absl::Duration mean_lifetime = absl::ZeroDuration();
};

inline constexpr std::array<std::string_view, 5> kVmCpuKinds = {"idle", "diurnal", "nightly",
                                                                "steady", "bursty"};
inline constexpr std::array<std::string_view, 5> kVmMemoryKinds = {"flat", "cache", "cron",
                                                                   "leak", "spiky"};

namespace internal {

// Index drawn from cumulative weights.
template <std::size_t N>
inline std::size_t Pick(GenContext& g, const std::array<double, N>& weights) {
  double u = g.Uniform(0.0, 1.0);
  for (std::size_t i = 0; i < N; ++i) {
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  return N - 1;
}

// Fraction of provisioned CPU in use at every step (before clamping).
inline void VmCpu(GenContext& g, std::size_t kind, double job_hour, double job_hours,
                  std::vector<double>& cpu) {
  const std::size_t steps = g.steps;
  double ar = 0.0;
  switch (kind) {
    case 0: {  // idle
      const double base = g.Uniform(0.01, 0.06);
      const double rate = g.Uniform(0.3, 2.0) / (24 * g.steps_per_hour);  // bursts per step
      std::size_t burst_left = 0;
      double height = 0.0;
      for (std::size_t t = 0; t < steps; ++t) {
        if (burst_left == 0 && g.Uniform(0, 1) < rate) {
          burst_left = static_cast<std::size_t>(g.Uniform(1.0, 8.0));
          height = g.Uniform(0.2, 0.9);
        }
        ar = 0.7 * ar + g.Normal(0.3);
        cpu[t] = base * std::exp(ar) + (burst_left > 0 ? height : 0.0);
        if (burst_left > 0) --burst_left;
      }
      break;
    }
    case 1: {  // diurnal
      const double base = g.Uniform(0.02, 0.08), peak = g.Uniform(0.15, 0.6);
      const double start = g.Uniform(7.0, 9.5), end = g.Uniform(16.5, 19.0);
      const double weekend = g.Uniform(0.1, 0.6);
      for (std::size_t t = 0; t < steps; ++t) {
        const double h = g.Hour(t);
        double shape = 0.0;
        if (h > start - 1 && h < end + 1) {
          const double x = (h - (start - 1)) / (end - start + 2);  // 0..1 over the day
          shape = std::pow(std::sin(3.14159265358979 * x), 2.0);
        }
        if (g.Weekend(t)) shape *= weekend;
        ar = 0.85 * ar + g.Normal(0.12);
        cpu[t] = (base + peak * shape) * std::exp(ar);
      }
      break;
    }
    case 2: {  // nightly
      const double base = g.Uniform(0.01, 0.05), level = g.Uniform(0.5, 1.0);
      int day = -1;
      double begin = 0.0;
      for (std::size_t t = 0; t < steps; ++t) {
        if (g.Day(t) != day) {
          day = g.Day(t);
          begin = job_hour + g.Uniform(-1.0 / 6, 1.0 / 6);
        }
        const double h = g.Hour(t);
        ar = 0.7 * ar + g.Normal(0.2);
        const bool running = h >= begin && h < begin + job_hours;
        cpu[t] = running ? level * (0.85 + 0.15 * std::tanh(ar)) : base * std::exp(ar);
      }
      break;
    }
    case 3: {  // steady
      const double level = g.Uniform(0.4, 0.8);
      for (std::size_t t = 0; t < steps; ++t) {
        ar = 0.9 * ar + g.Normal(0.05);
        cpu[t] = level * (1.0 + ar);
      }
      break;
    }
    default: {  // bursty: on/off with Pareto heights
      const double base = g.Uniform(0.01, 0.05);
      const double on_steps = g.Uniform(2.0, 6.0), off_steps = g.Uniform(12.0, 48.0);
      bool on = false;
      double height = 0.0;
      for (std::size_t t = 0; t < steps; ++t) {
        if (on ? g.Uniform(0, 1) < 1.0 / on_steps : g.Uniform(0, 1) < 1.0 / off_steps) {
          on = !on;
          if (on) height = 0.1 * std::pow(1.0 - g.Uniform(0.0, 0.999), -1.0 / 1.5);  // Pareto 1.5
        }
        ar = 0.6 * ar + g.Normal(0.25);
        cpu[t] = base * std::exp(ar) + (on ? height : 0.0);
      }
      break;
    }
  }
}

// Fraction of provisioned memory in use at every step (before clamping).
inline void VmMemory(GenContext& g, std::size_t kind, const std::vector<double>& cpu,
                     double job_hour, double job_hours, double deploys_per_week,
                     std::vector<double>& mem) {
  const std::size_t steps = g.steps;
  double level = g.Uniform(0.2, 0.6);
  const double per_day = 24 * g.steps_per_hour;
  const double step_rate = deploys_per_week / (7 * per_day);  // deployments
  const double restart_rate = 2.0 / (30 * per_day);  // restarts: about twice a month
  const double cache_gain = g.Uniform(0.3, 1.0), bump = g.Uniform(0.2, 1.0);
  const double leak_per_step = g.Uniform(0.01, 0.05) / per_day;
  const double spike_rate = g.Uniform(0.2, 2.0) / per_day;
  double extra = 0.0, regrow = 1.0, leak = 0.0;
  std::size_t spike_left = 0;
  double spike = 0.0;
  for (std::size_t t = 0; t < steps; ++t) {
    if (g.Uniform(0, 1) < step_rate) level *= 1.0 + g.Uniform(-0.4, 0.4) * (kind == 0 ? 1.0 : 0.5);
    level = std::clamp(level, 0.05, 0.8);
    if (g.Uniform(0, 1) < restart_rate) {
      regrow = g.Uniform(0.3, 0.6);
      leak = 0.0;
    }
    regrow = std::min(1.0, regrow + 1.0 / (g.Uniform(2.0, 6.0) * g.steps_per_hour));
    double m = level;
    switch (kind) {
      case 1: {  // cache: follows activity, released at night
        const double h = g.Hour(t);
        const double target = cache_gain * std::min(1.0, 4.0 * cpu[t]);
        extra += (target - extra) * (target > extra ? 0.05 : (h < 6 ? 0.1 : 0.01));
        m = level * (1.0 + extra);
        break;
      }
      case 2: {  // cron: bump while the nightly job runs
        const double h = g.Hour(t);
        const bool running = h >= job_hour - 0.2 && h < job_hour + job_hours + 0.2;
        extra += ((running ? bump : 0.0) - extra) * (running ? 0.5 : 0.3);
        m = level * (1.0 + extra);
        break;
      }
      case 3:  // leak: grows until a restart
        leak += leak_per_step;
        m = level * (1.0 + leak);
        break;
      case 4:  // spiky
        if (spike_left == 0 && g.Uniform(0, 1) < spike_rate) {
          spike_left = static_cast<std::size_t>(g.Uniform(1.0, 4.0));
          spike = g.Uniform(0.1, 0.6);
        }
        m = level * (1.0 + (spike_left > 0 ? spike : 0.0));
        if (spike_left > 0) --spike_left;
        break;
      default:
        break;
    }
    mem[t] = m * regrow * (1.0 + 0.005 * g.Normal(1.0));
  }
}

// The log-sd of VM lifetimes (lognormal): the median lifetime is
// exp(-1.5^2 / 2) = 0.32 of the mean, and one VM in 20 lives over 3.8x the mean.
inline constexpr double kVmLifetimeLogSd = 1.5;

// The steps [begin, end) one VM exists in a trace of `steps` steps, for a
// mean lifetime of `mean_steps` steps: a lognormal lifetime of that mean
// (at least one step) arriving uniformly in (-lifetime, steps), cut to the
// trace. Every step is then equally likely to hold a VM alive, and the window
// is never empty.
struct VmLife {
  std::size_t begin = 0, end = 0;
};
inline VmLife DrawVmLife(std::mt19937_64& rng, double mean_steps, std::size_t steps) {
  const double mu = std::log(mean_steps) - 0.5 * kVmLifetimeLogSd * kVmLifetimeLogSd;
  const double life =
      std::max(1.0, std::exp(mu + kVmLifetimeLogSd * std::normal_distribution<>(0.0, 1.0)(rng)));
  const double n = static_cast<double>(steps);
  const double arrive = std::uniform_real_distribution<>(-life, n)(rng);
  VmLife v;
  v.begin = static_cast<std::size_t>(std::clamp(std::floor(arrive), 0.0, n - 1));
  v.end = static_cast<std::size_t>(
      std::clamp(std::ceil(arrive + life), static_cast<double>(v.begin + 1), n));
  return v;
}

}  // namespace internal

inline absl::StatusOr<Workload> GenerateVmTrace(const VmTraceOptions& o) {
  if (o.vms <= 0 || o.days <= 0) return absl::InvalidArgumentError("vms and days must be positive");
  if (!(o.deploys_per_week >= 0.0 && o.deploys_per_week <= 100.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("deploys_per_week must be in [0, 100], got ", o.deploys_per_week));
  }
  if (o.step <= absl::ZeroDuration() || absl::Hours(1) % o.step != absl::ZeroDuration()) {
    return absl::InvalidArgumentError("step must be positive and divide one hour");
  }
  if (o.mean_lifetime < absl::ZeroDuration() || o.mean_lifetime == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("mean_lifetime must be finite and >= 0 (0: VMs live the whole trace), got ",
                     absl::FormatDuration(o.mean_lifetime)));
  }
  Workload w;
  w.start = absl::FromCivil(absl::CivilSecond(2026, 1, 5, 0, 0, 0), absl::UTCTimeZone());
  w.step = o.step;
  const double per_hour = absl::FDivDuration(absl::Hours(1), o.step);
  const std::size_t steps = static_cast<std::size_t>(o.days * 24 * per_hour);
  const std::size_t n = static_cast<std::size_t>(o.vms);
  // Each VM's life first (from a generator of its own, so that the samples in
  // it are those the VM has without lifetimes): demand is stored over it only.
  std::vector<internal::VmLife> lives(n, internal::VmLife{0, steps});
  std::vector<StepWindow> windows(n);
  for (std::size_t u = 0; u < n; ++u) {
    if (o.mean_lifetime > absl::ZeroDuration()) {
      std::mt19937_64 life_rng(o.seed * 15485863u + u * 32452843u + 29);
      lives[u] = internal::DrawVmLife(life_rng, absl::FDivDuration(o.mean_lifetime, o.step), steps);
    }
    if (lives[u].end > lives[u].begin) windows[u] = StepWindow{lives[u].begin, lives[u].end - 1};
  }
  w.demand = DemandTable(steps, windows);
  std::vector<double> cpu(steps), mem(steps);
  constexpr std::array<double, 5> kCpuWeights = {0.30, 0.25, 0.15, 0.10, 0.20};
  constexpr std::array<double, 5> kMemWeights = {0.35, 0.20, 0.15, 0.10, 0.20};
  constexpr std::array<double, 5> kCores = {1, 2, 4, 8, 16};
  constexpr std::array<double, 6> kMemGiB = {2, 4, 8, 16, 32, 64};
  constexpr double kIoSize = 200.0 * internal::kMiB, kNetSize = 125.0 * internal::kMiB;
  for (std::size_t u = 0; u < n; ++u) {
    std::mt19937_64 rng(o.seed * 7919u + u * 104729u + 17);
    internal::GenContext g{rng, steps, per_hour};
    const std::size_t cpu_kind = internal::Pick(g, kCpuWeights);
    std::size_t mem_kind = internal::Pick(g, kMemWeights);
    if (cpu_kind == 2) mem_kind = 2;  // nightly jobs use memory too
    const double cores = kCores[static_cast<std::size_t>(g.Uniform(0, 4.999))];
    const double mem_bytes =
        kMemGiB[static_cast<std::size_t>(g.Uniform(0, 5.999))] * internal::kGiB;
    const double job_hour = g.Uniform(0.5, 4.0), job_hours = g.Uniform(0.5, 3.0);
    internal::VmCpu(g, cpu_kind, job_hour, job_hours, cpu);
    internal::VmMemory(g, mem_kind, cpu, job_hour, job_hours, o.deploys_per_week, mem);
    const double io_scale = g.Uniform(0.5, 50.0) * internal::kMiB;
    const double net_scale = g.Uniform(0.1, 20.0) * internal::kMiB;
    // Missing samples: 0.2 % at random, one 1-6 h outage in 5 % of VMs.
    std::size_t outage_begin = steps, outage_end = steps;
    if (g.Uniform(0, 1) < 0.05) {
      outage_begin = static_cast<std::size_t>(g.Uniform(0.1, 0.9) * steps);
      outage_end = std::min(steps, outage_begin + static_cast<std::size_t>(
                                                      g.Uniform(1.0, 6.0) * per_hour));
    }
    const internal::VmLife life = lives[u];
    for (std::size_t t = 0; t < steps; ++t) {
      const bool missing = g.Uniform(0, 1) < 0.002 || (t >= outage_begin && t < outage_end) ||
                           t < life.begin || t >= life.end;
      const double c = std::clamp(cpu[t], 0.002, 1.0) * cores;
      const double m = std::clamp(mem[t], 0.02, 1.0) * mem_bytes;
      const double act = std::clamp(cpu[t], 0.0, 1.0);
      const ResourceVector v = MakeResources(
          c, m, std::min(kIoSize, io_scale * act * std::exp(0.5 * g.Normal(1.0))),
          std::min(kNetSize, net_scale * act * std::exp(0.5 * g.Normal(1.0))));
      if (!windows[u].Contains(t)) continue;  // its values were drawn all the same
      for (Resource r : kAllResources) {
        w.demand.Set(u, t, Index(r), missing ? std::nan("") : v[r]);
      }
    }
    WorkloadUser user;
    user.id = UserId{u};
    user.archetype = absl::StrCat(Sv(kVmCpuKinds[cpu_kind]), "/", Sv(kVmMemoryKinds[mem_kind]));
    user.name = absl::StrCat("vm-", u);
    user.host = static_cast<std::uint32_t>(u);
    user.initial_allocation =
        MakeResources(cores, mem_bytes, kIoSize, kNetSize);
    w.host_capacity.push_back(user.initial_allocation * 2.0);
    w.users.push_back(std::move(user));
  }
  return w;
}

}  // namespace foresight

#endif  // FORESIGHT_SIM_VM_TRACE_HPP_
