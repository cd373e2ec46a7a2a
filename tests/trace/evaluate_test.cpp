// EvaluateTrace / EvaluationJson / CompareToVpa: `foresight
// evaluate` as a library call (the CLI and Python both use it).
#include "foresight/trace/evaluate.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "foresight/forecast/forecast.hpp"
#include "foresight/sim/compare.hpp"
#include "foresight/sim/vm_trace.hpp"
#include "foresight/trace/layout.hpp"
#include "foresight/trace/long_csv.hpp"
#include "nlohmann/json.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

// A small VM trace written as long CSV (removed by the destructor).
struct VmCsv {
  std::string path = testing::TempPath("evaluate_vms.csv");
  VmCsv() {
    absl::StatusOr<Workload> w = GenerateVmTrace({.vms = 8, .days = 3, .seed = 5});
    REQUIRE(w.ok());
    REQUIRE(WriteLongCsv(*w, path).ok());
  }
  ~VmCsv() { std::remove(path.c_str()); }
};

TEST_CASE("EvaluateTrace replays every policy and compares it with vpa; the JSON is the CLI's") {
  VmCsv csv;
  EvaluateOptions o;
  o.policies = "vpa,track+smooth+damped,oracle";
  o.warmup = absl::Hours(24);
  o.threads = 1;
  o.record = 3;
  std::size_t loaded_calls = 0, policies_seen = 0;
  std::atomic<std::size_t> steps{0};
  o.on_loaded = [&](const Workload& w, std::size_t policies) {
    ++loaded_calls;
    policies_seen = policies;
    CHECK(w.num_users() == 8);
  };
  o.on_step = [&steps](std::size_t n) { steps.fetch_add(n); };
  absl::StatusOr<TraceEvaluation> e = EvaluateTrace(csv.path, TraceFormat::kLong, o);
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  const Workload& w = e->trace.workload;
  CHECK(loaded_calls == 1);
  CHECK(policies_seen == 3);
  CHECK(steps.load() == 3 * w.num_steps());
  CHECK_FALSE(e->contention);
  REQUIRE(e->metrics.size() == 3);
  CHECK(e->metrics[0].name == "vpa");
  CHECK(e->metrics[2].name == "oracle");
  CHECK(e->recorded.size() == 3);
  for (const PolicyRun& r : e->runs) CHECK(r.recorder.allocation.users() == 3);
  REQUIRE(e->vs_vpa.size() == 3);
  CHECK(e->vs_vpa[0].memory_ratio == doctest::Approx(1.0));
  CHECK(e->vs_vpa[2].memory_ratio < 1.0);   // the oracle holds less than vpa
  CHECK(e->vs_vpa[2].oom_free == 1.0);
  for (const PolicyMetrics& m : e->metrics) CHECK(m.capacity_violations == 0);

  const nlohmann::json j = nlohmann::json::parse(EvaluationJson(*e, o));
  for (const char* key : {"policies", "gap_closed", "trace", "vs_vpa", "gap_closed_by_metric"}) {
    CHECK(j.contains(key));
  }
  CHECK(j["trace"]["format"] == "long");
  CHECK(j["trace"]["mode"] == "right-sizing");
  CHECK(j["trace"]["entities"] == 8);
  CHECK(j["trace"]["warmup_seconds"] == 86400.0);
  CHECK(j["trace"]["path"] == csv.path);
  CHECK(j["policies"]["track+smooth+damped"]["oom_events"] ==
        e->metrics[1].oom_events);
  CHECK(j["vs_vpa"]["oracle"]["oom_free_entity_days"] == 1.0);
  CHECK(j["gap_closed_by_metric"]["underprovisioned_fraction"]["oracle"] == doctest::Approx(1.0));
  // Forecast calibration: scored after the warm-up, only for policies that plan on forecasts.
  const nlohmann::json& cov = j["policies"]["track+smooth+damped"]["quantile_coverage"];
  CHECK(j["policies"]["track+smooth+damped"]["forecaster"] == "by_resource");
  REQUIRE(cov["levels"].size() == kTailQuantileLevels.size());
  const std::uint64_t scored = cov["memory"]["scored"];
  CHECK(scored == e->metrics[1].coverage.scored(Resource::kMemory));
  CHECK(scored > 0);
  CHECK(scored <= e->metrics[1].entity_steps);  // none from the warm-up day
  double previous = 0.0;
  for (const nlohmann::json& share : cov["cpu"]["coverage"]) {
    CHECK(share.get<double>() >= previous);  // non-decreasing in level
    previous = share.get<double>();
  }
  CHECK(j["policies"]["vpa"]["forecaster"].is_null());
  CHECK(j["policies"]["vpa"]["quantile_coverage"]["cpu"]["scored"] == 0);
  CHECK(j["policies"]["oracle"]["quantile_coverage"]["memory"]["coverage"].empty());

  // Per entity: the totals split, entity by entity.
  for (const PolicyMetrics& m : e->metrics) {
    CAPTURE(m.name);
    REQUIRE(m.per_entity.size() == 8);
    EntityMetrics sum;
    for (const EntityMetrics& x : m.per_entity) {
      sum.steps += x.steps;
      sum.days += x.days;
      sum.oom_days += x.oom_days;
      sum.oom_events += x.oom_events;
      sum.throttled_cpu_seconds += x.throttled_cpu_seconds;
      sum.allocated_resource_seconds += x.allocated_resource_seconds;
      CHECK(x.oom_days <= x.days);
    }
    CHECK(sum.steps == m.entity_steps);
    CHECK(sum.days == m.entity_days);
    CHECK(sum.oom_events == m.oom_events);
    CHECK(1.0 - static_cast<double>(sum.oom_days) / static_cast<double>(sum.days) ==
          doctest::Approx(m.oom_free_entity_days).epsilon(1e-12));
    CHECK(sum.throttled_cpu_seconds == doctest::Approx(m.throttled_cpu_seconds).epsilon(1e-9));
    for (Resource r : kAllResources) {
      CHECK(sum.allocated_resource_seconds[r] ==
            doctest::Approx(m.allocated_resource_seconds[r]).epsilon(1e-9));
    }
  }
  const std::string rows = PerEntityCsv(*e);
  CHECK(rows.starts_with("entity,policy,days,oom_free_days,oom_events,throttled_cpu_seconds,"));
  CHECK(std::count(rows.begin(), rows.end(), '\n') == 1 + 8 * 3);
  // The first entity under vpa: its days, OOM-free days and OOMs, as the metrics have them.
  const EntityMetrics& first = e->metrics[0].per_entity[0];
  const std::string name = w.users[0].name;
  CHECK(rows.find(absl::StrCat("\n", name, ",vpa,", first.days, ",", first.days - first.oom_days,
                               ",", first.oom_events, ",")) != std::string::npos);

  const std::string summary = EvaluationSummary(*e, o);
  CHECK(summary.find("(long), 8 entities x 864 steps of 5m (3.0 days)") != std::string::npos);
  CHECK(summary.find("right-sizing mode; warm-up 24h") != std::string::npos);
  const std::string html = EvaluationReportHtml(*e, o);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("track+smooth+damped") != std::string::npos);
  CHECK(html.find(summary) != std::string::npos);
  CHECK(html.find("<h2>Demand and allocations</h2>") != std::string::npos);  // recorded entities
  CHECK(html.find("<h2>Forecast calibration</h2>") != std::string::npos);
  CHECK(html.find("calibration: memory") != std::string::npos);
}

TEST_CASE("EvaluateTrace does not score a resource the trace does not record") {
  // The VM trace's CPU rows alone: a CPU-only trace, as Azure's and PlanetLab's are.
  VmCsv csv;
  const std::string path = testing::TempPath("evaluate_cpu_only.csv");
  {
    std::ifstream in(csv.path);
    std::ofstream out(path);
    std::string line;
    std::getline(in, line);
    out << line << "\n";
    while (std::getline(in, line)) {
      if (line.find(",cpu,") != std::string::npos) out << line << "\n";
    }
  }
  EvaluateOptions o;
  o.policies = "vpa,track+fleet+damped,oracle";
  o.warmup = absl::Hours(24);
  o.threads = 1;
  absl::StatusOr<TraceEvaluation> e = EvaluateTrace(path, TraceFormat::kLong, o);
  std::remove(path.c_str());
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  CHECK(e->trace.measured.cpu());
  CHECK_FALSE(e->trace.measured.memory());
  REQUIRE(e->metrics.size() == 3);
  for (const PolicyMetrics& m : e->metrics) {
    CAPTURE(m.name);
    CHECK(std::isnan(m.relative_slack));  // before: 1.0 for track+fleet+damped, 0 for vpa
    CHECK(std::isnan(m.oom_free_entity_days));
    CHECK(std::isnan(m.underprovisioned_fraction_by_resource.memory()));
    CHECK(std::isfinite(m.relative_slack_cpu));
    CHECK(std::isfinite(m.throttled_cpu_seconds));
  }
  for (const PolicyRun& r : e->runs) CHECK(std::isnan(r.metrics.oom_free_entity_days));
  REQUIRE(e->vs_vpa.size() == 3);
  for (const VsVpa& v : e->vs_vpa) {
    CHECK(std::isnan(v.memory_ratio));
    CHECK_FALSE(v.memory_target);
    CHECK_FALSE(v.memory_dominates);
  }
  for (const VsVpa& v : e->vs_vpa) CHECK(v.cpu_ratio > 0.0);  // CPU is compared as before
  const nlohmann::json j = nlohmann::json::parse(EvaluationJson(*e, o));
  CHECK(j["policies"]["vpa"]["relative_slack"].is_null());
  CHECK(j["policies"]["vpa"]["oom_free_entity_days"].is_null());
  CHECK(j["policies"]["vpa"]["underprovisioned_fraction_by_resource"]["memory"].is_null());
  CHECK(j["policies"]["vpa"]["throttled_cpu_seconds"].is_number());
  // Memory's demand is all zeros here: its quantiles are not scored against it.
  const nlohmann::json& cov = j["policies"]["track+fleet+damped"]["quantile_coverage"];
  CHECK(cov["memory"]["scored"] == 0);
  CHECK(cov["memory"]["coverage"][0].is_null());
  CHECK(cov["cpu"]["scored"].get<std::uint64_t>() > 0);
  CHECK(CoverageTable(e->metrics).find("nan") == std::string::npos);
  CHECK(j["vs_vpa"]["oracle"]["allocated_memory_ratio"].is_null());
  CHECK(j["vs_vpa"]["oracle"]["allocated_cpu_ratio"].is_number());
  CHECK(j["trace"]["measured"]["memory"] == false);
  const std::string table = ComparisonTable(e->metrics);
  CHECK(table.find("nan") == std::string::npos);
  const std::string html = EvaluationReportHtml(*e, o);
  CHECK(html.find("nan") == std::string::npos);
  // Per entity, memory's OOM and demand fields are left empty: ",days,,,throttled".
  const std::string rows = PerEntityCsv(*e);
  const std::size_t row = rows.find('\n') + 1;
  const std::string first = rows.substr(row, rows.find('\n', row) - row);
  const std::vector<std::string> fields = absl::StrSplit(first, ',');
  REQUIRE(fields.size() == 10);
  CHECK(fields[3].empty());   // oom_free_days
  CHECK(fields[4].empty());   // oom_events
  CHECK_FALSE(fields[5].empty());  // throttled_cpu_seconds
  CHECK_FALSE(fields[7].empty());  // allocated memory: what the policy did
  CHECK(fields[9].empty());   // demand memory
}

TEST_CASE("EvaluateTrace packs entities onto hosts in contention mode") {
  VmCsv csv;
  EvaluateOptions o;
  o.policies = "vpa,track+peak+damped";
  o.threads = 1;
  o.hosts = 2;
  o.host_capacity = "cpu=8,memory=32Gi";
  absl::StatusOr<TraceEvaluation> e = EvaluateTrace(csv.path, TraceFormat::kLong, o);
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  CHECK(e->contention);
  CHECK(e->trace.workload.host_capacity.size() == 2);
  CHECK(e->trace.workload.host_capacity[0].cpu() == 8.0);
  for (const PolicyMetrics& m : e->metrics) CHECK(m.capacity_violations == 0);
  CHECK(nlohmann::json::parse(EvaluationJson(*e, o))["trace"]["mode"] == "contention");
  CHECK(EvaluationSummary(*e, o).find("contention mode (2 hosts of cpu=8,memory=32Gi)") !=
        std::string::npos);
  // Nothing recorded: the report still renders, without per-entity plots.
  const std::string html = EvaluationReportHtml(*e, o);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("<h2>Demand and allocations</h2>") == std::string::npos);
}

TEST_CASE("EvaluateTrace names what is wrong") {
  VmCsv csv;
  auto error = [&](EvaluateOptions o, const std::string& path) {
    absl::StatusOr<TraceEvaluation> e = EvaluateTrace(path, TraceFormat::kLong, o);
    REQUIRE_FALSE(e.ok());
    return std::string(e.status().message());
  };
  EvaluateOptions o;
  o.threads = 1;
  o.policies = "vpa,bogus";
  CHECK(error(o, csv.path).find("bogus") != std::string::npos);
  o.policies = "vpa";
  o.warmup = absl::Hours(24 * 3);
  CHECK(error(o, csv.path).find("not shorter than the trace") != std::string::npos);
  o.warmup = absl::ZeroDuration();
  o.hosts = 2;
  CHECK(error(o, csv.path).find("--host-capacity") != std::string::npos);
  o.host_capacity = "cpu=lots";
  CHECK(error(o, csv.path).find("lots") != std::string::npos);
  o.hosts = 0;
  o.host_capacity.clear();
  const std::string missing = testing::TempPath("no_such_trace.csv");
  CHECK(error(o, missing).find("no_such_trace.csv") != std::string::npos);
}

TEST_CASE("CompareToVpa needs a vpa run and marks the targets") {
  PolicyMetrics vpa, half;
  vpa.name = "vpa";
  vpa.allocated_resource_seconds = MakeResources(100, 100, 0, 0);
  vpa.throttled_cpu_seconds = 10;
  vpa.oom_free_entity_days = 0.9;
  half.name = "half";
  half.allocated_resource_seconds = MakeResources(50, 60, 0, 0);
  half.throttled_cpu_seconds = 1;
  half.oom_free_entity_days = 0.95;
  CHECK(CompareToVpa({half}).empty());
  const std::vector<VsVpa> v = CompareToVpa({vpa, half});
  REQUIRE(v.size() == 2);
  CHECK(v[1].memory_ratio == doctest::Approx(0.6));
  CHECK(v[1].cpu_ratio == doctest::Approx(0.5));
  CHECK(v[1].memory_target);
  CHECK(v[1].cpu_target);
  CHECK_FALSE(v[0].memory_target);  // 1.0x is not <= 0.7x
  CHECK_FALSE(v[0].memory_dominates);
}

// Hand-made metrics: what the frontier comparisons read.
PolicyMetrics metrics(const char* name, double cpu, double memory, double throttled,
                      double oom_free) {
  PolicyMetrics m;
  m.name = name;
  m.allocated_resource_seconds = MakeResources(cpu, memory, 0, 0);
  m.throttled_cpu_seconds = throttled;
  m.oom_free_entity_days = oom_free;
  return m;
}

TEST_CASE("CompareToVpaFrontier prices each policy at the cheapest variant at least as safe") {
  // Three tunings: cheap and risky, VPA's default, generous and safe.
  const std::vector<PolicyMetrics> frontier = {metrics("lean", 60, 80, 30, 0.90),
                                               metrics("vpa", 100, 100, 10, 0.95),
                                               metrics("fat", 200, 130, 4, 0.99)};
  const std::vector<PolicyMetrics> policies = {
      metrics("p", 90, 110, 8, 0.97),    // between vpa and fat on both
      metrics("q", 50, 120, 1, 0.999),   // safer than every tuning
      metrics("r", 70, 90, 40, 0.80)};   // less safe than every tuning
  CHECK(CompareToVpaFrontier(policies, {}).empty());
  const std::vector<VsVpaFrontier> v = CompareToVpaFrontier(policies, frontier);
  REQUIRE(v.size() == 3);
  CHECK(v[0].memory_match == "fat");  // the only one with >= 0.97 OOM-free days
  CHECK(v[0].memory_ratio == doctest::Approx(110.0 / 130));
  CHECK(v[0].cpu_match == "fat");     // the only one throttling <= 8
  CHECK(v[0].cpu_ratio == doctest::Approx(90.0 / 200));
  CHECK_FALSE(v[0].memory_beyond);
  CHECK(v[1].memory_beyond);
  CHECK(v[1].cpu_beyond);
  CHECK(std::isnan(v[1].memory_ratio));
  CHECK(v[1].memory_match.empty());
  CHECK(v[2].memory_match == "lean");  // every tuning is safer: the cheapest one
  CHECK(v[2].memory_ratio == doctest::Approx(90.0 / 80));
  CHECK(v[2].cpu_ratio == doctest::Approx(70.0 / 60));
  // A resource the trace does not record (NaN) is neither matched nor beyond.
  PolicyMetrics unmeasured = metrics("u", 10, 0, 10, 0.9);
  unmeasured.oom_free_entity_days = std::nan("");
  const std::vector<VsVpaFrontier> u = CompareToVpaFrontier({unmeasured}, frontier);
  CHECK_FALSE(u[0].memory_beyond);
  CHECK(u[0].memory_match.empty());
  CHECK(u[0].cpu_match == "vpa");
}

TEST_CASE("the vs-vpa text blocks that evaluate and simulate print") {
  const std::vector<PolicyMetrics> frontier = {metrics("lean", 60, 80, 30, 0.90),
                                               metrics("fat", 200, 130, 4, 0.99),
                                               metrics("fatter", 300, 130, 4, 0.99)};
  const std::vector<PolicyMetrics> policies = {metrics("vpa", 100, 100, 10, 0.95),
                                               metrics("p", 90, 110, 8, 0.97),
                                               metrics("q", 50, 120, 1, 0.999)};
  PerResource<bool> all;
  for (Resource r : kAllResources) all[r] = true;
  const std::string vs = VsVpaText(policies, CompareToVpa(policies), all);
  CHECK(vs.starts_with("vs vpa (targets: "));
  CHECK(vs.find(" memory 1.10x, OOM-free days 0.970 (vpa 0.950); cpu 0.90x, throttled "
                "0.80x\n") != std::string::npos);
  CHECK(vs.find(" memory 1.20x, OOM-free days 0.999 (vpa 0.950); cpu 0.50x, throttled "
                "0.10x [met]\n") != std::string::npos);
  CHECK(VsVpaText(policies, {}, all).empty());  // no vpa run: no block

  const std::string text =
      VsVpaFrontierText(policies, frontier, CompareToVpaFrontier(policies, frontier), all, 1000);
  CHECK(text.starts_with("vs vpa's frontier (102 vpa tunings: "));
  CHECK(text.find(" memory 0.85x fat; cpu 0.45x fat\n") != std::string::npos);
  CHECK(text.find(" memory: no variant has as many OOM-free days; cpu: no variant "
                  "throttles as little\n") != std::string::npos);
  // The safest tunings: the most OOM-free then the least memory (fat and
  // fatter tie on both, so the first), the least throttled then the least CPU.
  CHECK(text.find("  the frontier's safest: memory 0.990 OOM-free days at 1.30x vpa's memory "
                  "(fat); cpu 0.40x vpa's throttling at 2.00x its cpu (fat)\n") !=
        std::string::npos);
  CHECK(text.find("  the 3 tunings: replay ") != std::string::npos);
  CHECK(VsVpaFrontierText(policies, {}, {}, all, 1000).empty());

  // Names are padded to one column (at least 20 wide).
  CHECK(text.find("\n  p                    memory 0.85x") != std::string::npos);
  // A resource the trace does not record is "not measured" in both blocks.
  PerResource<bool> cpu_only;
  cpu_only.cpu() = true;
  CHECK(VsVpaText(policies, CompareToVpa(policies), cpu_only).find("memory not measured; cpu "
                                                                  "0.90x") != std::string::npos);
  CHECK(VsVpaFrontierText(policies, frontier, CompareToVpaFrontier(policies, frontier), cpu_only,
                          1000)
            .find(" memory not measured; cpu 0.45x fat\n") != std::string::npos);
}

TEST_CASE("ComparisonWithVpaJson: the keys evaluate and simulate share") {
  const std::vector<PolicyMetrics> policies = {metrics("vpa", 100, 100, 10, 0.95),
                                               metrics("p", 90, 110, 8, 0.97)};
  const std::vector<PolicyMetrics> frontier = {metrics("fat", 200, 130, 4, 0.99)};
  const nlohmann::json plain =
      nlohmann::json::parse(ComparisonWithVpaJson(policies, CompareToVpa(policies), {}, {}));
  CHECK(plain.contains("policies"));
  CHECK(plain.contains("gap_closed_by_metric"));
  CHECK(plain["vs_vpa"]["p"]["allocated_memory_ratio"].get<double>() == doctest::Approx(1.1));
  CHECK_FALSE(plain.contains("vpa_frontier"));
  CHECK_FALSE(plain.contains("vs_vpa_frontier"));
  const nlohmann::json with = nlohmann::json::parse(ComparisonWithVpaJson(
      policies, CompareToVpa(policies), frontier, CompareToVpaFrontier(policies, frontier)));
  CHECK(with["vpa_frontier"].contains("fat"));
  CHECK(with["vs_vpa_frontier"]["p"]["memory_match"] == "fat");
  CHECK(with["vs_vpa_frontier"]["p"]["memory_ratio"].get<double>() ==
        doctest::Approx(110.0 / 130));
}

TEST_CASE("ReplayVpaFrontier replays the 102 tunings in order") {
  absl::StatusOr<Workload> w = GenerateVmTrace({.vms = 2, .days = 2, .seed = 5});
  REQUIRE(w.ok());
  ReplayOptions o;
  o.warmup = absl::Hours(24);
  absl::StatusOr<std::vector<PolicyMetrics>> f = ReplayVpaFrontier(*w, o, 2);
  REQUIRE_MESSAGE(f.ok(), f.status().ToString());
  const std::vector<std::string> names = VpaFrontierVariants();
  REQUIRE(f->size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) CHECK((*f)[i].name == names[i]);
  // More margin holds more memory (same percentile, 24 h half-lives).
  auto memory = [&](const std::string& name) {
    for (const PolicyMetrics& m : *f) {
      if (m.name == name) return m.allocated_resource_seconds.memory();
    }
    FAIL("no tuning ", name);
    return 0.0;
  };
  CHECK(memory("vpa[memory_percentile=0.5,cpu_percentile=0.5,margin=0.5]") >
        1.1 * memory("vpa[memory_percentile=0.5,cpu_percentile=0.5,margin=0]"));
}

TEST_CASE("EvaluateTrace with vpa_frontier replays VPA's 102 tunings beside the policies") {
  VmCsv csv;
  EvaluateOptions o;
  o.policies = "vpa,track+fleet+damped,oracle";
  o.warmup = absl::Hours(24);
  o.threads = 2;
  o.vpa_frontier = true;
  std::size_t replays = 0;
  std::atomic<std::size_t> steps{0};
  o.on_loaded = [&](const Workload&, std::size_t n) { replays = n; };
  o.on_step = [&steps](std::size_t n) { steps.fetch_add(n); };
  absl::StatusOr<TraceEvaluation> e = EvaluateTrace(csv.path, TraceFormat::kLong, o);
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  const std::vector<std::string> variants = VpaFrontierVariants();
  REQUIRE(variants.size() == 102);
  CHECK(VpaFrontierDescription().starts_with("102 vpa tunings: "));
  CHECK(replays == 105);
  CHECK(steps.load() == 105 * e->trace.workload.num_steps());
  REQUIRE(e->frontier.size() == 102);
  REQUIRE(e->metrics.size() == 3);  // the table keeps the policies named
  // VPA's defaults are one of the tunings, with vpa's exact metrics.
  const std::string twin = "vpa[memory_percentile=0.9,cpu_percentile=0.9,margin=0.15]";
  bool found = false;
  for (const PolicyMetrics& f : e->frontier) {
    if (f.name != twin) continue;
    found = true;
    CHECK(f.allocated_resource_seconds.memory() ==
          e->metrics[0].allocated_resource_seconds.memory());
    CHECK(f.throttled_cpu_seconds == e->metrics[0].throttled_cpu_seconds);
  }
  CHECK(found);
  REQUIRE(e->vs_frontier.size() == 3);
  // So vpa's own match costs at most what it does.
  CHECK(e->vs_frontier[0].memory_ratio >= 1.0);
  CHECK(e->vs_frontier[0].cpu_ratio >= 1.0);
  // The oracle is never throttled and never OOMs: a tuning matching it costs more.
  const VsVpaFrontier& oracle = e->vs_frontier[2];
  CHECK((oracle.memory_beyond || oracle.memory_ratio < 1.0));
  CHECK((oracle.cpu_beyond || oracle.cpu_ratio < 1.0));
  const nlohmann::json j = nlohmann::json::parse(EvaluationJson(*e, o));
  CHECK(j["vpa_frontier"].size() == 102);
  CHECK(j["vpa_frontier"].contains(twin));
  CHECK(j["vs_vpa_frontier"]["vpa"]["memory_ratio"] == e->vs_frontier[0].memory_ratio);
  CHECK(j["vs_vpa_frontier"]["oracle"].contains("cpu_beyond_frontier"));
  CHECK(j["policies"].size() == 3);
  // The report draws the tunings and their front on both trade-off planes.
  const std::string html = EvaluationReportHtml(*e, o);
  std::size_t planes = 0;
  for (std::size_t at = html.find("vpa tunings (102)"); at != std::string::npos;
       at = html.find("vpa tunings (102)", at + 1)) {
    ++planes;
  }
  CHECK(planes == 2);
  CHECK(html.find("stroke-dasharray=\"4 3\"") != std::string::npos);
}

}  // namespace
}  // namespace foresight
