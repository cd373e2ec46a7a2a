// -----------------------------------------------------------------------------
// File: trace_flags.hpp
// -----------------------------------------------------------------------------
//
// The flags that say how to read a trace, shared by `foresight evaluate` and
// `foresight forecast-eval --trace`: one set of names, help texts and checks.
//
//   TraceFlags f;
//   AddTraceLoadFlags(app, f);        // --step --aggregate --entity-capacity ...
//   absl::StatusOr<LoadOptions> load = TraceLoadOptions(f);
//
// --trace and --format are added by each command, since evaluate requires
// them and forecast-eval takes either them or --train/--test.
#ifndef FORESIGHT_SRC_CLI_TRACE_FLAGS_HPP_
#define FORESIGHT_SRC_CLI_TRACE_FLAGS_HPP_

#include <cstddef>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/units.hpp"
#include "foresight/trace/loader.hpp"

namespace foresight::cli {

inline constexpr std::string_view kTraceFormatHelp =
    "long|bitbrains|azure|alibaba-machine|alibaba-container|google2011|google2019|planetlab";

struct TraceFlags {
  std::string trace;
  std::string format;
  std::string step = "300s";
  std::string aggregate = "mean";
  std::string entity_capacity;
  std::string machine_capacity;
  std::string time_origin;
  std::size_t max_entities = 0;
};

inline void AddTraceLoadFlags(CLI::App& app, TraceFlags& f) {
  app.add_option("--step", f.step, "resampling step (300s, 5m, 1h)")->capture_default_str();
  app.add_option("--aggregate", f.aggregate, "per-step aggregation: mean or max")
      ->capture_default_str();
  app.add_option("--entity-capacity", f.entity_capacity,
                 "assumed VM/container size where the trace gives only percentages, e.g. cpu=2");
  app.add_option(
      "--machine-capacity", f.machine_capacity,
      "reference machine for normalised units (alibaba, google), e.g. cpu=96,memory=512Gi");
  app.add_option("--time-origin", f.time_origin,
                 "RFC 3339 time zero for traces with relative timestamps");
  app.add_option("--max-entities", f.max_entities, "keep only the first N entities (0: all)");
}

// The loader's options from the flags; errors name the flag.
inline absl::StatusOr<LoadOptions> TraceLoadOptions(const TraceFlags& f) {
  LoadOptions load;
  absl::StatusOr<absl::Duration> step = ParseSpan(f.step, "--step");
  if (!step.ok()) return step.status();
  if (*step <= absl::ZeroDuration()) return absl::InvalidArgumentError("--step must be > 0");
  load.resample.step = *step;
  if (f.aggregate == "max") {
    load.resample.aggregation = Aggregation::kMax;
  } else if (f.aggregate != "mean") {
    return absl::InvalidArgumentError("--aggregate must be mean or max");
  }
  load.resample.max_entities = f.max_entities;
  if (!f.entity_capacity.empty()) {
    absl::StatusOr<ResourceVector> v =
        ParseResourceList(f.entity_capacity, ResourceVector::Filled(kMissing));
    if (!v.ok()) return v.status();
    load.entity_capacity = *v;
  }
  if (!f.machine_capacity.empty()) {
    absl::StatusOr<ResourceVector> v =
        ParseResourceList(f.machine_capacity, ResourceVector::Filled(kMissing));
    if (!v.ok()) return v.status();
    load.machine_capacity = *v;
  }
  if (!f.time_origin.empty()) {
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, f.time_origin, &load.time_origin, &err)) {
      return absl::InvalidArgumentError(absl::StrCat("--time-origin: ", err));
    }
  }
  return load;
}

}  // namespace foresight::cli

#endif  // FORESIGHT_SRC_CLI_TRACE_FLAGS_HPP_
