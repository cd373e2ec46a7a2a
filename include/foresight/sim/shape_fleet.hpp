// -----------------------------------------------------------------------------
// File: shape_fleet.hpp
// -----------------------------------------------------------------------------
//
// `GenerateShapeFleet` builds a small seeded fleet of one demand *shape* that
// real traces have and the synthetic VM trace (sim/vm_trace.hpp) lacks, so a
// claim made about that shape can be re-run by anyone (`foresight
// generate-trace --fleet ...` writes one as a long CSV):
//
//   flat          memory a flat level per VM, 0.5 % noise (real container
//                 memory often is); 4 cores, 32 GiB each;
//   working-days  memory 2.5x its base from 8-10 h to 18 h on weekdays, the
//                 base at night and over the weekend, 2 % noise (Bitbrains
//                 hosts banks' and insurers' reporting applications); CPU 3
//                 cores then, 0.3 otherwise; 8 cores, 32 GiB;
//   switching     a batch VM: idle, or a job at 3.5x its base, switching at
//                 random with a mean dwell of `dwell` (geometric), 1 % noise;
//                 CPU 3 cores on a job, 0.3 idle; 8 cores, 64 GiB;
//   noisy-cpu     CPU uniform in 0-8 cores each step, independent (noise
//                 around a mean); memory 4 GiB, 0.5 % noise; 8 cores, 16 GiB.
//
// VM u's base is 2 + 0.5 (u mod 20) GiB (flat, switching) or 2 + 0.5 u GiB
// (working days). IO and network are a constant 1 MB/s under a 100 MB/s
// limit. Each VM starts with all of its size and has its own host with room
// for twice it (right-sizing replays). The fleet starts on Wednesday
// 2026-01-07, 00:00 UTC, at 5-minute steps; every sample is present. One
// generator (std::mt19937_64 seeded with `seed`) draws VM by VM, step by step,
// so a fleet is a pure function of its options.
//
// `ShapeWorkload` is the builder under the named fleets, for one-off shapes
// (a VM started from idle, a resize): it takes the per-step (cpu, memory).
//
// | type             | name  | description                        | default |
// |------------------|-------|------------------------------------|---------|
// | ShapeFleetKind   | kind  | the shape                          | switching |
// | int              | vms   | number of VMs                      | 20      |
// | int              | days  | days of demand                     | 21      |
// | uint64           | seed  | random seed                        | 7       |
// | absl::Duration   | dwell | switching: mean time in one state  | 8 h     |
#ifndef FORESIGHT_SIM_SHAPE_FLEET_HPP_
#define FORESIGHT_SIM_SHAPE_FLEET_HPP_

#include <array>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/sim/generator.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {

enum class ShapeFleetKind { kFlat, kWorkingDays, kSwitching, kNoisyCpu };

inline constexpr std::array<std::string_view, 4> kShapeFleetNames = {"flat", "working-days",
                                                                     "switching", "noisy-cpu"};

inline std::string_view ShapeFleetName(ShapeFleetKind k) {
  return kShapeFleetNames[static_cast<std::size_t>(k)];
}

inline absl::StatusOr<ShapeFleetKind> ParseShapeFleet(std::string_view name) {
  for (std::size_t i = 0; i < kShapeFleetNames.size(); ++i) {
    if (kShapeFleetNames[i] == name) return static_cast<ShapeFleetKind>(i);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown shape fleet '", Sv(name), "' (expected one of ",
                   absl::StrJoin(kShapeFleetNames, ", ",
                                 [](std::string* out, std::string_view n) { out->append(n); }),
                   ")"));
}

struct ShapeFleetOptions {
  ShapeFleetKind kind = ShapeFleetKind::kSwitching;
  int vms = 20;
  int days = 21;
  std::uint64_t seed = 7;
  absl::Duration dwell = absl::Hours(8);
};

inline constexpr double kShapeGiB = internal::kGiB;
inline constexpr std::size_t kShapeStepsPerDay = 288;  // 5-minute steps

// Per-step (cpu cores, memory bytes) of VM `user` at step `t`, drawing from
// `rng`.
using ShapeDemand =
    std::function<std::pair<double, double>(std::size_t user, std::size_t t, std::mt19937_64& rng)>;

// `users` VMs over `days` days of 5-minute steps from Wednesday 2026-01-07;
// each starts with `cores` and `memory` bytes on its own host of twice that.
// `demand` is called VM by VM, step by step, with one generator seeded
// `seed`. IO and network are 1e6 under a 1e8 limit.
inline Workload ShapeWorkload(std::size_t users, std::size_t days, double cores, double memory,
                              const ShapeDemand& demand, std::uint64_t seed = 7,
                              std::string_view archetype = "shape") {
  Workload w;
  w.start = absl::FromCivil(absl::CivilSecond(2026, 1, 7, 0, 0, 0), absl::UTCTimeZone());
  w.step = absl::Minutes(5);
  const std::size_t steps = days * kShapeStepsPerDay;
  w.demand = DemandTable(users, steps);
  std::mt19937_64 rng(seed);
  for (std::size_t u = 0; u < users; ++u) {
    WorkloadUser user;
    user.id = UserId{u};
    user.name = absl::StrCat("vm", u);
    user.archetype = std::string(archetype);
    user.host = static_cast<std::uint32_t>(u);
    user.initial_allocation = MakeResources(cores, memory, 1e8, 1e8);
    w.users.push_back(user);
    w.host_capacity.push_back(MakeResources(2 * cores, 2 * memory, 2e8, 2e8));
    for (std::size_t t = 0; t < steps; ++t) {
      const auto [cpu, mem] = demand(u, t, rng);
      w.demand.Set(u, t, 0, cpu);
      w.demand.Set(u, t, 1, mem);
      w.demand.Set(u, t, 2, 1e6);
      w.demand.Set(u, t, 3, 1e6);
    }
  }
  return w;
}

// Multiplicative noise: normal with mean 1 and standard deviation `sd`.
inline double ShapeNoise(std::mt19937_64& rng, double sd) {
  return std::normal_distribution<>(1.0, sd)(rng);
}

inline absl::StatusOr<Workload> GenerateShapeFleet(const ShapeFleetOptions& o) {
  if (o.vms <= 0 || o.days <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("vms and days must be positive, got ", o.vms, " and ", o.days));
  }
  if (o.dwell < absl::Minutes(5)) {
    return absl::InvalidArgumentError(absl::StrCat("dwell must be at least one 5-minute step, got ",
                                                   absl::FormatDuration(o.dwell)));
  }
  const std::size_t n = static_cast<std::size_t>(o.vms), days = static_cast<std::size_t>(o.days);
  const std::string_view name = ShapeFleetName(o.kind);
  switch (o.kind) {
    case ShapeFleetKind::kFlat:
      return ShapeWorkload(
          n, days, 4.0, 32 * kShapeGiB,
          [](std::size_t u, std::size_t, std::mt19937_64& rng) {
            const double level = (2.0 + 0.5 * static_cast<double>(u % 20)) * kShapeGiB;
            return std::pair{0.5 * ShapeNoise(rng, 0.1), level * ShapeNoise(rng, 0.005)};
          },
          o.seed, name);
    case ShapeFleetKind::kWorkingDays:
      return ShapeWorkload(
          n, days, 8.0, 32 * kShapeGiB,
          [](std::size_t u, std::size_t t, std::mt19937_64& rng) {
            const std::size_t day = t / kShapeStepsPerDay;
            const double hour = static_cast<double>(t % kShapeStepsPerDay) / 12.0;
            const bool weekday = (day + 2) % 7 < 5;  // day 0 is a Wednesday
            const bool on = weekday && hour >= 8.0 + static_cast<double>(u % 3) && hour < 18.0;
            const double base = (2.0 + 0.5 * static_cast<double>(u)) * kShapeGiB;
            return std::pair{on ? 3.0 : 0.3, base * (on ? 2.5 : 1.0) * ShapeNoise(rng, 0.02)};
          },
          o.seed, name);
    case ShapeFleetKind::kSwitching: {
      // The chance to switch at a step, for a geometric dwell of mean `dwell`.
      const double p = 1.0 / absl::FDivDuration(o.dwell, absl::Minutes(5));
      std::vector<int> state(n, 0);
      return ShapeWorkload(
          n, days, 8.0, 64 * kShapeGiB,
          [p, &state](std::size_t u, std::size_t, std::mt19937_64& rng) {
            if (std::uniform_real_distribution<>(0.0, 1.0)(rng) < p) {
              state[u] = 1 - state[u];
            }
            const double base = (2.0 + 0.5 * static_cast<double>(u % 20)) * kShapeGiB;
            const bool job = state[u] == 1;
            return std::pair{job ? 3.0 : 0.3, base * (job ? 3.5 : 1.0) * ShapeNoise(rng, 0.01)};
          },
          o.seed, name);
    }
    case ShapeFleetKind::kNoisyCpu:
      return ShapeWorkload(
          n, days, 8.0, 16 * kShapeGiB,
          [](std::size_t, std::size_t, std::mt19937_64& rng) {
            return std::pair{std::uniform_real_distribution<>(0.0, 8.0)(rng),
                             4 * kShapeGiB * ShapeNoise(rng, 0.005)};
          },
          o.seed, name);
  }
  return absl::InvalidArgumentError("unknown shape fleet kind");
}

}  // namespace foresight

#endif  // FORESIGHT_SIM_SHAPE_FLEET_HPP_
