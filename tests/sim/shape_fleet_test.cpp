// GenerateShapeFleet: each named shape has the demand its comment promises,
// a fleet is a pure function of its options, and bad options are errors.
#include "foresight/sim/shape_fleet.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "absl/time/civil_time.h"

namespace foresight {
namespace {

Workload Make(ShapeFleetKind kind, int vms, int days, absl::Duration dwell = absl::Hours(8)) {
  absl::StatusOr<Workload> w =
      GenerateShapeFleet({.kind = kind, .vms = vms, .days = days, .dwell = dwell});
  REQUIRE_MESSAGE(w.ok(), w.status().ToString());
  REQUIRE(ValidateWorkload(*w).ok());
  return *std::move(w);
}

TEST_CASE("shape fleets are named, parsed back, and unknown names are errors") {
  for (ShapeFleetKind k : {ShapeFleetKind::kFlat, ShapeFleetKind::kWorkingDays,
                           ShapeFleetKind::kSwitching, ShapeFleetKind::kNoisyCpu}) {
    absl::StatusOr<ShapeFleetKind> back = ParseShapeFleet(ShapeFleetName(k));
    REQUIRE(back.ok());
    CHECK(*back == k);
  }
  absl::StatusOr<ShapeFleetKind> bad = ParseShapeFleet("switch");
  REQUIRE_FALSE(bad.ok());
  CHECK(std::string(bad.status().message()).find("unknown shape fleet 'switch'") !=
        std::string::npos);
}

TEST_CASE("a shape fleet is a pure function of its options") {
  const Workload a = Make(ShapeFleetKind::kSwitching, 3, 2);
  const Workload b = Make(ShapeFleetKind::kSwitching, 3, 2);
  CHECK(a.demand == b.demand);
  absl::StatusOr<Workload> c = GenerateShapeFleet(
      {.kind = ShapeFleetKind::kSwitching, .vms = 3, .days = 2, .seed = 8});
  REQUIRE(c.ok());
  CHECK_FALSE(a.demand == c->demand);
  // Wednesday 2026-01-07 at midnight, 5-minute steps, one host of twice the VM.
  CHECK(a.start == absl::FromCivil(absl::CivilDay(2026, 1, 7), absl::UTCTimeZone()));
  CHECK(absl::GetWeekday(absl::CivilDay(2026, 1, 7)) == absl::Weekday::wednesday);
  CHECK(a.step == absl::Minutes(5));
  CHECK(a.num_steps() == 2 * kShapeStepsPerDay);
  REQUIRE(a.host_capacity.size() == 3);
  CHECK(a.host_capacity[1].memory() == 2 * a.users[1].initial_allocation.memory());
  CHECK(a.users[2].archetype == "switching");
}

TEST_CASE("switching VMs hold two levels 3.5x apart for about the mean dwell") {
  for (absl::Duration dwell : {absl::Hours(8), absl::Hours(2)}) {
    const Workload w = Make(ShapeFleetKind::kSwitching, 20, 21, dwell);
    std::size_t switches = 0, steps = 0, job = 0, off_level = 0;
    for (std::size_t u = 0; u < w.num_users(); ++u) {
      const double base = (2.0 + 0.5 * static_cast<double>(u)) * kShapeGiB;
      bool prev = false;
      for (std::size_t t = 0; t < w.num_steps(); ++t) {
        const double m = w.Demand(u, t, Resource::kMemory);
        const bool on = m > 2.0 * base;
        // 1 % noise around the base or 3.5x it, nothing in between.
        off_level += std::abs(m / (on ? 3.5 * base : base) - 1.0) >= 0.06 ||
                     w.Demand(u, t, Resource::kCpu) != (on ? 3.0 : 0.3);
        if (t > 0 && on != prev) ++switches;
        prev = on;
        job += on;
        ++steps;
      }
    }
    CHECK(off_level == 0);
    // Geometric dwell: the mean time between switches is the dwell.
    const double mean_dwell_steps = static_cast<double>(steps) / static_cast<double>(switches);
    const double want = absl::FDivDuration(dwell, absl::Minutes(5));
    INFO("dwell ", absl::FormatDuration(dwell), ": mean ", mean_dwell_steps, " steps");
    CHECK(mean_dwell_steps > 0.85 * want);
    CHECK(mean_dwell_steps < 1.15 * want);
    const double on_share = static_cast<double>(job) / static_cast<double>(steps);
    CHECK(on_share > 0.35);
    CHECK(on_share < 0.65);
  }
}

TEST_CASE("working-day VMs rise on weekday mornings and rest at night and at weekends") {
  const Workload w = Make(ShapeFleetKind::kWorkingDays, 3, 7);
  auto memory = [&](std::size_t u, std::size_t day, double hour) {
    return w.Demand(u, day * kShapeStepsPerDay + static_cast<std::size_t>(hour * 12),
                    Resource::kMemory);
  };
  for (std::size_t u = 0; u < 3; ++u) {
    const double base = (2.0 + 0.5 * static_cast<double>(u)) * kShapeGiB;
    // Day 0 is a Wednesday: on from 8 + u h to 18 h.
    CHECK(memory(u, 0, 12.0) > 2.2 * base);
    CHECK(memory(u, 0, 8.0 + static_cast<double>(u) + 0.1) > 2.2 * base);
    CHECK(memory(u, 0, 7.9) < 1.1 * base);
    CHECK(memory(u, 0, 18.0) < 1.1 * base);
    // Days 3 and 4 are the weekend.
    CHECK(memory(u, 3, 12.0) < 1.1 * base);
    CHECK(memory(u, 4, 12.0) < 1.1 * base);
    CHECK(memory(u, 5, 12.0) > 2.2 * base);  // Monday
  }
}

TEST_CASE("flat and noisy-cpu fleets") {
  const Workload flat = Make(ShapeFleetKind::kFlat, 21, 1);
  // VM u's level is 2 + 0.5 (u mod 20) GiB, with 0.5 % noise.
  CHECK(std::abs(flat.Demand(20, 5, Resource::kMemory) / (2.0 * kShapeGiB) - 1.0) < 0.03);
  CHECK(std::abs(flat.Demand(3, 5, Resource::kMemory) / (3.5 * kShapeGiB) - 1.0) < 0.03);
  const Workload noisy = Make(ShapeFleetKind::kNoisyCpu, 2, 2);
  double sum = 0.0, lo = 8.0, hi = 0.0;
  for (std::size_t t = 0; t < noisy.num_steps(); ++t) {
    const double c = noisy.Demand(0, t, Resource::kCpu);
    sum += c;
    lo = std::min(lo, c);
    hi = std::max(hi, c);
  }
  CHECK(std::abs(sum / static_cast<double>(noisy.num_steps()) - 4.0) < 0.3);
  CHECK(lo < 0.2);
  CHECK(hi > 7.8);
}

TEST_CASE("bad shape fleet options are errors naming the option") {
  auto error = [](const ShapeFleetOptions& o) {
    absl::StatusOr<Workload> w = GenerateShapeFleet(o);
    REQUIRE_FALSE(w.ok());
    CHECK(absl::IsInvalidArgument(w.status()));
    return std::string(w.status().message());
  };
  CHECK(error({.vms = 0}).find("vms and days must be positive, got 0 and 21") !=
        std::string::npos);
  CHECK(error({.days = -1}).find("got 20 and -1") != std::string::npos);
  CHECK(error({.dwell = absl::Minutes(1)}).find("dwell must be at least one 5-minute step") !=
        std::string::npos);
}

}  // namespace
}  // namespace foresight
