// -----------------------------------------------------------------------------
// File: evaluate.hpp
// -----------------------------------------------------------------------------
//
// `EvaluateTrace` is `foresight evaluate` as a library call: it loads a trace
// (`LoadTrace`), optionally packs its entities onto hosts (contention mode),
// replays it under each policy of the registry (`RunPolicies`) and compares
// every policy with `VpaStyle` on the same trace. `EvaluationJson` renders the
// result as the CLI's `--json` file: simulate's schema plus "trace",
// "gap_closed_by_metric" and "vs_vpa". The CLI and the Python module
// (`foresight.evaluate`) both call these, so a notebook gets the numbers the
// command line prints.
//
//   EvaluateOptions o;
//   o.load.resample.step = absl::Minutes(5);
//   o.policies = "vpa,track+peak,oracle";
//   o.warmup = absl::Hours(24);
//   absl::StatusOr<TraceEvaluation> e = EvaluateTrace("vms/", TraceFormat::kBitbrains, o);
//   std::string json = EvaluationJson(*e, o);
//
// | type           | name          | description                                   | default |
// |----------------|---------------|-----------------------------------------------|---------|
// | LoadOptions    | load          | step, aggregation, capacities, progress        | 5 min, mean |
// | std::string    | policies      | registry names, "default" or "all"             | kEvaluateDefaultPolicies |
// | absl::Duration | warmup        | replayed but not scored; < the trace's span    | 0       |
// | int            | hosts         | > 0: contention mode on this many hosts        | 0       |
// | std::string    | host_capacity | each host's capacity, e.g. "cpu=32,memory=128Gi" | ""    |
// | int            | threads       | policies replayed in parallel (0: all cores)   | 0       |
// | size_t         | record        | entities recorded (allocations), evenly spread | 0       |
// | bool           | vpa_frontier  | also replay VpaFrontierVariants(), compare with them | false |
// | function       | on_loaded     | called with the laid-out workload, before replay | none  |
// | function       | on_step       | called with steps passed (1, or an idle span) | none    |
//
// Errors (InvalidArgument unless the loader says otherwise) name the problem:
// an unknown policy, a warm-up not shorter than the trace, contention mode
// without both hosts and host_capacity, a malformed capacity list, and every
// loader error (file, line and column).
#ifndef FORESIGHT_TRACE_EVALUATE_HPP_
#define FORESIGHT_TRACE_EVALUATE_HPP_

#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "foresight/core/units.hpp"  // ParseSpan, which the CLI and Python use with this
#include "foresight/sim/compare.hpp"
#include "foresight/sim/metrics.hpp"
#include "foresight/trace/format.hpp"
#include "foresight/trace/loader.hpp"

namespace foresight {

// The foundation four plus the policies built for VM traces.
inline constexpr std::string_view kEvaluateDefaultPolicies =
    "default,envelope,track+envelope,track+headroom,track+peak,track+fleet,track+peak+damped,"
    "track+smooth+damped,track+fleet+damped";

struct EvaluateOptions {
  LoadOptions load;
  std::string policies = std::string(kEvaluateDefaultPolicies);
  absl::Duration warmup = absl::ZeroDuration();
  int hosts = 0;
  std::string host_capacity;
  int threads = 0;
  std::size_t record = 0;
  bool vpa_frontier = false;
  // Called once before the replays with the number of replays (policies plus
  // frontier variants).
  std::function<void(const Workload&, std::size_t policies)> on_loaded;
  std::function<void(std::size_t)> on_step;
};

// The Pareto check of one policy against VpaStyle on the same trace:
// memory (at least VPA's OOM-free entity-days at <= 0.7x its allocated
// memory) and CPU (>= 80 % of its throttled CPU-seconds removed at <= 0.6x its
// allocated CPU), and the weaker wins the targets quantify: memory, at least
// VPA's OOM-free entity-days with less memory; CPU, more than half of VPA's
// throttling removed with less CPU. Ratios are NaN where VPA's is 0.
struct VsVpa {
  double memory_ratio = std::numeric_limits<double>::quiet_NaN();
  double cpu_ratio = std::numeric_limits<double>::quiet_NaN();
  double throttled_ratio = std::numeric_limits<double>::quiet_NaN();
  double oom_free = std::numeric_limits<double>::quiet_NaN();
  double vpa_oom_free = std::numeric_limits<double>::quiet_NaN();
  bool memory_target = false, cpu_target = false;
  bool memory_dominates = false, cpu_dominates = false;
};

// One entry per policy, in order; empty when no policy is named "vpa".
std::vector<VsVpa> CompareToVpa(const std::vector<PolicyMetrics>& metrics);

// VPA's frontier: the vpa variants `EvaluateOptions::vpa_frontier` replays
// beside the policies, 102 names "vpa[memory_percentile=p,cpu_percentile=p,
// margin=m(,cpu_half_life_hours=h)]". Both target percentiles move together
// (right-sizing scores each resource on its own, so one grid traces both
// frontiers): p in {0.5, 0.7, 0.8, 0.9, 0.95, 0.99} times m in {0, 0.05, ...,
// 0.3, 0.4, 0.5} at VPA's 24 h half-lives (54, VPA's defaults among them),
// then p times m in {0, 0.15, 0.3, 0.5} with the CPU histograms' half-life at
// 4 h and at 1 h (48), which follow a daily swing of CPU better. A grid, so
// the true frontier can be a little cheaper between its points.
std::vector<std::string> VpaFrontierVariants();
// The grid in one line, from the same numbers, for `foresight evaluate`'s
// output.
std::string VpaFrontierDescription();

// One policy against VPA's frontier rather than its default point: is there a
// way to tune VPA that matches the policy's safety for less? Memory: the
// policy's allocated memory over the least allocated by a variant with at
// least its OOM-free entity-days. CPU: its allocated CPU over the least
// allocated by a variant that throttles no more CPU-seconds. A ratio under 1
// means no VPA tuning matched the policy's safety as cheaply; over 1, `*_match`
// did. When no variant is as safe, the ratio is NaN, `*_match` empty and
// `*_beyond` true; on a resource the trace does not record all three stay
// unset.
struct VsVpaFrontier {
  double memory_ratio = std::numeric_limits<double>::quiet_NaN();
  std::string memory_match;  // the cheapest variant at least as OOM-free
  bool memory_beyond = false;
  double cpu_ratio = std::numeric_limits<double>::quiet_NaN();
  std::string cpu_match;  // the cheapest variant throttling no more
  bool cpu_beyond = false;
};

// One entry per policy of `metrics`, against the variants in `frontier`
// (empty when `frontier` is).
std::vector<VsVpaFrontier> CompareToVpaFrontier(const std::vector<PolicyMetrics>& metrics,
                                                const std::vector<PolicyMetrics>& frontier);

// VpaFrontierVariants() replayed on `w` with `replay` (no recorder; `threads`
// and `on_step` as RunPolicies), their metrics in order. `foresight evaluate`
// and `foresight simulate` both call it under `--vpa-frontier`.
absl::StatusOr<std::vector<PolicyMetrics>> ReplayVpaFrontier(
    const Workload& w, const ReplayOptions& replay, int threads,
    const std::function<void(std::size_t)>& on_step = {});

// The text blocks `foresight evaluate` and `foresight simulate` print under
// their tables: every policy against vpa's default point (`vs`, from
// CompareToVpa; empty without vpa), and against its frontier (`frontier`'s
// metrics, `vs_frontier` from CompareToVpaFrontier; empty without it), with
// the frontier's safest tunings and its replay rate over `entity_steps`
// (`LiveEntitySteps`) per tuning. A resource `measured` says is not recorded
// prints "not measured".
std::string VsVpaText(const std::vector<PolicyMetrics>& metrics, const std::vector<VsVpa>& vs,
                      const PerResource<bool>& measured);
std::string VsVpaFrontierText(const std::vector<PolicyMetrics>& metrics,
                              const std::vector<PolicyMetrics>& frontier,
                              const std::vector<VsVpaFrontier>& vs_frontier,
                              const PerResource<bool>& measured, double entity_steps);

// ComparisonJson(metrics) plus the keys `gap_closed_by_metric`, `vs_vpa` and,
// when `frontier` is not empty, `vpa_frontier` and `vs_vpa_frontier`: the JSON
// both `foresight evaluate` (which adds `trace`) and `foresight simulate` write.
std::string ComparisonWithVpaJson(const std::vector<PolicyMetrics>& metrics,
                                  const std::vector<VsVpa>& vs_vpa,
                                  const std::vector<PolicyMetrics>& frontier,
                                  const std::vector<VsVpaFrontier>& vs_frontier, int indent = 2);

struct TraceEvaluation {
  std::string path;
  TraceFormat format = TraceFormat::kLong;
  LoadedTrace trace;
  bool contention = false;
  std::vector<std::size_t> recorded;   // entities whose allocations runs[i].recorder holds
  std::vector<PolicyRun> runs;         // one per policy, in the order named
  std::vector<PolicyMetrics> metrics;  // runs[i].metrics
  std::vector<VsVpa> vs_vpa;           // CompareToVpa(metrics)
  // With EvaluateOptions::vpa_frontier: the variants' metrics and every
  // policy against them; otherwise empty.
  std::vector<PolicyMetrics> frontier;
  std::vector<VsVpaFrontier> vs_frontier;
};

absl::StatusOr<TraceEvaluation> EvaluateTrace(const std::string& path, TraceFormat format,
                                              const EvaluateOptions& options);

// The `--json` document of `foresight evaluate` for this evaluation.
std::string EvaluationJson(const TraceEvaluation& evaluation, const EvaluateOptions& options,
                           int indent = 2);

// Every policy's metrics per entity (`PolicyMetrics::per_entity`, after the
// warm-up) as CSV, one row per entity with scored steps and policy, entities in
// the trace's order: `entity,policy,days,oom_free_days,oom_events,
// throttled_cpu_seconds,allocated_cpu_core_seconds,allocated_memory_byte_seconds,
// demand_cpu_core_seconds,demand_memory_byte_seconds`. A resource the trace
// does not record leaves its OOM, throttling and demand fields empty. Summed
// over entities, each column is the policy's total (`evaluate --per-entity`).
std::string PerEntityCsv(const TraceEvaluation& evaluation);

// The one-line description `foresight evaluate` prints above its table: the
// trace, its entities and steps, what it measures, its row counts, the mode and
// the warm-up.
std::string EvaluationSummary(const TraceEvaluation& evaluation, const EvaluateOptions& options);

// The self-contained HTML report of `foresight evaluate --report`: per-policy
// metric bars, the Pareto planes against vpa, CDFs of slack and of one-step
// forecast error, and demand against allocation for the worst and median
// recorded entities (`EvaluateOptions::record`; with none, the per-entity
// plots are left out).
std::string EvaluationReportHtml(const TraceEvaluation& evaluation, const EvaluateOptions& options);

}  // namespace foresight

#endif  // FORESIGHT_TRACE_EVALUATE_HPP_
