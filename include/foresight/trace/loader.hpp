// -----------------------------------------------------------------------------
// File: loader.hpp
// -----------------------------------------------------------------------------
//
// Reading public traces into a `Workload`.
//
//   LoadOptions opts;
//   opts.resample.step = absl::Minutes(5);
//   absl::StatusOr<LoadedTrace> t = LoadTrace("vm_cpu_readings.csv.gz", TraceFormat::kAzure, opts);
//
// `ReadTrace` streams a trace as `TraceSample`s (one buffered line at a time,
// plain or gzip, so memory does not grow with the file); `LoadTrace` feeds them
// to a `Resampler`. `path` is a file or a folder; a folder is read recursively
// in natural file-name order (hidden files skipped). Errors name the file, the
// line and the column ("trace.csv:12:3: column 'usage': 'abc' is not a number");
// an unparsable value is an error, an empty field is a missing value, and
// neither ever becomes zero.
//
// Units and the assumptions made where a trace lacks capacity are listed per
// format in docs/trace/formats.md. Percentages are converted with the row's own
// capacity when the trace has one, else with `entity_capacity`; normalised
// units (Google, Alibaba) with `machine_capacity`.
#ifndef FORESIGHT_TRACE_LOADER_HPP_
#define FORESIGHT_TRACE_LOADER_HPP_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/trace/format.hpp"
#include "foresight/trace/resample.hpp"
#include "foresight/trace/sample.hpp"

namespace foresight {

struct LoadOptions {
  ResampleOptions resample;
  // Assumed entity (VM/container) size where the trace gives usage as a percentage
  // of an unknown size (Azure, PlanetLab, Alibaba containers without meta).
  // NaN components take the format's default (DefaultEntityCapacity).
  ResourceVector entity_capacity = ResourceVector::Filled(kMissing);
  // Size of the reference machine for normalised units (Alibaba machine
  // percentages, Google's normalised CPU and memory). NaN = format default.
  ResourceVector machine_capacity = ResourceVector::Filled(kMissing);
  // Time zero of traces with relative timestamps (Azure, Alibaba, Google).
  absl::Time time_origin = absl::UnixEpoch();
  // Called now and then with (bytes read, total bytes) of the files on disk
  // (compressed bytes for .gz); may be empty.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

// The documented defaults (docs/trace/formats.md).
ResourceVector DefaultEntityCapacity(TraceFormat format);
ResourceVector DefaultMachineCapacity(TraceFormat format);

// Streams every sample of the trace at `path` into `sink`. `stats` (optional)
// receives files, rows, missing fields and bytes.
absl::Status ReadTrace(const std::string& path, TraceFormat format, const LoadOptions& options,
                       SampleSink sink, TraceStats* stats = nullptr);

// ReadTrace + Resampler + RightSizingLayout.
absl::StatusOr<LoadedTrace> LoadTrace(const std::string& path, TraceFormat format,
                                      const LoadOptions& options = {});

}  // namespace foresight

#endif  // FORESIGHT_TRACE_LOADER_HPP_
