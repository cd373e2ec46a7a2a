// -----------------------------------------------------------------------------
// File: tests/profile/synthetic.hpp
// -----------------------------------------------------------------------------
//
// Seeded synthetic users for the profile tests: behaviour archetypes (idle,
// interactive, batch, analysis, service) sampled every 5 minutes from a Monday
// 00:00 UTC, and a helper that feeds a profiler.
#ifndef FORESIGHT_TESTS_PROFILE_SYNTHETIC_HPP_
#define FORESIGHT_TESTS_PROFILE_SYNTHETIC_HPP_

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/profile/profiler.hpp"
#include "foresight/telemetry/observation.hpp"

namespace foresight::testing {

inline constexpr double kPi = 3.14159265358979323846;
inline constexpr int kStepsPerDay = 288;
inline const absl::Duration kStep = absl::Minutes(5);

// Monday 2024-01-01 00:00 UTC.
inline absl::Time Monday() {
  return absl::FromCivil(absl::CivilSecond(2024, 1, 1, 0, 0, 0), absl::UTCTimeZone());
}

// A user whose usage is generated step by step.
class ArchetypeUser {
 public:
  ArchetypeUser(BehaviorClass kind, std::uint64_t seed) : kind_(kind), rng_(seed) {}

  // Usage at step `i` (5-minute steps from Monday()).
  UserObservation Next(int i) {
    const int day = (i / kStepsPerDay) % 7;
    const double hour = (i % kStepsPerDay) / 12.0;
    const bool weekday = day < 5;
    double cpu = 0.01;
    std::normal_distribution<double> noise(0.0, 1.0);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    switch (kind_) {
      case BehaviorClass::kIdle:
        cpu = 0.005 * unit(rng_);
        break;
      case BehaviorClass::kInteractive:
        if (weekday && hour >= 9 && hour < 17) {
          cpu = unit(rng_) < 0.5 ? std::exponential_distribution<double>(1.0 / 0.8)(rng_) : 0.1;
        }
        break;
      case BehaviorClass::kAnalysis:
        if (weekday && hour >= 9 && hour < 18) cpu = std::max(0.5, 3.0 + 0.3 * noise(rng_));
        break;
      case BehaviorClass::kBatch:
        if (job_left_ == 0 && unit(rng_) < 0.01) job_left_ = 24 + static_cast<int>(unit(rng_) * 24);
        if (job_left_ > 0) {
          --job_left_;
          cpu = 4.0 + 0.2 * noise(rng_);
        }
        break;
      case BehaviorClass::kService:
        cpu = std::max(0.1, 1.0 + 0.5 * std::sin(2 * kPi * (hour - 8) / 24) + 0.1 * noise(rng_));
        break;
      default:
        break;
    }
    UserObservation o;
    o.usage = MakeResources(cpu, (0.5 + cpu) * 1e9, cpu * 1e6, cpu * 2e5);
    return o;
  }

 private:
  BehaviorClass kind_;
  std::mt19937_64 rng_;
  int job_left_ = 0;
};

template <typename P>
void Feed(P& profiler, Slot slot, ArchetypeUser& user, int steps, int first_step = 0) {
  for (int i = first_step; i < first_step + steps; ++i) {
    profiler.Observe(slot, Monday() + kStep * i, user.Next(i));
  }
}

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTS_PROFILE_SYNTHETIC_HPP_
