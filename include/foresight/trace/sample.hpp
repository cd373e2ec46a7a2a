// -----------------------------------------------------------------------------
// File: sample.hpp
// -----------------------------------------------------------------------------
//
// A `TraceSample` is one row of a trace after unit conversion: one entity (VM,
// container, task), one instant, usage for the resources the row records, in
// foresight's units (cpu cores, memory bytes, io and net bytes/s). Resources a
// row does not record are NaN, never zero. Readers hand samples one by one to a
// `SampleSink`; nothing holds a whole trace in memory.
#ifndef FORESIGHT_TRACE_SAMPLE_HPP_
#define FORESIGHT_TRACE_SAMPLE_HPP_

#include <cstdint>
#include <limits>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"

namespace foresight {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

struct TraceSample {
  std::string_view entity;  // valid only during the sink call
  absl::Time time;
  // Mean usage over the row's interval, NaN where the row has no value.
  ResourceVector usage = ResourceVector::Filled(kMissing);
  // Peak usage over the row's interval when the trace records it (Azure max CPU,
  // Google max CPU / memory); NaN = not recorded. Used by max resampling.
  ResourceVector peak = ResourceVector::Filled(kMissing);
  // The entity's provisioned size at this instant, NaN = unknown.
  ResourceVector capacity = ResourceVector::Filled(kMissing);
};

// Receives samples in file order. A non-OK status stops the read; the reader
// prefixes it with the file, line and column of the row.
using SampleSink = absl::FunctionRef<absl::Status(const TraceSample&)>;

}  // namespace foresight

#endif  // FORESIGHT_TRACE_SAMPLE_HPP_
