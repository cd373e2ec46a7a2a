// EvaluateTrace / EvaluationJson: `foresight evaluate` as a library call
// (include/foresight/trace/evaluate.hpp), shared by the CLI and Python.
#include "foresight/trace/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_format.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/core/units.hpp"
#include "foresight/report/trace_report.hpp"
#include "foresight/sim/policy_registry.hpp"
#include "foresight/trace/forecast_error.hpp"
#include "foresight/trace/layout.hpp"
#include "nlohmann/json.hpp"
#include "../trace/csv_field.hpp"

namespace foresight {
namespace {

// gap_closed toward the oracle relative to vpa, for more metrics than
// underprovisioned_fraction (JSON key "gap_closed_by_metric").
nlohmann::json GapClosedByMetric(const std::vector<PolicyMetrics>& metrics) {
  const PolicyMetrics* vpa = nullptr;
  const PolicyMetrics* oracle = nullptr;
  for (const PolicyMetrics& m : metrics) {
    if (m.name == "vpa") vpa = &m;
    if (m.name == "oracle") oracle = &m;
  }
  nlohmann::json out = nlohmann::json::object();
  if (vpa == nullptr || oracle == nullptr) return out;
  const std::pair<const char*, double (*)(const PolicyMetrics&)> kMetrics[] = {
      {"underprovisioned_fraction",
       [](const PolicyMetrics& m) { return m.underprovisioned_fraction; }},
      {"oom_free_entity_days", [](const PolicyMetrics& m) { return m.oom_free_entity_days; }},
      {"throttled_cpu_seconds", [](const PolicyMetrics& m) { return m.throttled_cpu_seconds; }},
      {"relative_slack", [](const PolicyMetrics& m) { return m.relative_slack; }},
      {"relative_slack_cpu", [](const PolicyMetrics& m) { return m.relative_slack_cpu; }},
      {"cost", [](const PolicyMetrics& m) { return m.cost; }},
  };
  for (const auto& [name, get] : kMetrics) {
    nlohmann::json per = nlohmann::json::object();
    for (const PolicyMetrics& m : metrics) {
      const double g = GapClosed(get(*vpa), get(m), get(*oracle));
      per[m.name] = std::isfinite(g) ? nlohmann::json(g) : nlohmann::json(nullptr);
    }
    out[name] = per;
  }
  return out;
}

// Up to `n` users evenly spread over the workload (all when there are fewer).
std::vector<std::size_t> SpreadUsers(std::size_t users, std::size_t n) {
  std::vector<std::size_t> out;
  if (users <= n) {
    out.resize(users);
    for (std::size_t i = 0; i < users; ++i) out[i] = i;
    return out;
  }
  for (std::size_t i = 0; i < n; ++i) out.push_back(i * users / n);
  return out;
}

std::vector<std::pair<std::string, double>> ReportMetrics(const PolicyMetrics& m) {
  return {
      {"under-provisioned fraction", m.underprovisioned_fraction},
      {"relative slack (memory)", m.relative_slack},
      {"relative slack (CPU)", m.relative_slack_cpu},
      {"OOM-free entity-days", m.oom_free_entity_days},
      {"OOM events per entity-day", m.oom_events_per_entity_day},
      {"throttled CPU (core-hours)", m.throttled_cpu_seconds / 3600},
      {"allocated CPU (core-hours)", m.allocated_resource_seconds.cpu() / 3600},
      {"allocated memory (GiB-hours)", m.allocated_resource_seconds.memory() / 3600 / (1 << 30)},
      {"limit changes per entity-day (P99)", m.changes_per_entity_day_p99},
      {"memory limit changes per entity-day (median)",
       m.changes_per_entity_day_median_by_resource.memory()},
      {"cost", m.cost},
  };
}

}  // namespace

std::vector<VsVpa> CompareToVpa(const std::vector<PolicyMetrics>& metrics) {
  std::vector<VsVpa> out(metrics.size());
  const PolicyMetrics* vpa = nullptr;
  for (const PolicyMetrics& m : metrics) {
    if (m.name == "vpa") vpa = &m;
  }
  if (vpa == nullptr) return {};
  auto ratio = [](double a, double b) { return b > 0 ? a / b : std::nan(""); };
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const PolicyMetrics& m = metrics[i];
    VsVpa& v = out[i];
    // A resource the trace does not record (MarkUnmeasured: NaN OOM-free
    // days or throttling) has no allocation ratio either: there was no
    // demand to allocate for.
    const bool memory_measured = !std::isnan(vpa->oom_free_entity_days);
    const bool cpu_measured = !std::isnan(vpa->throttled_cpu_seconds);
    v.memory_ratio =
        memory_measured
            ? ratio(m.allocated_resource_seconds.memory(), vpa->allocated_resource_seconds.memory())
            : std::nan("");
    v.cpu_ratio = cpu_measured ? ratio(m.allocated_resource_seconds.cpu(),
                                       vpa->allocated_resource_seconds.cpu())
                               : std::nan("");
    v.throttled_ratio = ratio(m.throttled_cpu_seconds, vpa->throttled_cpu_seconds);
    v.oom_free = m.oom_free_entity_days;
    v.vpa_oom_free = vpa->oom_free_entity_days;
    v.memory_target = v.oom_free >= v.vpa_oom_free && v.memory_ratio <= 0.7;
    v.cpu_target = (v.throttled_ratio <= 0.2 || m.throttled_cpu_seconds == 0) && v.cpu_ratio <= 0.6;
    v.memory_dominates = v.oom_free >= v.vpa_oom_free && v.memory_ratio < 1.0;
    v.cpu_dominates = (v.throttled_ratio < 0.5 || m.throttled_cpu_seconds == 0) && v.cpu_ratio < 1.0;
  }
  return out;
}

namespace {

// VpaFrontierVariants' grid.
constexpr double kFrontierPercentiles[] = {0.5, 0.7, 0.8, 0.9, 0.95, 0.99};
constexpr double kFrontierMargins[] = {0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5};
// CPU histograms that forget faster follow a daily swing (memory keeps 24 h).
constexpr double kFrontierCpuHalfLives[] = {4.0, 1.0};
constexpr double kFrontierCpuHalfLifeMargins[] = {0.0, 0.15, 0.3, 0.5};

}  // namespace

std::vector<std::string> VpaFrontierVariants() {
  std::vector<std::string> out;
  for (double margin : kFrontierMargins) {
    for (double p : kFrontierPercentiles) {
      out.push_back(absl::StrCat("vpa[memory_percentile=", p, ",cpu_percentile=", p,
                                 ",margin=", margin, "]"));
    }
  }
  for (double half_life : kFrontierCpuHalfLives) {
    for (double margin : kFrontierCpuHalfLifeMargins) {
      for (double p : kFrontierPercentiles) {
        out.push_back(absl::StrCat("vpa[memory_percentile=", p, ",cpu_percentile=", p,
                                   ",margin=", margin, ",cpu_half_life_hours=", half_life, "]"));
      }
    }
  }
  return out;
}

std::string VpaFrontierDescription() {
  return absl::StrCat(VpaFrontierVariants().size(),
                      " vpa tunings: memory_percentile = cpu_percentile in {",
                      absl::StrJoin(kFrontierPercentiles, ", "), "} x margin in {",
                      absl::StrJoin(kFrontierMargins, ", "), "} at 24 h half-lives, and x margin in {",
                      absl::StrJoin(kFrontierCpuHalfLifeMargins, ", "), "} at cpu half-lives {",
                      absl::StrJoin(kFrontierCpuHalfLives, ", "), "} h");
}

std::vector<VsVpaFrontier> CompareToVpaFrontier(const std::vector<PolicyMetrics>& metrics,
                                                const std::vector<PolicyMetrics>& frontier) {
  if (frontier.empty()) return {};
  // The variant of least `cost` among those `safe`, or null.
  auto cheapest = [&](auto safe, auto cost) {
    const PolicyMetrics* best = nullptr;
    for (const PolicyMetrics& f : frontier) {
      if (safe(f) && (best == nullptr || cost(f) < cost(*best))) best = &f;
    }
    return best;
  };
  auto memory = [](const PolicyMetrics& f) { return f.allocated_resource_seconds.memory(); };
  auto cpu = [](const PolicyMetrics& f) { return f.allocated_resource_seconds.cpu(); };
  std::vector<VsVpaFrontier> out(metrics.size());
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const PolicyMetrics& m = metrics[i];
    VsVpaFrontier& v = out[i];
    if (!std::isnan(m.oom_free_entity_days)) {  // memory: at least as many OOM-free days
      const PolicyMetrics* best = cheapest(
          [&](const PolicyMetrics& f) { return f.oom_free_entity_days >= m.oom_free_entity_days; },
          memory);
      v.memory_beyond = best == nullptr;
      if (best != nullptr && memory(*best) > 0) {
        v.memory_ratio = memory(m) / memory(*best);
        v.memory_match = best->name;
      }
    }
    if (!std::isnan(m.throttled_cpu_seconds)) {  // CPU: throttling no more
      const PolicyMetrics* best = cheapest(
          [&](const PolicyMetrics& f) { return f.throttled_cpu_seconds <= m.throttled_cpu_seconds; },
          cpu);
      v.cpu_beyond = best == nullptr;
      if (best != nullptr && cpu(*best) > 0) {
        v.cpu_ratio = cpu(m) / cpu(*best);
        v.cpu_match = best->name;
      }
    }
  }
  return out;
}

absl::StatusOr<std::vector<PolicyMetrics>> ReplayVpaFrontier(
    const Workload& w, const ReplayOptions& replay, int threads,
    const std::function<void(std::size_t)>& on_step) {
  absl::StatusOr<std::vector<const PolicyInfo*>> frontier =
      PolicyRegistry::Global().Resolve(absl::StrJoin(VpaFrontierVariants(), ","));
  if (!frontier.ok()) return frontier.status();
  absl::StatusOr<std::vector<PolicyRun>> runs =
      RunPolicies(w, *frontier, replay, threads, {}, on_step);
  if (!runs.ok()) return runs.status();
  std::vector<PolicyMetrics> out;
  out.reserve(runs->size());
  for (PolicyRun& r : *runs) out.push_back(std::move(r.metrics));
  return out;
}

absl::StatusOr<TraceEvaluation> EvaluateTrace(const std::string& path, TraceFormat format,
                                              const EvaluateOptions& options) {
  absl::StatusOr<std::vector<const PolicyInfo*>> policies =
      PolicyRegistry::Global().Resolve(options.policies);
  if (!policies.ok()) return policies.status();
  const std::size_t frontier_size = options.vpa_frontier ? VpaFrontierVariants().size() : 0;
  if (options.warmup < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("warmup must be >= 0");
  }
  const bool contention = options.hosts > 0 || !options.host_capacity.empty();
  absl::StatusOr<ResourceVector> capacity = ResourceVector{};
  if (contention) {
    if (options.hosts <= 0 || options.host_capacity.empty()) {
      return absl::InvalidArgumentError("contention mode needs both hosts and host_capacity (--hosts, --host-capacity)");
    }
    capacity = ParseResourceList(options.host_capacity);
    if (!capacity.ok()) return capacity.status();
  }

  TraceEvaluation e;
  e.path = path;
  e.format = format;
  e.contention = contention;
  absl::StatusOr<LoadedTrace> trace = LoadTrace(path, format, options.load);
  if (!trace.ok()) return trace.status();
  e.trace = *std::move(trace);
  Workload& w = e.trace.workload;
  const absl::Duration span = w.step * static_cast<std::int64_t>(w.num_steps());
  if (options.warmup >= span) {
    return absl::InvalidArgumentError(
        absl::StrCat("warmup (--warmup) ", absl::FormatDuration(options.warmup),
                     " is not shorter than the trace (", absl::FormatDuration(span), ")"));
  }
  if (contention) {
    // Unmentioned resources are not constrained: ample room for them.
    const std::vector<ResourceVector> peak = PeakDemand(w);
    ResourceVector total;
    for (const ResourceVector& p : peak) total += p;
    for (const WorkloadUser& u : w.users) total += u.initial_allocation;
    for (Resource r : kAllResources) {
      if (capacity->values[Index(r)] == 0) capacity->values[Index(r)] = std::max(1.0, total[r] * 10);
    }
    if (absl::Status s = ContentionLayout(w, static_cast<std::size_t>(options.hosts), *capacity);
        !s.ok()) {
      return s;
    }
  }
  ReplayOptions replay;
  replay.warmup = options.warmup;
  e.recorded = options.record > 0 ? SpreadUsers(w.num_users(), options.record)
                                  : std::vector<std::size_t>{};
  if (options.on_loaded) options.on_loaded(w, policies->size() + frontier_size);
  absl::StatusOr<std::vector<PolicyRun>> runs =
      RunPolicies(w, *policies, replay, options.threads, e.recorded, options.on_step);
  if (!runs.ok()) return runs.status();
  e.runs = *std::move(runs);
  for (PolicyRun& r : e.runs) {
    MarkUnmeasured(r.metrics, e.trace.measured);
    e.metrics.push_back(r.metrics);
  }
  e.vs_vpa = CompareToVpa(e.metrics);
  if (options.vpa_frontier) {
    absl::StatusOr<std::vector<PolicyMetrics>> variants =
        ReplayVpaFrontier(w, replay, options.threads, options.on_step);
    if (!variants.ok()) return variants.status();
    e.frontier = *std::move(variants);
    for (PolicyMetrics& m : e.frontier) MarkUnmeasured(m, e.trace.measured);
    e.vs_frontier = CompareToVpaFrontier(e.metrics, e.frontier);
  }
  return e;
}

namespace {
// A ratio as "0.87x", or "n/a" where it is NaN (a resource not recorded, or a
// ratio to a vpa total of 0, such as no throttling at all).
std::string Times(double r) {
  return std::isnan(r) ? std::string("n/a") : absl::StrFormat("%.2fx", r);
}
}  // namespace

std::string VsVpaText(const std::vector<PolicyMetrics>& metrics, const std::vector<VsVpa>& vs,
                      const PerResource<bool>& measured) {
  if (vs.empty()) return "";
  std::string out =
      "vs vpa (targets: memory <= 0.7x at >= vpa's OOM-free days; cpu <= 0.6x with >= 80% less "
      "throttling; [beats vpa]: as many OOM-free days with less memory, more than half the "
      "throttling removed with less cpu):\n";
  for (std::size_t i = 0; i < metrics.size() && i < vs.size(); ++i) {
    const VsVpa& v = vs[i];
    const std::string memory =
        measured.memory()
            ? absl::StrFormat("memory %s, OOM-free days %.3f (vpa %.3f)%s", Times(v.memory_ratio),
                              v.oom_free, v.vpa_oom_free,
                              v.memory_target ? " [met]"
                                              : (v.memory_dominates ? " [beats vpa]" : ""))
            : std::string("memory not measured");
    const std::string cpu =
        measured.cpu()
            ? absl::StrFormat("cpu %s, throttled %s%s", Times(v.cpu_ratio),
                              Times(v.throttled_ratio),
                              v.cpu_target ? " [met]" : (v.cpu_dominates ? " [beats vpa]" : ""))
            : std::string("cpu not measured");
    absl::StrAppendFormat(&out, "  %-*s %s; %s\n", PolicyNameWidth(metrics), metrics[i].name,
                          memory, cpu);
  }
  return out;
}

std::string VsVpaFrontierText(const std::vector<PolicyMetrics>& metrics,
                              const std::vector<PolicyMetrics>& frontier,
                              const std::vector<VsVpaFrontier>& vs_frontier,
                              const PerResource<bool>& measured, double entity_steps) {
  if (vs_frontier.empty()) return "";
  std::string out = absl::StrCat(
      "vs vpa's frontier (", VpaFrontierDescription(),
      "; ratio to the cheapest tuning at least as safe, under 1: no vpa tuning matched it as "
      "cheaply):\n");
  for (std::size_t i = 0; i < metrics.size() && i < vs_frontier.size(); ++i) {
    const VsVpaFrontier& v = vs_frontier[i];
    auto side = [](const char* what, bool is_measured, bool beyond, double ratio,
                   const std::string& match, const char* safer) {
      if (!is_measured) return absl::StrCat(what, " not measured");
      if (beyond) return absl::StrCat(what, ": no variant ", safer);
      return absl::StrFormat("%s %.2fx %s", what, ratio, match);
    };
    absl::StrAppendFormat(
        &out, "  %-*s %s; %s\n", PolicyNameWidth(metrics), metrics[i].name,
        side("memory", measured.memory(), v.memory_beyond, v.memory_ratio, v.memory_match,
             "has as many OOM-free days"),
        side("cpu", measured.cpu(), v.cpu_beyond, v.cpu_ratio, v.cpu_match,
             "throttles as little"));
  }
  // How far the frontier reaches: its safest tunings, against vpa's defaults.
  const auto vpa = std::find_if(metrics.begin(), metrics.end(),
                                [](const PolicyMetrics& m) { return m.name == "vpa"; });
  if (vpa != metrics.end() && !frontier.empty()) {
    std::vector<PolicyMetrics> tunings = {*vpa};
    tunings.insert(tunings.end(), frontier.begin(), frontier.end());
    const std::vector<VsVpa> vs = CompareToVpa(tunings);
    // The most OOM-free tuning (then the least memory), the least throttled
    // (then the least CPU), on the raw metrics: a ratio to a vpa that never
    // throttles is n/a.
    std::size_t m = 1, c = 1;
    auto memory_key = [&](std::size_t k) {
      return std::pair(-tunings[k].oom_free_entity_days,
                       tunings[k].allocated_resource_seconds.memory());
    };
    auto cpu_key = [&](std::size_t k) {
      return std::pair(tunings[k].throttled_cpu_seconds,
                       tunings[k].allocated_resource_seconds.cpu());
    };
    for (std::size_t k = 1; k < tunings.size(); ++k) {
      if (memory_key(k) < memory_key(m)) m = k;
      if (cpu_key(k) < cpu_key(c)) c = k;
    }
    absl::StrAppendFormat(
        &out, "  the frontier's safest: %s; %s\n",
        measured.memory()
            ? absl::StrFormat("memory %.3f OOM-free days at %s vpa's memory (%s)", vs[m].oom_free,
                              Times(vs[m].memory_ratio), tunings[m].name)
            : std::string("memory not measured"),
        measured.cpu() ? absl::StrFormat("cpu %s vpa's throttling at %s its cpu (%s)",
                                         Times(vs[c].throttled_ratio), Times(vs[c].cpu_ratio),
                                         tunings[c].name)
                       : std::string("cpu not measured"));
  }
  double seconds = 0;
  for (const PolicyMetrics& f : frontier) seconds += f.seconds;
  absl::StrAppendFormat(&out, "  the %d tunings: replay %.2f s in all (%.0f entity-steps/s)\n",
                        static_cast<int>(frontier.size()), seconds,
                        entity_steps * static_cast<double>(frontier.size()) /
                            std::max(seconds, 1e-9));
  return out;
}

std::string ComparisonWithVpaJson(const std::vector<PolicyMetrics>& metrics,
                                  const std::vector<VsVpa>& vs_vpa,
                                  const std::vector<PolicyMetrics>& frontier,
                                  const std::vector<VsVpaFrontier>& vs_frontier, int indent) {
  nlohmann::json root = nlohmann::json::parse(ComparisonJson(metrics));
  root["gap_closed_by_metric"] = GapClosedByMetric(metrics);
  auto num = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); };
  for (std::size_t i = 0; i < vs_vpa.size() && i < metrics.size(); ++i) {
    const VsVpa& v = vs_vpa[i];
    root["vs_vpa"][metrics[i].name] = {{"allocated_memory_ratio", num(v.memory_ratio)},
                                       {"allocated_cpu_ratio", num(v.cpu_ratio)},
                                       {"throttled_cpu_ratio", num(v.throttled_ratio)},
                                       {"oom_free_entity_days", num(v.oom_free)},
                                       {"vpa_oom_free_entity_days", num(v.vpa_oom_free)},
                                       {"memory_target_met", v.memory_target},
                                       {"cpu_target_met", v.cpu_target},
                                       {"memory_dominates_vpa", v.memory_dominates},
                                       {"cpu_dominates_vpa", v.cpu_dominates}};
  }
  if (!frontier.empty()) {
    root["vpa_frontier"] = nlohmann::json::parse(ComparisonJson(frontier))["policies"];
    for (std::size_t i = 0; i < vs_frontier.size() && i < metrics.size(); ++i) {
      const VsVpaFrontier& v = vs_frontier[i];
      auto match = [](const std::string& s) {
        return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
      };
      root["vs_vpa_frontier"][metrics[i].name] = {
          {"memory_ratio", num(v.memory_ratio)}, {"memory_match", match(v.memory_match)},
          {"memory_beyond_frontier", v.memory_beyond}, {"cpu_ratio", num(v.cpu_ratio)},
          {"cpu_match", match(v.cpu_match)},     {"cpu_beyond_frontier", v.cpu_beyond}};
    }
  }
  return root.dump(indent) + "\n";
}

std::string PerEntityCsv(const TraceEvaluation& e) {
  const Workload& w = e.trace.workload;
  const PerResource<bool>& measured = e.trace.measured;
  std::string out =
      "entity,policy,days,oom_free_days,oom_events,throttled_cpu_seconds,"
      "allocated_cpu_core_seconds,allocated_memory_byte_seconds,demand_cpu_core_seconds,"
      "demand_memory_byte_seconds\n";
  auto field = [&out](bool known, double v) {
    out += ',';
    if (known) out += absl::StrFormat("%.10g", v);
  };
  for (std::size_t u = 0; u < w.num_users(); ++u) {
    const std::string entity =
        CsvField(w.users[u].name.empty() ? ToString(w.users[u].id) : w.users[u].name);
    for (const PolicyMetrics& m : e.metrics) {
      if (u >= m.per_entity.size() || m.per_entity[u].steps == 0) continue;
      const EntityMetrics& x = m.per_entity[u];
      absl::StrAppend(&out, entity, ",", CsvField(m.name), ",", x.days);
      field(measured.memory(), static_cast<double>(x.days - x.oom_days));
      field(measured.memory(), static_cast<double>(x.oom_events));
      field(measured.cpu(), x.throttled_cpu_seconds);
      field(true, x.allocated_resource_seconds.cpu());
      field(true, x.allocated_resource_seconds.memory());
      field(measured.cpu(), x.demand_resource_seconds.cpu());
      field(measured.memory(), x.demand_resource_seconds.memory());
      out += '\n';
    }
  }
  return out;
}

std::string EvaluationJson(const TraceEvaluation& e, const EvaluateOptions& options, int indent) {
  const Workload& w = e.trace.workload;
  const TraceStats& st = e.trace.stats;
  nlohmann::json root =
      nlohmann::json::parse(ComparisonWithVpaJson(e.metrics, e.vs_vpa, e.frontier, e.vs_frontier));
  nlohmann::json t;
  t["path"] = e.path;
  t["format"] = std::string(TraceFormatName(e.format));
  t["mode"] = e.contention ? "contention" : "right-sizing";
  t["entities"] = w.num_users();
  t["steps"] = w.num_steps();
  t["step_seconds"] = absl::ToDoubleSeconds(w.step);
  t["warmup_seconds"] = absl::ToDoubleSeconds(options.warmup);
  t["start"] = absl::FormatTime(absl::RFC3339_full, w.start, absl::UTCTimeZone());
  for (Resource r : kAllResources)
    t["measured"][std::string(ResourceName(r))] = e.trace.measured[r];
  t["rows"] = st.rows;
  t["files"] = st.files;
  t["bytes"] = st.bytes;
  t["missing_fields"] = st.missing_fields;
  t["partial_steps"] = st.partial_steps;
  t["held_values"] = st.held_values;
  t["dropped_rows"] = st.dropped_rows;
  root["trace"] = t;
  return root.dump(indent) + "\n";
}

std::string EvaluationSummary(const TraceEvaluation& e, const EvaluateOptions& options) {
  const Workload& w = e.trace.workload;
  const TraceStats& st = e.trace.stats;
  const absl::Duration span = w.step * static_cast<std::int64_t>(w.num_steps());
  std::string measured;
  for (Resource r : kAllResources) {
    if (e.trace.measured[r])
      absl::StrAppend(&measured, measured.empty() ? "" : ",", Sv(ResourceName(r)));
  }
  return absl::StrFormat(
      "trace: %s (%s), %d entities x %d steps of %s (%.1f days), measured %s; %d rows in %d files, "
      "%d partial steps dropped, %d io/net values held%s; %s mode%s; warm-up %s",
      e.path, Sv(TraceFormatName(e.format)), static_cast<int>(w.num_users()),
      static_cast<int>(w.num_steps()), absl::FormatDuration(w.step),
      absl::ToDoubleHours(span) / 24, measured, static_cast<int>(st.rows),
      static_cast<int>(st.files), static_cast<int>(st.partial_steps),
      static_cast<int>(st.held_values),
      st.dropped_rows > 0
          ? absl::StrFormat(", %d rows dropped (not data: formats.md)",
                            static_cast<int>(st.dropped_rows))
          : "",
      e.contention ? "contention" : "right-sizing",
      e.contention ? absl::StrCat(" (", options.hosts, " hosts of ", options.host_capacity, ")")
                   : "",
      absl::FormatDuration(options.warmup));
}

std::string EvaluationReportHtml(const TraceEvaluation& e, const EvaluateOptions& options) {
  const Workload& w = e.trace.workload;
  const std::vector<std::size_t>& record = e.recorded;
  const std::vector<PolicyMetrics>& metrics = e.metrics;
  const std::vector<VsVpa>& vs_vpa = e.vs_vpa;
  ReportData data;
  data.title = absl::StrCat("foresight evaluate: ", e.path);
  data.summary = {EvaluationSummary(e, options)};
  data.workload = &w;
  data.measured = e.trace.measured;
  data.metrics_start = w.start + options.warmup;
  data.users = record;
  for (const PolicyRun& r : e.runs) {
    data.policies.push_back(ReportPolicy{r.metrics.name, ReportMetrics(r.metrics),
                                         r.recorder.allocation, r.metrics.coverage});
  }
  if (!vs_vpa.empty()) {
    ReportScatter mem, cpu;
    mem.title = "memory: allocation vs OOM-free entity-days";
    mem.xlabel = "allocated memory relative to vpa";
    mem.ylabel = "OOM-free entity-days";
    cpu.title = "CPU: allocation vs throttling";
    cpu.xlabel = "allocated CPU relative to vpa";
    cpu.ylabel = "throttled CPU-seconds relative to vpa";
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      mem.points.push_back({metrics[i].name, {vs_vpa[i].memory_ratio, vs_vpa[i].oom_free}});
      cpu.points.push_back({metrics[i].name, {vs_vpa[i].cpu_ratio, vs_vpa[i].throttled_ratio}});
    }
    mem.target_x0 = 0;
    mem.target_x1 = 0.7;
    mem.target_y0 = vs_vpa.front().vpa_oom_free;
    mem.target_y1 = 1;
    cpu.target_x0 = 0;
    cpu.target_x1 = 0.6;
    cpu.target_y0 = 0;
    cpu.target_y1 = 0.2;
    // With --vpa-frontier, VPA's tunings on the same planes (as ratios to vpa).
    const auto vpa = std::find_if(metrics.begin(), metrics.end(),
                                  [](const PolicyMetrics& m) { return m.name == "vpa"; });
    std::vector<PolicyMetrics> tunings = {*vpa};
    tunings.insert(tunings.end(), e.frontier.begin(), e.frontier.end());
    const std::vector<VsVpa> vs = CompareToVpa(tunings);
    for (std::size_t k = 1; k < vs.size(); ++k) {
      mem.tunings.push_back({vs[k].memory_ratio, vs[k].oom_free});
      cpu.tunings.push_back({vs[k].cpu_ratio, vs[k].throttled_ratio});
    }
    cpu.higher_y_better = false;
    data.scatters = {mem, cpu};
  }
  // Worst and median entity by under-provisioned fraction, averaged over the
  // non-oracle policies.
  std::vector<double> score(record.size(), 0.0);
  std::size_t counted = 0;
  for (const ReportPolicy& p : data.policies) {
    if (p.name == "oracle" || p.allocation.users() == 0) continue;
    const std::vector<double> u =
        EntityUnderprovisioned(w, record, p.allocation, e.trace.measured, data.metrics_start);
    for (std::size_t j = 0; j < u.size(); ++j) score[j] += std::isnan(u[j]) ? 0.0 : u[j];
    ++counted;
  }
  if (!record.empty()) {
    std::vector<std::size_t> order(record.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
    data.highlights.push_back({counted ? "worst" : "first", order.front()});
    if (order.size() > 1) data.highlights.push_back({"median", order[order.size() / 2]});
  }
  // One-step forecast errors of the replay's forecaster on (up to 100) recorded entities.
  const HoltWinters forecaster = DefaultReplayForecaster(w, ReplayOptions{}.pool);
  for (Resource r : {Resource::kCpu, Resource::kMemory}) {
    if (!e.trace.measured[r]) continue;
    for (std::size_t j = 0; j < std::min<std::size_t>(record.size(), 100); ++j) {
      const std::vector<double> errors =
          OneStepRelativeErrors(w, record[j], r, forecaster, data.metrics_start);
      data.forecast_error[r].insert(data.forecast_error[r].end(), errors.begin(), errors.end());
    }
  }
  return RenderTraceReport(data);
}

}  // namespace foresight
