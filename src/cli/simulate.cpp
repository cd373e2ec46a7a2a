// `foresight simulate`: replays the built-in workload under several policies
// and compares them (table on stdout, --json, --report .svg/.html).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/command.hpp"
#include "cli/progress.hpp"
#include "foresight/sim/compare.hpp"
#include "foresight/sim/generator.hpp"
#include "foresight/sim/policy_registry.hpp"
#include "foresight/trace/evaluate.hpp"

namespace foresight::cli {
namespace {

struct SimulateFlags {
  int users = 40;
  int days = 14;
  std::uint64_t seed = 42;
  std::string policies = "default";
  std::string json;
  std::string report;
  bool contention = false;
  double capacity_factor = 0;  // 0: 1.5, or 0.6 with --contention
  double failure_rate = 0;
  double delay_rate = 0;
  int threads = 0;
  bool list = false;
  bool vpa_frontier = false;
};

[[noreturn]] void Fail(const absl::Status& s) {
  std::cerr << "foresight simulate: " << s.message() << "\n";
  throw CLI::RuntimeError(1);
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

void RunSimulate(const SimulateFlags& f) {
  if (f.list) {
    for (const PolicyInfo* p : PolicyRegistry::Global().All()) {
      std::cout << absl::StrFormat("%-22s %s\n", p->name, p->description);
      for (const PolicyKnob& k : p->knobs) {
        std::cout << absl::StrFormat("%-22s   [%s=%g] %s\n", "", k.name, k.default_value,
                                     k.description);
      }
    }
    for (const PolicyFamily* family : PolicyRegistry::Global().Families()) {
      std::cout << absl::StrFormat("%-22s %s\n",
                                   absl::StrCat(family->prefix, "(", family->argument, ")"),
                                   family->description);
      for (const PolicyKnob& k : family->knobs) {
        std::cout << absl::StrFormat("%-22s   [%s=%g] %s\n", "", k.name, k.default_value,
                                     k.description);
      }
    }
    return;
  }
  absl::StatusOr<std::vector<const PolicyInfo*>> policies =
      PolicyRegistry::Global().Resolve(f.policies);
  if (!policies.ok()) Fail(policies.status());
  GeneratorOptions g;
  g.users = f.users;
  g.days = f.days;
  g.seed = f.seed;
  if (f.contention) g.users_per_host = 16;
  g.capacity_factor = f.capacity_factor > 0 ? f.capacity_factor : (f.contention ? 0.6 : 1.5);
  const auto t0 = std::chrono::steady_clock::now();
  absl::StatusOr<Workload> workload = GenerateWorkload(g);
  if (!workload.ok()) Fail(workload.status());
  const double gen_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ReplayOptions options;
  options.pool.failure_rate = f.failure_rate;
  options.pool.delay_rate = f.delay_rate;
  options.pool.seed = f.seed;
  const std::size_t frontier_size = f.vpa_frontier ? VpaFrontierVariants().size() : 0;
  ProgressBar bar("simulate", workload->num_steps() * (policies->size() + frontier_size));
  const std::vector<std::size_t> record =
      f.report.empty() ? std::vector<std::size_t>{} : ReportUsers(*workload, 3);
  absl::StatusOr<std::vector<PolicyRun>> runs = RunPolicies(
      *workload, *policies, options, f.threads, record, [&bar](std::size_t n) { bar.Advance(n); });
  absl::StatusOr<std::vector<PolicyMetrics>> tunings = std::vector<PolicyMetrics>{};
  if (runs.ok() && f.vpa_frontier) {
    tunings =
        ReplayVpaFrontier(*workload, options, f.threads, [&bar](std::size_t n) { bar.Advance(n); });
  }
  bar.Finish();
  if (!runs.ok()) Fail(runs.status());
  if (!tunings.ok()) Fail(tunings.status());
  const std::vector<PolicyMetrics>& frontier = *tunings;
  std::vector<PolicyMetrics> metrics;
  for (const PolicyRun& r : *runs) metrics.push_back(r.metrics);
  const std::vector<VsVpa> vs_vpa = CompareToVpa(metrics);
  const std::vector<VsVpaFrontier> vs_frontier = CompareToVpaFrontier(metrics, frontier);
  PerResource<bool> measured;  // the built-in workload records every resource
  for (Resource r : kAllResources) measured[r] = true;
  std::cout << absl::StrFormat(
      "workload: %d users x %d days (%d steps of %s), %d hosts, seed %d%s; generated in %.2f s\n",
      f.users, f.days, static_cast<int>(workload->num_steps()),
      absl::FormatDuration(workload->step), static_cast<int>(workload->host_capacity.size()),
      static_cast<int>(f.seed), f.contention ? ", contention" : "", gen_seconds);
  std::cout << ComparisonTable(metrics);
  const std::size_t entity_steps = std::max<std::size_t>(LiveEntitySteps(*workload), 1);
  for (const PolicyMetrics& m : metrics) {
    const double ns = m.seconds * 1e9 / static_cast<double>(entity_steps);
    std::cout << absl::StrFormat(
        "  %-*s replay %.2f s (%.0f ns per user-step), slowest tick %.3f s\n",
        PolicyNameWidth(metrics), m.name, m.seconds, ns, m.slowest_tick_seconds);
  }
  std::cout << ChangesByResourceTable(metrics) << CoverageTable(metrics);
  std::cout << VsVpaText(metrics, vs_vpa, measured)
            << VsVpaFrontierText(metrics, frontier, vs_frontier, measured,
                                 static_cast<double>(entity_steps));
  if (!f.json.empty() &&
      !WriteFile(f.json, ComparisonWithVpaJson(metrics, vs_vpa, frontier, vs_frontier))) {
    Fail(absl::InternalError("cannot write " + f.json));
  }
  if (!f.report.empty()) {
    const std::string html = ComparisonHtml("foresight simulate", *workload, *runs);
    std::string text = html;
    if (f.report.ends_with(".svg")) {
      // An SVG report is the first chart set wrapped in one SVG document.
      text =
          "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""
          " width=\"1000\" height=\"4000\"><foreignObject width=\"1000\" height=\"4000\">"
          "<xhtml:div>" +
          html.substr(html.find("<h1>"), html.rfind("</body>") - html.find("<h1>")) +
          "</xhtml:div></foreignObject></svg>\n";
    } else if (!f.report.ends_with(".html") && !f.report.ends_with(".htm")) {
      Fail(absl::InvalidArgumentError("--report must end in .svg or .html"));
    }
    if (!WriteFile(f.report, text)) Fail(absl::InternalError("cannot write " + f.report));
  }
}

void SetupSimulate(CLI::App& app) {
  auto f = std::make_shared<SimulateFlags>();
  app.add_option("--users", f->users, "number of users in the built-in workload")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  app.add_option("--days", f->days, "days of demand")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  app.add_option("--seed", f->seed, "workload and fault-injection seed")->capture_default_str();
  app.add_option("--policies", f->policies,
                 "comma-separated policy names, 'default' (vpa,hpa,proactive,oracle) or 'all'; "
                 "proactive(<method>) replays any forecast-eval method (see --list-policies)")
      ->capture_default_str();
  app.add_option("--json", f->json, "write the metrics as JSON to FILE");
  app.add_option("--report", f->report, "write an HTML (.html) or SVG (.svg) report");
  app.add_flag("--contention", f->contention,
               "pack users onto fewer, smaller hosts (16 per host, capacity 0.6 x summed peaks)");
  app.add_option("--capacity-factor", f->capacity_factor,
                 "host capacity as a multiple of the summed peaks of its users")
      ->check(CLI::PositiveNumber);
  app.add_option("--failure-rate", f->failure_rate, "fraction of actuations that fail")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--delay-rate", f->delay_rate, "fraction of actuations applied late")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--threads", f->threads, "policies replayed in parallel (0: all cores)");
  app.add_flag("--list-policies", f->list, "list the policy names and exit");
  app.add_flag("--vpa-frontier", f->vpa_frontier,
               "also replay 102 tunings of vpa and price every policy at the cheapest tuning "
               "at least as safe (VPA's frontier, not only its default point)");
  app.callback([f] { RunSimulate(*f); });
}

const CommandRegistrar kSimulate("simulate", "replay the built-in workload under several policies",
                                 &SetupSimulate);

}  // namespace
}  // namespace foresight::cli
