// -----------------------------------------------------------------------------
// File: metrics.hpp
// -----------------------------------------------------------------------------
//
// `PolicyMetrics` is what a replay measures for one policy, with Autopilot's
// definitions (EuroSys 2020) where they exist. "Entity" = user; an entity-day
// is one user's samples within one calendar day (UTC) of the replay.
//
//   underprovisioned_fraction   user-steps where demand > limit for any resource
//   underprovisioned_resource_seconds  sum over steps of max(0, demand - limit) * step
//   relative_slack              (limit - usage) / limit for memory, averaged over
//                               each entity-day, then over entity-days
//   relative_slack_cpu          the same for CPU
//   oom_events                  user-steps with memory demand > memory limit
//   oom_free_entity_days        fraction of entity-days without an OOM
//   throttled_cpu_seconds       sum of max(0, cpu demand - cpu limit) * step (core-seconds)
//   changes_per_entity_day_*    limit changes in force per entity-day (median, P99),
//                               summed over resources; the *_by_resource pair
//                               counts each resource's changes alone
//   capacity_violations         instants at which some host's limits exceeded capacity
//   short_admissions            arrivals given less than their starting limits: the
//                               room on their host was held by others (contention)
//   controller_slots            per-user state slots the controller handed out: the
//                               most users alive together, since a deleted user's
//                               slot goes to the next new user (memory, not quality)
//   allocated_resource_seconds  sum of limit * step
//   cost                        provisioning cost (CostTerms) + change costs
//
// `MetricsAccumulator` collects them step by step; samples before `warmup_end`
// are replayed but not counted.
#ifndef FORESIGHT_SIM_METRICS_HPP_
#define FORESIGHT_SIM_METRICS_HPP_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/cost/cost_model.hpp"
#include "foresight/forecast/coverage.hpp"

namespace foresight {

// One entity's share of a policy's totals, after the warm-up: its scored
// steps and days, its days with and its steps of memory demand over the
// limit, its throttled CPU-seconds, and its allocated and demanded
// resource-seconds. Summed over entities they are the policy's totals.
struct EntityMetrics {
  std::uint64_t steps = 0;
  std::uint64_t days = 0;
  std::uint64_t oom_days = 0;
  std::uint64_t oom_events = 0;
  double throttled_cpu_seconds = 0.0;
  ResourceVector allocated_resource_seconds{};
  ResourceVector demand_resource_seconds{};
};

struct PolicyMetrics {
  std::string name;
  double underprovisioned_fraction = 0.0;
  ResourceVector underprovisioned_fraction_by_resource{};
  ResourceVector underprovisioned_resource_seconds{};
  double relative_slack = 0.0;
  double relative_slack_cpu = 0.0;
  std::uint64_t oom_events = 0;
  double oom_events_per_entity_day = 0.0;
  double oom_free_entity_days = 0.0;
  double throttled_cpu_seconds = 0.0;
  double changes_per_entity_day_median = 0.0;
  double changes_per_entity_day_p99 = 0.0;
  ResourceVector changes_per_entity_day_median_by_resource{};
  ResourceVector changes_per_entity_day_p99_by_resource{};
  std::uint64_t capacity_violations = 0;
  ResourceVector allocated_resource_seconds{};
  double cost = 0.0;
  std::uint64_t entity_steps = 0;
  std::uint64_t entity_days = 0;
  std::uint64_t failed_actuations = 0;
  std::uint64_t short_admissions = 0;
  std::uint64_t controller_slots = 0;
  ResourceVector forecast_mae{};  // one-step-ahead mean absolute error of the controller
  // The controller's forecaster and how often each resource's demand fell at
  // or below the quantiles the allocator planned on (Controller::coverage),
  // after the warm-up. Empty for a policy that plans from observed usage
  // alone (`ReadsOutlook`).
  std::string forecaster;
  QuantileCoverage coverage;
  double seconds = 0.0;  // wall time of the replay
  // Wall time of the replay's longest controller tick (forecast, plan and
  // actuation for every live entity): what a host scheduler's tick period
  // must hold, where `seconds` is what the whole trace costs.
  double slowest_tick_seconds = 0.0;
  // The same totals per entity (workload user), after the warm-up, so that
  // the entities a policy fails can be found (`evaluate --per-entity`).
  std::vector<EntityMetrics> per_entity;
};

// Percentile with linear interpolation (p in [0, 1]); 0 for an empty input.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double pos = p * static_cast<double>(v.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

class MetricsAccumulator {
 public:
  MetricsAccumulator(std::size_t users, absl::Time start, absl::Duration step,
                     absl::Time warmup_end)
      : users_(users),
        start_(start),
        step_(step),
        warmup_end_(warmup_end),
        seconds_(absl::ToDoubleSeconds(step)) {}

  // One user at one step: demand and the limits in force, the user's cost
  // terms, and how many limit changes took effect since the previous step,
  // per resource.
  void Add(std::size_t user, absl::Time t, const ResourceVector& demand,
           const ResourceVector& limit, const CostTerms& terms,
           const PerResource<std::uint64_t>& changes_by_resource) {
    std::uint64_t changes = 0;
    for (Resource r : kAllResources) changes += changes_by_resource[r];
    AddStep(user, t, demand, limit, terms, changes, &changes_by_resource);
  }
  // As above with only the total known (the per-resource metrics stay 0).
  void Add(std::size_t user, absl::Time t, const ResourceVector& demand,
           const ResourceVector& limit, const CostTerms& terms, std::uint64_t changes) {
    AddStep(user, t, demand, limit, terms, changes, nullptr);
  }

  PolicyMetrics Finish(std::string name, std::uint64_t capacity_violations,
                       std::uint64_t failed_actuations) const {
    PolicyMetrics m = m_;
    m.name = std::move(name);
    m.capacity_violations = capacity_violations;
    m.failed_actuations = failed_actuations;
    const double steps = static_cast<double>(std::max<std::uint64_t>(m.entity_steps, 1));
    m.underprovisioned_fraction /= steps;
    m.underprovisioned_fraction_by_resource = m.underprovisioned_fraction_by_resource / steps;
    std::vector<double> changes;
    PerResource<std::vector<double>> changes_by;
    double slack = 0.0, slack_cpu = 0.0;
    std::size_t slack_n = 0, slack_cpu_n = 0, oom_free = 0;
    for (const auto& row : days_) {
      for (const EntityDay& d : row) {
        if (d.steps == 0) continue;
        ++m.entity_days;
        changes.push_back(static_cast<double>(d.changes));
        for (Resource r : kAllResources) changes_by[r].push_back(d.changes_by[r]);
        if (!d.oom) ++oom_free;
        if (d.slack_mem_n > 0) {
          slack += d.slack_mem / d.slack_mem_n;
          ++slack_n;
        }
        if (d.slack_cpu_n > 0) {
          slack_cpu += d.slack_cpu / d.slack_cpu_n;
          ++slack_cpu_n;
        }
      }
    }
    m.per_entity = entities_;
    m.per_entity.resize(users_);
    for (std::size_t u = 0; u < days_.size(); ++u) {
      for (const EntityDay& d : days_[u]) {
        if (d.steps == 0) continue;
        ++m.per_entity[u].days;
        if (d.oom) ++m.per_entity[u].oom_days;
      }
    }
    const double days = static_cast<double>(std::max<std::uint64_t>(m.entity_days, 1));
    m.relative_slack = slack_n ? slack / static_cast<double>(slack_n) : 0.0;
    m.relative_slack_cpu = slack_cpu_n ? slack_cpu / static_cast<double>(slack_cpu_n) : 0.0;
    m.oom_free_entity_days = m.entity_days ? static_cast<double>(oom_free) / days : 1.0;
    m.oom_events_per_entity_day = static_cast<double>(m.oom_events) / days;
    m.changes_per_entity_day_median = Percentile(changes, 0.5);
    m.changes_per_entity_day_p99 = Percentile(changes, 0.99);
    for (Resource r : kAllResources) {
      m.changes_per_entity_day_median_by_resource[r] = Percentile(changes_by[r], 0.5);
      m.changes_per_entity_day_p99_by_resource[r] = Percentile(changes_by[r], 0.99);
    }
    return m;
  }

 private:
  struct EntityDay {
    std::uint32_t steps = 0;
    bool oom = false;
    std::uint64_t changes = 0;
    ResourceVector changes_by{};
    double slack_mem = 0.0, slack_cpu = 0.0;
    std::uint32_t slack_mem_n = 0, slack_cpu_n = 0;
  };
  void AddStep(std::size_t user, absl::Time t, const ResourceVector& demand,
               const ResourceVector& limit, const CostTerms& terms, std::uint64_t changes,
               const PerResource<std::uint64_t>* changes_by_resource) {
    if (t < warmup_end_) return;
    const std::size_t day = static_cast<std::size_t>(IDiv(t - start_, absl::Hours(24)));
    EntityDay& d = Day(user, day);
    EntityMetrics& e = Entity(user);
    ++m_.entity_steps;
    ++d.steps;
    ++e.steps;
    bool under = false;
    for (Resource r : kAllResources) {
      const double gap = demand[r] - limit[r];
      if (gap > 1e-9 * std::max(1.0, limit[r])) {
        under = true;
        m_.underprovisioned_fraction_by_resource[r] += 1;
        m_.underprovisioned_resource_seconds[r] += gap * seconds_;
      }
      m_.allocated_resource_seconds[r] += limit[r] * seconds_;
      e.allocated_resource_seconds[r] += limit[r] * seconds_;
      e.demand_resource_seconds[r] += demand[r] * seconds_;
      m_.cost += ProvisioningCost(terms, r, limit[r], demand[r], seconds_);
    }
    if (under) m_.underprovisioned_fraction += 1;
    if (demand.memory() > limit.memory() * (1 + 1e-9)) {
      ++m_.oom_events;
      ++e.oom_events;
      d.oom = true;
    }
    const double throttled = std::max(0.0, demand.cpu() - limit.cpu()) * seconds_;
    m_.throttled_cpu_seconds += throttled;
    e.throttled_cpu_seconds += throttled;
    if (limit.memory() > 0) {
      d.slack_mem += (limit.memory() - std::min(demand.memory(), limit.memory())) / limit.memory();
      ++d.slack_mem_n;
    }
    if (limit.cpu() > 0) {
      d.slack_cpu += (limit.cpu() - std::min(demand.cpu(), limit.cpu())) / limit.cpu();
      ++d.slack_cpu_n;
    }
    d.changes += changes;
    if (changes_by_resource != nullptr) {
      for (Resource r : kAllResources) {
        d.changes_by[r] += static_cast<double>((*changes_by_resource)[r]);
      }
    }
    // Change costs: price each change at the user's mean per-resource change cost.
    if (changes > 0) {
      double c = 0.0;
      for (Resource r : kAllResources) c += terms.change[r];
      m_.cost += static_cast<double>(changes) * c / kNumResources;
    }
  }

  EntityMetrics& Entity(std::size_t user) {
    if (entities_.size() < users_) entities_.resize(users_);
    return entities_[user];
  }

  EntityDay& Day(std::size_t user, std::size_t day) {
    if (days_.size() < users_) days_.resize(users_);
    auto& row = days_[user];
    if (row.size() <= day) row.resize(day + 1);
    return row[day];
  }

  std::size_t users_;
  absl::Time start_;
  absl::Duration step_;
  absl::Time warmup_end_;
  double seconds_;
  PolicyMetrics m_;
  std::vector<std::vector<EntityDay>> days_;
  std::vector<EntityMetrics> entities_;
};

// Marks as not measured (NaN) every metric of a resource the replayed trace
// never records (Azure's and PlanetLab's memory, Alibaba's IO): its demand
// there is 0, so a slack, an OOM-free day or a throttled second would score a
// policy against nothing. Memory: `relative_slack`, `oom_free_entity_days`
// and `oom_events_per_entity_day` (`oom_events` stays 0, an integer); CPU:
// `relative_slack_cpu` and `throttled_cpu_seconds`; any resource: its
// under-provisioned fraction and resource-seconds, its forecast error and
// its quantile coverage (no observation scored).
// Allocations and limit changes are what the policy did and stay.
inline void MarkUnmeasured(PolicyMetrics& m, const PerResource<bool>& measured) {
  const double nan = std::nan("");
  for (Resource r : kAllResources) {
    if (measured[r]) continue;
    m.underprovisioned_fraction_by_resource[r] = nan;
    m.underprovisioned_resource_seconds[r] = nan;
    m.forecast_mae[r] = nan;
    m.coverage.Forget(r);
  }
  if (!measured.memory()) {
    m.relative_slack = nan;
    m.oom_free_entity_days = nan;
    m.oom_events_per_entity_day = nan;
  }
  if (!measured.cpu()) {
    m.relative_slack_cpu = nan;
    m.throttled_cpu_seconds = nan;
  }
}

// gap_closed = (metric_vpa - metric_x) / (metric_vpa - metric_oracle); NaN when
// VPA and the oracle tie.
inline double GapClosed(double vpa, double x, double oracle) {
  const double denom = vpa - oracle;
  if (std::abs(denom) < 1e-12) return std::nan("");
  return (vpa - x) / denom;
}

}  // namespace foresight

#endif  // FORESIGHT_SIM_METRICS_HPP_
