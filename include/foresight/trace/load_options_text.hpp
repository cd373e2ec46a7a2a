// -----------------------------------------------------------------------------
// File: load_options_text.hpp
// -----------------------------------------------------------------------------
//
// `LoadOptions` from their text forms, as `foresight evaluate` and
// `forecast-eval --trace` take them as flags and Python's `load_trace` and
// `evaluate` as keywords: one parser, so that "5m", "mean|max" and
// "cpu=2,memory=4Gi" mean the same everywhere.
//
//   LoadOptionsText text;
//   text.step = "5m";
//   text.entity_capacity = "cpu=2";
//   absl::StatusOr<LoadOptions> load = ParseLoadOptions(text, "--");
//
// Errors (InvalidArgument) name the option with `prefix` before it ("--step"
// for the CLI, "step" for Python): a step that is not a duration or not > 0,
// an aggregation other than mean or max, a malformed capacity list, and a time
// origin that is not RFC 3339.
#ifndef FORESIGHT_TRACE_LOAD_OPTIONS_TEXT_HPP_
#define FORESIGHT_TRACE_LOAD_OPTIONS_TEXT_HPP_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/core/units.hpp"
#include "foresight/trace/loader.hpp"

namespace foresight {

struct LoadOptionsText {
  std::string step = "300s";       // resampling step
  std::string aggregate = "mean";  // per-step aggregation: mean or max
  std::string entity_capacity;     // e.g. "cpu=2"; empty: the format's default
  std::string machine_capacity;    // e.g. "cpu=96,memory=512Gi"; empty: the default
  std::string time_origin;         // RFC 3339; empty: the Unix epoch
  std::size_t max_entities = 0;    // 0: all
};

inline absl::StatusOr<LoadOptions> ParseLoadOptions(const LoadOptionsText& text,
                                                    std::string_view prefix) {
  auto name = [prefix](std::string_view option) { return absl::StrCat(Sv(prefix), Sv(option)); };
  LoadOptions load;
  absl::StatusOr<absl::Duration> step = ParseSpan(text.step, name("step"));
  if (!step.ok()) return step.status();
  if (*step <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(name("step"), " must be > 0"));
  }
  load.resample.step = *step;
  if (text.aggregate == "max") {
    load.resample.aggregation = Aggregation::kMax;
  } else if (text.aggregate != "mean") {
    return absl::InvalidArgumentError(
        absl::StrCat(name("aggregate"), " must be mean or max, got '", text.aggregate, "'"));
  }
  load.resample.max_entities = text.max_entities;
  if (!text.entity_capacity.empty()) {
    absl::StatusOr<ResourceVector> v =
        ParseResourceList(text.entity_capacity, ResourceVector::Filled(kMissing));
    if (!v.ok()) return v.status();
    load.entity_capacity = *v;
  }
  if (!text.machine_capacity.empty()) {
    absl::StatusOr<ResourceVector> v =
        ParseResourceList(text.machine_capacity, ResourceVector::Filled(kMissing));
    if (!v.ok()) return v.status();
    load.machine_capacity = *v;
  }
  if (!text.time_origin.empty()) {
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, text.time_origin, &load.time_origin, &err)) {
      return absl::InvalidArgumentError(absl::StrCat(name("time-origin"), ": ", err));
    }
  }
  return load;
}

}  // namespace foresight

#endif  // FORESIGHT_TRACE_LOAD_OPTIONS_TEXT_HPP_
