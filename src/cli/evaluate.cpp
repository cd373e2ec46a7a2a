// `foresight evaluate`: replays a public trace (or a long CSV) under several
// policies and compares them, with the same table and JSON as `simulate`.
//
//   foresight evaluate --trace fastStorage/ --format bitbrains --step 300s
//       --policies vpa,proactive,oracle --warmup 1d --json out.json --report out.html
//
// Right-sizing mode (default): every entity on its own ample host, so each
// policy's allocation is measured against the entity's own demand. Contention
// mode (--hosts N --host-capacity cpu=…,memory=…): entities packed onto N hosts.
#include "foresight/trace/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/command.hpp"
#include "cli/progress.hpp"
#include "cli/trace_flags.hpp"
#include "foresight/core/absl_compat.hpp"
#include "foresight/core/units.hpp"
#include "foresight/sim/compare.hpp"
#include "foresight/sim/policy_registry.hpp"
#include "foresight/sim/replay.hpp"
#include "foresight/trace/loader.hpp"
#include "foresight/trace/long_csv.hpp"

namespace foresight::cli {
namespace {

struct EvaluateFlags {
  TraceFlags trace;
  std::string policies = std::string(kEvaluateDefaultPolicies);
  int hosts = 0;
  std::string host_capacity;
  std::string warmup = "0s";
  std::string json;
  std::string report;
  std::string write_long;
  std::string per_entity;
  std::size_t record = 200;
  int threads = 0;
  bool vpa_frontier = false;
};

[[noreturn]] void Fail(const absl::Status& s) {
  std::cerr << "foresight evaluate: " << s.message() << "\n";
  throw CLI::RuntimeError(1);
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

void RunEvaluate(const EvaluateFlags& f) {
  absl::StatusOr<TraceFormat> format = ParseTraceFormat(f.trace.format);
  if (!format.ok()) Fail(format.status());
  absl::StatusOr<LoadOptions> load_options = TraceLoadOptions(f.trace);
  if (!load_options.ok()) Fail(load_options.status());

  EvaluateOptions eo;
  eo.policies = f.policies;
  eo.hosts = f.hosts;
  eo.host_capacity = f.host_capacity;
  eo.threads = f.threads;
  eo.vpa_frontier = f.vpa_frontier;
  eo.load = *std::move(load_options);
  LoadOptions& load = eo.load;
  absl::StatusOr<absl::Duration> warmup = ParseSpan(f.warmup, "--warmup");
  if (!warmup.ok()) Fail(warmup.status());
  eo.warmup = *warmup;
  if (!f.report.empty()) eo.record = f.record;  // spread over the trace's entities

  ProgressBar load_bar("load " + f.trace.format, 1000);
  load.progress = LoadProgressTo(load_bar);
  std::unique_ptr<ProgressBar> bar;
  eo.on_loaded = [&](const Workload& w, std::size_t policies) {
    load_bar.Finish();
    bar = std::make_unique<ProgressBar>("evaluate", w.num_steps() * policies);
  };
  eo.on_step = [&bar](std::size_t steps) { bar->Advance(steps); };
  absl::StatusOr<TraceEvaluation> evaluation = EvaluateTrace(f.trace.trace, *format, eo);
  load_bar.Finish();
  if (bar) bar->Finish();
  if (!evaluation.ok()) Fail(evaluation.status());
  const TraceEvaluation& ev = *evaluation;
  const Workload& w = ev.trace.workload;
  const std::vector<PolicyMetrics>& metrics = ev.metrics;
  if (!f.write_long.empty()) {
    if (absl::Status s = WriteLongCsv(w, f.write_long); !s.ok()) Fail(s);
  }
  const std::string summary = EvaluationSummary(ev, eo);
  std::cout << summary << "\n" << ComparisonTable(metrics);
  const double entity_steps = static_cast<double>(LiveEntitySteps(w));
  for (const PolicyMetrics& m : metrics) {
    const double rate = entity_steps / std::max(m.seconds, 1e-9);
    std::cout << absl::StrFormat(
        "  %-*s replay %.2f s (%.0f entity-steps/s), slowest tick %.3f s\n",
        PolicyNameWidth(metrics), m.name, m.seconds, rate, m.slowest_tick_seconds);
  }

  std::cout << ChangesByResourceTable(metrics) << CoverageTable(metrics);

  std::cout << VsVpaText(metrics, ev.vs_vpa, ev.trace.measured)
            << VsVpaFrontierText(metrics, ev.frontier, ev.vs_frontier, ev.trace.measured,
                                 entity_steps);

  if (!f.json.empty()) {
    if (!WriteFile(f.json, EvaluationJson(ev, eo)))
      Fail(absl::InternalError("cannot write " + f.json));
  }

  if (!f.per_entity.empty()) {
    if (!WriteFile(f.per_entity, PerEntityCsv(ev)))
      Fail(absl::InternalError("cannot write " + f.per_entity));
    std::cout << "per-entity metrics: " << f.per_entity << "\n";
  }

  if (!f.report.empty()) {
    if (!f.report.ends_with(".html") && !f.report.ends_with(".htm")) {
      Fail(absl::InvalidArgumentError("--report must end in .html"));
    }
    if (!WriteFile(f.report, EvaluationReportHtml(ev, eo)))
      Fail(absl::InternalError("cannot write " + f.report));
  }
}

void SetupEvaluate(CLI::App& app) {
  auto f = std::make_shared<EvaluateFlags>();
  app.add_option("--trace", f->trace.trace, "trace file or folder (plain or .gz)")->required();
  app.add_option("--format", f->trace.format, std::string(kTraceFormatHelp))->required();
  AddTraceLoadFlags(app, f->trace);
  app.add_option("--policies", f->policies,
                 "comma-separated policy names, 'default' (vpa, hpa, proactive, oracle) or 'all' "
                 "(see simulate --list-policies); proactive(<method>) replays any forecast-eval "
                 "method")
      ->capture_default_str();
  app.add_option("--hosts", f->hosts, "contention mode: number of hosts")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--host-capacity", f->host_capacity,
                 "contention mode: capacity of each host, e.g. cpu=32,memory=128Gi");
  app.add_option("--warmup", f->warmup, "replayed but not scored (e.g. 1d)")->capture_default_str();
  app.add_option("--json", f->json, "write the metrics as JSON (simulate's schema + 'trace')");
  app.add_option("--report", f->report, "write a self-contained HTML report");
  app.add_option("--record", f->record, "entities recorded for the report's plots and CDFs")
      ->capture_default_str();
  app.add_option("--write-long", f->write_long, "also write the resampled trace as long CSV");
  app.add_option("--per-entity", f->per_entity,
                 "also write every policy's metrics per entity to this CSV file");
  app.add_option("--threads", f->threads, "policies replayed in parallel (0: all cores)");
  app.add_flag("--vpa-frontier", f->vpa_frontier,
               "also replay 102 tunings of vpa and compare every policy with the cheapest one "
               "at least as safe (VPA's frontier, not only its default point)");
  app.callback([f] { RunEvaluate(*f); });
}

const CommandRegistrar kEvaluate("evaluate", "replay a real trace under several policies",
                                 &SetupEvaluate);

}  // namespace
}  // namespace foresight::cli
