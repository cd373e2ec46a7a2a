#include "foresight/sim/metrics.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace foresight {

TEST_CASE("MetricsAccumulator computes Autopilot-style metrics by hand") {
  const absl::Time t0 = absl::FromUnixSeconds(0);
  MetricsAccumulator acc(1, t0, absl::Minutes(5), t0);
  CostTerms terms;
  terms.under = ResourceVector::Filled(1);
  terms.over = ResourceVector::Filled(0.5);
  // Step 1: limit 4, demand 2 everywhere (slack 0.5). Step 2: demand 5 > 4 (under, OOM).
  acc.Add(0, t0, ResourceVector::Filled(2), ResourceVector::Filled(4), terms, 0);
  acc.Add(0, t0 + absl::Minutes(5), ResourceVector::Filled(5), ResourceVector::Filled(4), terms, 2);
  // Day 2: one step, no OOM.
  acc.Add(0, t0 + absl::Hours(25), ResourceVector::Filled(1), ResourceVector::Filled(4), terms, 0);
  PolicyMetrics m = acc.Finish("x", 0, 0);
  CHECK(m.entity_steps == 3);
  CHECK(m.entity_days == 2);
  CHECK(m.underprovisioned_fraction == doctest::Approx(1.0 / 3));
  CHECK(m.underprovisioned_resource_seconds.cpu() == doctest::Approx(300));
  CHECK(m.oom_events == 1);
  CHECK(m.oom_free_entity_days == doctest::Approx(0.5));
  CHECK(m.allocated_resource_seconds.memory() == doctest::Approx(3 * 4 * 300));
  // Day 1 slack mean(0.5, 0) = 0.25, day 2 slack 0.75 -> 0.5.
  CHECK(m.relative_slack == doctest::Approx(0.5));
  CHECK(m.changes_per_entity_day_median == doctest::Approx(1.0));
  // Cost: step1 over 2*0.5*300*4 = 1200; step2 under 1*300*4 = 1200; day2 3*0.5*300*4 = 1800.
  CHECK(m.cost == doctest::Approx(4200));
  // The one entity's share is all of it: 3 steps, 2 days, 1 with an OOM,
  // 300 CPU-seconds throttled (5 over 4 for a step), demand 2 + 5 + 1.
  REQUIRE(m.per_entity.size() == 1);
  const EntityMetrics& e = m.per_entity[0];
  CHECK(e.steps == 3);
  CHECK(e.days == 2);
  CHECK(e.oom_days == 1);
  CHECK(e.oom_events == 1);
  CHECK(e.throttled_cpu_seconds == doctest::Approx(300));
  CHECK(e.allocated_resource_seconds.memory() == doctest::Approx(3 * 4 * 300));
  CHECK(e.demand_resource_seconds.cpu() == doctest::Approx(8 * 300));
}

TEST_CASE("limit changes are counted per resource as well as in total") {
  const absl::Time t0 = absl::FromUnixSeconds(0);
  MetricsAccumulator acc(2, t0, absl::Minutes(5), t0);
  const ResourceVector d = ResourceVector::Filled(1), l = ResourceVector::Filled(2);
  PerResource<std::uint64_t> cpu_only{}, both{};
  cpu_only.cpu() = 3;
  both.cpu() = 1;
  both.memory() = 2;
  // User 0, day 1: 4 cpu + 2 memory changes; user 1, day 1: none. User 0,
  // day 2: 3 cpu changes.
  acc.Add(0, t0, d, l, CostTerms{}, cpu_only);
  acc.Add(0, t0 + absl::Minutes(5), d, l, CostTerms{}, both);
  acc.Add(1, t0, d, l, CostTerms{}, PerResource<std::uint64_t>{});
  acc.Add(0, t0 + absl::Hours(25), d, l, CostTerms{}, cpu_only);
  const PolicyMetrics m = acc.Finish("x", 0, 0);
  REQUIRE(m.entity_days == 3);
  REQUIRE(m.per_entity.size() == 2);
  CHECK(m.per_entity[0].days == 2);
  CHECK(m.per_entity[1].days == 1);
  CHECK(m.per_entity[1].steps == 1);
  // Totals per entity-day {6, 0, 3}; cpu {4, 0, 3}; memory {2, 0, 0}.
  CHECK(m.changes_per_entity_day_median == doctest::Approx(3));
  CHECK(m.changes_per_entity_day_median_by_resource.cpu() == doctest::Approx(3));
  CHECK(m.changes_per_entity_day_median_by_resource.memory() == doctest::Approx(0));
  CHECK(m.changes_per_entity_day_p99_by_resource.memory() == doctest::Approx(2 * 0.98));
  CHECK(m.changes_per_entity_day_p99_by_resource.io() == 0);
  // The total-only overload leaves the per-resource counts at 0.
  MetricsAccumulator total(1, t0, absl::Minutes(5), t0);
  total.Add(0, t0, d, l, CostTerms{}, 5);
  CHECK(total.Finish("y", 0, 0).changes_per_entity_day_median == 5);
  CHECK(total.Finish("y", 0, 0).changes_per_entity_day_median_by_resource.cpu() == 0);
}

TEST_CASE("warm-up samples are replayed but not scored") {
  const absl::Time t0 = absl::FromUnixSeconds(0);
  MetricsAccumulator acc(1, t0, absl::Minutes(5), t0 + absl::Hours(1));
  acc.Add(0, t0, ResourceVector::Filled(9), ResourceVector::Filled(1), CostTerms{}, 0);
  acc.Add(0, t0 + absl::Hours(2), ResourceVector::Filled(1), ResourceVector::Filled(1), CostTerms{},
          0);
  CHECK(acc.Finish("x", 0, 0).entity_steps == 1);
  CHECK(acc.Finish("x", 0, 0).underprovisioned_fraction == 0);
}

TEST_CASE("MarkUnmeasured blanks the metrics of resources the trace does not record") {
  PolicyMetrics m;
  m.underprovisioned_fraction_by_resource = ResourceVector::Filled(0.1);
  m.underprovisioned_resource_seconds = ResourceVector::Filled(5);
  m.forecast_mae = ResourceVector::Filled(1);
  m.allocated_resource_seconds = ResourceVector::Filled(100);
  m.relative_slack = 1.0;  // a limit over a demand of 0
  m.relative_slack_cpu = 0.3;
  m.oom_free_entity_days = 1.0;
  m.oom_events_per_entity_day = 0.0;
  m.throttled_cpu_seconds = 7;
  PerResource<bool> measured{};
  measured.cpu() = true;  // a CPU-only trace (Azure, PlanetLab)
  PolicyMetrics cpu_only = m;
  MarkUnmeasured(cpu_only, measured);
  CHECK(std::isnan(cpu_only.relative_slack));
  CHECK(std::isnan(cpu_only.oom_free_entity_days));
  CHECK(std::isnan(cpu_only.oom_events_per_entity_day));
  CHECK(std::isnan(cpu_only.underprovisioned_fraction_by_resource.memory()));
  CHECK(std::isnan(cpu_only.underprovisioned_resource_seconds.io()));
  CHECK(std::isnan(cpu_only.forecast_mae.net()));
  CHECK(cpu_only.relative_slack_cpu == 0.3);
  CHECK(cpu_only.throttled_cpu_seconds == 7);
  CHECK(cpu_only.underprovisioned_fraction_by_resource.cpu() == 0.1);
  CHECK(cpu_only.allocated_resource_seconds.memory() == 100);  // what the policy did stays
  // Memory only: CPU's slack and throttling go.
  PolicyMetrics memory_only = m;
  MarkUnmeasured(memory_only, PerResource<bool>{{false, true, false, false}});
  CHECK(std::isnan(memory_only.relative_slack_cpu));
  CHECK(std::isnan(memory_only.throttled_cpu_seconds));
  CHECK(memory_only.oom_free_entity_days == 1.0);
  // Everything measured: nothing changes.
  PolicyMetrics all = m;
  MarkUnmeasured(all, PerResource<bool>::Filled(true));
  CHECK(all.relative_slack == 1.0);
  CHECK(all.throttled_cpu_seconds == 7);
  CHECK(all.forecast_mae.io() == 1);
}

TEST_CASE("GapClosed and Percentile") {
  CHECK(GapClosed(0.2, 0.1, 0.0) == doctest::Approx(0.5));
  CHECK(std::isnan(GapClosed(0.1, 0.1, 0.1)));
  CHECK(Percentile({1, 2, 3, 4}, 0.5) == doctest::Approx(2.5));
  CHECK(Percentile({}, 0.5) == 0);
}

}  // namespace foresight
