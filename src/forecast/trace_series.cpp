#include "trace_series.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"

namespace foresight {

absl::StatusOr<TraceSeriesSet> TraceSeries(const Workload& workload,
                                           const PerResource<bool>& measured,
                                           const TraceSeriesOptions& options) {
  if (options.test_steps < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("trace series: test steps must be at least 1, got ", options.test_steps));
  }
  if (options.max_gap < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("trace series: the longest gap bridged must be >= 0, got ", options.max_gap));
  }
  if (options.min_train < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("trace series: training steps must be at least 1, got ", options.min_train));
  }
  const std::string_view resource = ResourceName(options.resource);
  if (!measured[options.resource]) {
    return absl::InvalidArgumentError(
        absl::StrCat("the trace does not record ", Sv(resource), " (no sample has it)"));
  }
  const std::size_t test = static_cast<std::size_t>(options.test_steps);
  const std::size_t need = static_cast<std::size_t>(options.min_train) + test;
  const std::size_t r = Index(options.resource);
  TraceSeriesSet out;
  out.entities = workload.num_users();
  std::vector<double> run;
  for (std::size_t u = 0; u < workload.num_users(); ++u) {
    const StepWindow& window = workload.demand.window(u);
    if (window.empty()) {
      ++out.too_short;
      continue;
    }
    // Walk back from the window's end: missing steps after the last sample are
    // the entity's end, not a gap. The test steps must all be present; the
    // training run stops at the first gap longer than `max_gap` before them.
    std::size_t t = window.last + 1;
    while (t > window.first && std::isnan(workload.demand(u, t - 1, r))) --t;
    const std::size_t end = t;
    std::size_t begin = t, gaps = 0;
    while (begin > window.first) {
      if (!std::isnan(workload.demand(u, begin - 1, r))) {
        --begin;
        continue;
      }
      // A gap of [g, begin): bridged when short, inside the training part and
      // with a sample before it.
      std::size_t g = begin - 1;
      while (g > window.first && std::isnan(workload.demand(u, g - 1, r))) --g;
      const bool bridged = begin - g <= static_cast<std::size_t>(options.max_gap) &&
                           end - begin >= test && g > window.first;
      if (!bridged) break;
      gaps += begin - g;
      begin = g;
    }
    out.longest_run = std::max(out.longest_run, end - begin);
    if (end - begin < need) {
      ++out.too_short;
      continue;
    }
    for (std::size_t s = window.first; s < begin; ++s) {
      if (!std::isnan(workload.demand(u, s, r))) ++out.before_gap;
    }
    out.filled += gaps;
    run.clear();
    for (std::size_t s = begin; s < end; ++s) run.push_back(workload.demand(u, s, r));
    // Bridge the short gaps linearly between the samples on either side.
    for (std::size_t i = 0; i < run.size(); ++i) {
      if (!std::isnan(run[i])) continue;
      std::size_t j = i;
      while (std::isnan(run[j])) ++j;           // run ends on a sample (`end`)
      const double a = run[i - 1], b = run[j];  // and starts on one (`begin`)
      for (std::size_t k = i; k < j; ++k) {
        run[k] = a + (b - a) * static_cast<double>(k - i + 1) / static_cast<double>(j - i + 1);
      }
      i = j;
    }
    const std::string& id = workload.users[u].name;
    out.train.push_back({id, std::vector<double>(run.begin(), run.end() - test), 0});
    out.test.push_back({id, std::vector<double>(run.end() - test, run.end()), 0});
  }
  if (out.train.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no entity of ", out.entities, " has ", need, " ", Sv(resource),
                     " samples in a row (training ", options.min_train, " + test ",
                     options.test_steps, "); the longest run is ", out.longest_run));
  }
  return out;
}

}  // namespace foresight
