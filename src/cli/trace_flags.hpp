// -----------------------------------------------------------------------------
// File: trace_flags.hpp
// -----------------------------------------------------------------------------
//
// The flags that say how to read a trace, shared by `foresight evaluate` and
// `foresight forecast-eval --trace`: one set of names and help texts, parsed by
// `ParseLoadOptions` (foresight/trace/load_options_text.hpp, which Python's
// `load_trace` and `evaluate` use too).
//
//   TraceFlags f;
//   AddTraceLoadFlags(app, f);        // --step --aggregate --entity-capacity ...
//   absl::StatusOr<LoadOptions> load = TraceLoadOptions(f);
//
// --trace and --format are added by each command, since evaluate requires
// them and forecast-eval takes either them or --train/--test.
#ifndef FORESIGHT_SRC_CLI_TRACE_FLAGS_HPP_
#define FORESIGHT_SRC_CLI_TRACE_FLAGS_HPP_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "cli/progress.hpp"
#include "foresight/trace/load_options_text.hpp"
#include "foresight/trace/loader.hpp"

namespace foresight::cli {

inline constexpr std::string_view kTraceFormatHelp =
    "long|bitbrains|azure|alibaba-machine|alibaba-container|google2011|google2019|planetlab";

struct TraceFlags {
  std::string trace;
  std::string format;
  LoadOptionsText load;
};

inline void AddTraceLoadFlags(CLI::App& app, TraceFlags& f) {
  app.add_option("--step", f.load.step, "resampling step (300s, 5m, 1h)")->capture_default_str();
  app.add_option("--aggregate", f.load.aggregate, "per-step aggregation: mean or max")
      ->capture_default_str();
  app.add_option("--entity-capacity", f.load.entity_capacity,
                 "assumed VM/container size where the trace gives only percentages, e.g. cpu=2");
  app.add_option(
      "--machine-capacity", f.load.machine_capacity,
      "reference machine for normalised units (alibaba, google), e.g. cpu=96,memory=512Gi");
  app.add_option("--time-origin", f.load.time_origin,
                 "RFC 3339 time zero for traces with relative timestamps");
  app.add_option("--max-entities", f.load.max_entities, "keep only the first N entities (0: all)");
}

// A loader progress callback (`LoadOptions::progress`) that fills `bar`, made
// with 1000 ticks, by the share of the trace's bytes read.
inline std::function<void(std::uint64_t, std::uint64_t)> LoadProgressTo(ProgressBar& bar) {
  auto shown = std::make_shared<std::uint64_t>(0);
  return [&bar, shown](std::uint64_t done, std::uint64_t total) {
    const std::uint64_t permille = total ? std::min<std::uint64_t>(1000, done * 1000 / total) : 0;
    if (permille > *shown) bar.Advance(permille - *shown);
    *shown = std::max(*shown, permille);
  };
}

// The loader's options from the flags; errors name the flag.
inline absl::StatusOr<LoadOptions> TraceLoadOptions(const TraceFlags& f) {
  return ParseLoadOptions(f.load, "--");
}

}  // namespace foresight::cli

#endif  // FORESIGHT_SRC_CLI_TRACE_FLAGS_HPP_
