// -----------------------------------------------------------------------------
// File: compare.hpp
// -----------------------------------------------------------------------------
//
// Replays one workload under several registered policies (in parallel) and
// renders the comparison: a text table, the JSON of `foresight simulate --json`
// (also used by `foresight evaluate`), and an HTML report with SVG charts.
//
// JSON schema (keys are a public interface):
//   {"policies": {"<name>": {"underprovisioned_fraction": …,
//       "underprovisioned_resource_seconds": {"cpu": …, "memory": …, "io": …, "net": …},
//       "relative_slack": …, "oom_events": …, "oom_free_entity_days": …,
//       "changes_per_entity_day_p99": …,
//       "changes_per_entity_day_p99_by_resource": {"cpu": …, …}, "capacity_violations": 0,
//       "allocated_resource_seconds": {…}, "cost": …, …more keys}},
//    "gap_closed": {"<name>": …}}
// gap_closed = (vpa - x) / (vpa - oracle) on underprovisioned_fraction, for every
// policy when both "vpa" and "oracle" ran (null where undefined).
#ifndef FORESIGHT_SIM_COMPARE_HPP_
#define FORESIGHT_SIM_COMPARE_HPP_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/sim/metrics.hpp"
#include "foresight/sim/policy_registry.hpp"
#include "foresight/sim/replay.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {

struct PolicyRun {
  PolicyMetrics metrics;
  ReplayRecorder recorder;
};

// Replays `workload` once per policy on up to `threads` threads (0 = all
// cores). `record_users` are recorded for plots. `on_step(n)` is called
// after every replayed step of every policy (from worker threads) with the
// steps passed since the last call: 1, or more where the replay skipped an
// idle span (`ReplayOptions::skip_idle`). Summed, they are policies x steps.
absl::StatusOr<std::vector<PolicyRun>> RunPolicies(
    const Workload& workload, const std::vector<const PolicyInfo*>& policies,
    const ReplayOptions& options, int threads, const std::vector<std::size_t>& record_users,
    const std::function<void(std::size_t)>& on_step = {});

std::string ComparisonTable(const std::vector<PolicyMetrics>& metrics);

// Width of the policy-name column of the tables: the longest name, at least 20
// (tuned names such as "track+fleet+damped[fleet_level=0.95]" run long).
int PolicyNameWidth(const std::vector<PolicyMetrics>& metrics);

// Limit changes per entity-day by resource, one line per policy:
// "limit changes per entity-day by resource, median (P99):" then
// "  <policy> cpu M (P) memory M (P) io M (P) net M (P)".
std::string ChangesByResourceTable(const std::vector<PolicyMetrics>& metrics);
// Calibration of each policy's forecaster: the share of demand at or below the
// quantiles its allocator planned on at P50, P90, P99 (cpu) and P50, P90, P99, P99.99
// (memory), after the warm-up; "-" where the forecaster has no such level or
// the resource was not measured. A calibrated forecaster's share is its level.
std::string CoverageTable(const std::vector<PolicyMetrics>& metrics);
std::string ComparisonJson(const std::vector<PolicyMetrics>& metrics, int indent = 2);
// gap_closed of `x` toward the oracle relative to vpa; NaN without both.
double GapClosedFor(const std::vector<PolicyMetrics>& metrics, const PolicyMetrics& x);
std::string ComparisonHtml(const std::string& title, const Workload& workload,
                           const std::vector<PolicyRun>& runs);

// Users to plot: the first user of each archetype (up to `max_users`).
std::vector<std::size_t> ReportUsers(const Workload& workload, std::size_t max_users = 3);

}  // namespace foresight

#endif  // FORESIGHT_SIM_COMPARE_HPP_
