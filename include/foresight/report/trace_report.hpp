// -----------------------------------------------------------------------------
// File: trace_report.hpp
// -----------------------------------------------------------------------------
//
// The HTML report of `foresight evaluate`: one self-contained file (inline SVG,
// no scripts, no external assets) with
//
//   - a metrics table and one bar chart per metric, a bar per policy;
//   - trade-off scatters (e.g. allocated memory vs OOM-free days, relative to VPA);
//   - CDFs over entities of relative slack (memory, CPU), one line per policy;
//   - CDFs of forecast error (one-step absolute error relative to the entity's
//     mean demand), per resource;
//   - calibration charts (cpu, memory): the share of demand at or below each
//     quantile the policy planned on against its level, both in "nines"
//     (-log10(1 - p)), so P99.99 sits at 4 and a calibrated forecaster on the
//     diagonal;
//   - demand vs each policy's allocation over time for chosen entities (the
//     worst and the median), per measured resource.
//
// The report computes slack per entity from the recorded allocations, so it
// depends only on the workload and what the replay recorded.
//
//   ReportData data{.title = "evaluate: bitbrains", .workload = &w, ...};
//   std::string html = RenderTraceReport(data);
#ifndef FORESIGHT_REPORT_TRACE_REPORT_HPP_
#define FORESIGHT_REPORT_TRACE_REPORT_HPP_

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "foresight/forecast/coverage.hpp"
#include "foresight/core/resources.hpp"
#include "foresight/sim/demand_table.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {

struct ReportPolicy {
  std::string name;
  // Bars: (metric label, value). Every policy should list the same labels.
  std::vector<std::pair<std::string, double>> metrics;
  // Limits in force, recorded users x steps x 4 (rows follow ReportData::users;
  // NaN where a user does not exist).
  DemandTable allocation;
  // Calibration of the quantiles the policy planned on (PolicyMetrics::coverage);
  // empty for a policy that plans from usage alone.
  QuantileCoverage coverage;
};

struct ReportHighlight {
  std::string label;  // "worst", "median", ...
  std::size_t row;    // row in ReportData::users
};

// A scatter of policies in a trade-off plane (e.g. allocated memory relative to
// VPA against OOM-free entity-days), with an optional target region.
struct ReportScatter {
  std::string title, xlabel, ylabel;
  std::vector<std::pair<std::string, std::pair<double, double>>> points;  // (policy, (x, y))
  // Target region [x0, x1] x [y0, y1] shaded green; NaN bounds = none.
  double target_x0 = std::numeric_limits<double>::quiet_NaN(), target_x1 = target_x0,
         target_y0 = target_x0, target_y1 = target_x0;
  // Tunings of a baseline (x, y), drawn as small grey points with their Pareto
  // front dashed: lower x is better, and higher y when `higher_y_better`.
  std::vector<std::pair<double, double>> tunings;
  std::string tunings_label = "vpa tunings";
  bool higher_y_better = true;
};

struct ReportData {
  std::string title;
  std::vector<std::string> summary;  // lines under the title
  const Workload* workload = nullptr;
  PerResource<bool> measured = PerResource<bool>::Filled(true);
  absl::Time metrics_start = absl::InfinitePast();  // steps before are warm-up (shaded)
  std::vector<std::size_t> users;                   // workload user indices of the recorded rows
  std::vector<ReportPolicy> policies;
  std::vector<ReportHighlight> highlights;
  std::vector<ReportScatter> scatters;  // trade-off planes, after the metric bars
  // Per resource, one value per entity-step (any order); empty = no chart.
  PerResource<std::vector<double>> forecast_error;
};

std::string RenderTraceReport(const ReportData& data);

// Per recorded row, the mean relative slack (allocation - usage) / allocation of
// resource `r` over present steps at or after `from` (NaN if none).
std::vector<double> EntitySlack(const Workload& w, const std::vector<std::size_t>& users,
                                const DemandTable& allocation, Resource r,
                                absl::Time from);

// Per recorded row, the fraction of present steps at or after `from` with
// demand above allocation for any measured resource (NaN if none).
std::vector<double> EntityUnderprovisioned(const Workload& w, const std::vector<std::size_t>& users,
                                           const DemandTable& allocation,
                                           const PerResource<bool>& measured, absl::Time from);

}  // namespace foresight

#endif  // FORESIGHT_REPORT_TRACE_REPORT_HPP_
