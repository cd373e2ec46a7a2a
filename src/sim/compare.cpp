#include "foresight/sim/compare.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "foresight/core/absl_compat.hpp"
#include "nlohmann/json.hpp"
#include "sim/svg.hpp"

namespace foresight {

absl::StatusOr<std::vector<PolicyRun>> RunPolicies(
    const Workload& workload, const std::vector<const PolicyInfo*>& policies,
    const ReplayOptions& options, int threads, const std::vector<std::size_t>& record_users,
    const std::function<void(std::size_t)>& on_step) {
  if (absl::Status s = ValidateWorkload(workload); !s.ok()) return s;
  for (std::size_t u : record_users) {
    if (u >= workload.num_users()) return absl::InvalidArgumentError("record user out of range");
  }
  std::vector<PolicyRun> runs(policies.size());
  std::vector<absl::Status> status(policies.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < policies.size(); i = next++) {
      ReplayOptions o = options;
      if (on_step) {
        // `Replay` reports steps done; a skipped idle span advances them by many.
        o.progress = [&on_step, last = std::size_t{0}](std::size_t done, std::size_t) mutable {
          on_step(done - last);
          last = done;
        };
      }
      runs[i].recorder.users = record_users;
      absl::StatusOr<ReplayResult> r = policies[i]->run(workload, o, &runs[i].recorder);
      if (!r.ok()) {
        status[i] = absl::Status(r.status().code(),
                                 absl::StrCat(policies[i]->name, ": ", r.status().message()));
        continue;
      }
      runs[i].metrics = r->metrics;
      runs[i].metrics.name = policies[i]->name;
    }
  };
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t n = std::min<std::size_t>(policies.size(), threads > 0 ? threads : hw);
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (const absl::Status& s : status) {
    if (!s.ok()) return s;
  }
  return runs;
}

double GapClosedFor(const std::vector<PolicyMetrics>& metrics, const PolicyMetrics& x) {
  const PolicyMetrics* vpa = nullptr;
  const PolicyMetrics* oracle = nullptr;
  for (const PolicyMetrics& m : metrics) {
    if (m.name == "vpa") vpa = &m;
    if (m.name == "oracle") oracle = &m;
  }
  if (vpa == nullptr || oracle == nullptr) return std::nan("");
  return GapClosed(vpa->underprovisioned_fraction, x.underprovisioned_fraction,
                   oracle->underprovisioned_fraction);
}

namespace {

nlohmann::json ResourceJson(const ResourceVector& v) {
  nlohmann::json j = nlohmann::json::object();
  for (Resource r : kAllResources) j[std::string(ResourceName(r))] = v[r];
  return j;
}

nlohmann::json Number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

// A table cell: `v` right-aligned in `width` with `precision` decimals, or "-"
// where it is not a number (no oracle to close a gap toward, a resource the
// trace does not record: MarkUnmeasured).
std::string Cell(double v, int width, int precision) {
  if (std::isnan(v)) return absl::StrFormat("%*s", width, "-");
  return absl::StrFormat("%*.*f", width, precision, v);
}

// {"levels": [...], "cpu": {"scored": n, "coverage": [...]}, ...}: null
// coverages where nothing was scored.
nlohmann::json CoverageJson(const QuantileCoverage& c) {
  nlohmann::json j;
  j["levels"] = std::vector<double>(c.levels().begin(), c.levels().end());
  for (Resource r : kAllResources) {
    nlohmann::json share = nlohmann::json::array();
    for (std::size_t k = 0; k < c.levels().size(); ++k) share.push_back(Number(c.Coverage(r, k)));
    j[std::string(ResourceName(r))] = {{"scored", c.scored(r)}, {"coverage", share}};
  }
  return j;
}

}  // namespace

std::string ComparisonJson(const std::vector<PolicyMetrics>& metrics, int indent) {
  nlohmann::json root;
  root["policies"] = nlohmann::json::object();
  root["gap_closed"] = nlohmann::json::object();
  for (const PolicyMetrics& m : metrics) {
    nlohmann::json p;
    p["underprovisioned_fraction"] = m.underprovisioned_fraction;
    p["underprovisioned_fraction_by_resource"] =
        ResourceJson(m.underprovisioned_fraction_by_resource);
    p["underprovisioned_resource_seconds"] = ResourceJson(m.underprovisioned_resource_seconds);
    p["relative_slack"] = m.relative_slack;
    p["relative_slack_cpu"] = m.relative_slack_cpu;
    p["oom_events"] = m.oom_events;
    p["oom_events_per_entity_day"] = m.oom_events_per_entity_day;
    p["oom_free_entity_days"] = m.oom_free_entity_days;
    p["throttled_cpu_seconds"] = m.throttled_cpu_seconds;
    p["changes_per_entity_day_median"] = m.changes_per_entity_day_median;
    p["changes_per_entity_day_p99"] = m.changes_per_entity_day_p99;
    p["changes_per_entity_day_median_by_resource"] =
        ResourceJson(m.changes_per_entity_day_median_by_resource);
    p["changes_per_entity_day_p99_by_resource"] =
        ResourceJson(m.changes_per_entity_day_p99_by_resource);
    p["capacity_violations"] = m.capacity_violations;
    p["allocated_resource_seconds"] = ResourceJson(m.allocated_resource_seconds);
    p["cost"] = m.cost;
    p["entity_steps"] = m.entity_steps;
    p["entity_days"] = m.entity_days;
    p["failed_actuations"] = m.failed_actuations;
    p["short_admissions"] = m.short_admissions;
    p["controller_slots"] = m.controller_slots;
    p["forecast_mae"] = ResourceJson(m.forecast_mae);
    p["forecaster"] = m.forecaster.empty() ? nlohmann::json() : nlohmann::json(m.forecaster);
    p["quantile_coverage"] = CoverageJson(m.coverage);
    p["seconds"] = m.seconds;
    p["slowest_tick_seconds"] = m.slowest_tick_seconds;
    root["policies"][m.name] = p;
    root["gap_closed"][m.name] = Number(GapClosedFor(metrics, m));
  }
  return root.dump(indent);
}

int PolicyNameWidth(const std::vector<PolicyMetrics>& metrics) {
  std::size_t width = 20;
  for (const PolicyMetrics& m : metrics) width = std::max(width, m.name.size());
  return static_cast<int>(width);
}

std::string ComparisonTable(const std::vector<PolicyMetrics>& metrics) {
  const int width = PolicyNameWidth(metrics);
  std::string out = absl::StrFormat("%-*s %9s %9s %9s %9s %8s %8s %9s %6s %10s %7s\n", width,
                                    "policy", "under%", "cpu-h", "mem-GiBh", "slack", "ooms",
                                    "oomfree", "chg/d p99", "viol", "cost", "gap");
  for (const PolicyMetrics& m : metrics) {
    absl::StrAppendFormat(
        &out, "%-*s %9.3f %9.1f %9.1f %s %s %s %9.1f %6d %10.4g %s\n", width, m.name,
        100.0 * m.underprovisioned_fraction, m.allocated_resource_seconds.cpu() / 3600.0,
        m.allocated_resource_seconds.memory() / 3600.0 / (1024.0 * 1024 * 1024),
        Cell(m.relative_slack, 9, 3),
        // No OOM count where memory is not recorded (its OOM-free days are NaN).
        std::isnan(m.oom_free_entity_days) ? absl::StrFormat("%8s", "-")
                                           : absl::StrFormat("%8d", m.oom_events),
        Cell(m.oom_free_entity_days, 8, 3), m.changes_per_entity_day_p99,
        static_cast<int>(m.capacity_violations), m.cost, Cell(GapClosedFor(metrics, m), 7, 3));
  }
  return out;
}

std::string ChangesByResourceTable(const std::vector<PolicyMetrics>& metrics) {
  std::string out = "limit changes per entity-day by resource, median (P99):\n";
  for (const PolicyMetrics& m : metrics) {
    absl::StrAppendFormat(&out, "  %-*s", PolicyNameWidth(metrics), m.name);
    for (Resource r : kAllResources) {
      absl::StrAppendFormat(&out, " %s %.1f (%.0f)", std::string(ResourceName(r)),
                            m.changes_per_entity_day_median_by_resource[r],
                            m.changes_per_entity_day_p99_by_resource[r]);
    }
    out += "\n";
  }
  return out;
}

std::string CoverageTable(const std::vector<PolicyMetrics>& metrics) {
  struct Column {
    Resource r;
    double level;
    const char* label;
  };
  static constexpr Column kColumns[] = {
      {Resource::kCpu, 0.5, "cpu P50"},     {Resource::kCpu, 0.9, "P90"},
      {Resource::kCpu, 0.99, "P99"},        {Resource::kMemory, 0.5, "mem P50"},
      {Resource::kMemory, 0.9, "P90"},      {Resource::kMemory, 0.99, "P99"},
      {Resource::kMemory, 0.9999, "P99.99"}};
  const int width = PolicyNameWidth(metrics);
  std::string out =
      "forecast calibration: share of demand at or below the quantile the allocator planned on "
      "(calibrated = the level)\n";
  absl::StrAppendFormat(&out, "  %-*s %-14s", width, "policy", "forecaster");
  for (const Column& c : kColumns) absl::StrAppendFormat(&out, " %8s", c.label);
  out += "\n";
  for (const PolicyMetrics& m : metrics) {
    absl::StrAppendFormat(&out, "  %-*s %-14s", width, m.name,
                          m.forecaster.empty() ? "(usage only)" : m.forecaster);
    for (const Column& c : kColumns) {
      const int k = m.coverage.LevelIndex(c.level);
      const double share =
          k < 0 ? std::nan("") : m.coverage.Coverage(c.r, static_cast<std::size_t>(k));
      out += std::isnan(share) ? absl::StrFormat(" %8s", "-")
                               : absl::StrFormat(" %7.2f%%", 100.0 * share);
    }
    out += "\n";
  }
  return out;
}

std::vector<std::size_t> ReportUsers(const Workload& workload, std::size_t max_users) {
  std::vector<std::size_t> users;
  std::vector<std::string> seen;
  for (std::size_t u = 0; u < workload.num_users() && users.size() < max_users; ++u) {
    const std::string& a = workload.users[u].archetype;
    if (std::find(seen.begin(), seen.end(), a) != seen.end()) continue;
    seen.push_back(a);
    users.push_back(u);
  }
  return users;
}

std::string ComparisonHtml(const std::string& title, const Workload& workload,
                           const std::vector<PolicyRun>& runs) {
  std::vector<PolicyMetrics> metrics;
  for (const PolicyRun& r : runs) metrics.push_back(r.metrics);
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", report::XmlEscape(title),
      "</title><style>body{font-family:sans-serif;margin:20px}pre{background:#f6f6f6;"
      "padding:8px}</style></head><body>\n<h1>",
      report::XmlEscape(title), "</h1>\n<pre>", report::XmlEscape(ComparisonTable(metrics)),
      "</pre>\n<h2>Metrics</h2>\n");
  std::vector<std::string> names;
  for (const PolicyMetrics& m : metrics) names.push_back(m.name);
  auto bars = [&](const std::string& t, auto get) {
    std::vector<double> v;
    for (const PolicyMetrics& m : metrics) v.push_back(get(m));
    html += report::BarChart(t, names, v);
  };
  bars("under-provisioned fraction",
       [](const PolicyMetrics& m) { return m.underprovisioned_fraction; });
  bars("allocated CPU (core-hours)",
       [](const PolicyMetrics& m) { return m.allocated_resource_seconds.cpu() / 3600.0; });
  bars("allocated memory (GiB-hours)", [](const PolicyMetrics& m) {
    return m.allocated_resource_seconds.memory() / 3600.0 / (1024.0 * 1024 * 1024);
  });
  bars("relative memory slack", [](const PolicyMetrics& m) { return m.relative_slack; });
  bars("OOM events", [](const PolicyMetrics& m) { return static_cast<double>(m.oom_events); });
  bars("cost", [](const PolicyMetrics& m) { return m.cost; });
  html += "<h2>Demand and limits</h2>\n";
  if (!runs.empty()) {
    const std::vector<std::size_t>& users = runs.front().recorder.users;
    for (std::size_t j = 0; j < users.size(); ++j) {
      const std::size_t u = users[j];
      for (Resource r : {Resource::kCpu, Resource::kMemory}) {
        std::vector<report::Series> series;
        report::Series demand{"demand", {}};
        const double scale = r == Resource::kMemory ? 1.0 / (1024.0 * 1024 * 1024) : 1.0;
        for (std::size_t t = 0; t < workload.num_steps(); ++t) {
          demand.y.push_back(workload.Demand(u, t, r) * scale);
        }
        series.push_back(std::move(demand));
        for (const PolicyRun& run : runs) {
          if (j >= run.recorder.users.size()) continue;
          report::Series s{run.metrics.name, {}};
          for (std::size_t t = 0; t < workload.num_steps(); ++t) {
            s.y.push_back(run.recorder.allocation(j, t, Index(r)) * scale);
          }
          series.push_back(std::move(s));
        }
        html +=
            report::LineChart(absl::StrCat(workload.users[u].name, " (",
                                           workload.users[u].archetype, "): ", Sv(ResourceName(r))),
                              r == Resource::kMemory ? "GiB" : "cores", series);
      }
    }
  }
  html += "</body></html>\n";
  return html;
}

}  // namespace foresight
