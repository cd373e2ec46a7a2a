#include "foresight/trace/loader.hpp"

#include "foresight/trace/layout.hpp"
#include "reader_util.hpp"

namespace foresight {

ResourceVector DefaultEntityCapacity(TraceFormat format) {
  switch (format) {
    case TraceFormat::kAzure:
    case TraceFormat::kPlanetLab:
      return MakeResources(1.0, kMissing, kMissing, kMissing);
    case TraceFormat::kAlibabaContainer:
      return MakeResources(4.0, 16.0 * (1ull << 30), kMissing, kMissing);
    default:
      return ResourceVector::Filled(kMissing);
  }
}

ResourceVector DefaultMachineCapacity(TraceFormat format) {
  switch (format) {
    case TraceFormat::kAlibabaMachine:
    case TraceFormat::kAlibabaContainer:
      // 96 cores per the trace's machine_meta; memory and bandwidths are assumptions.
      return MakeResources(96.0, 512.0 * (1ull << 30), 1e9, 1.25e9);
    case TraceFormat::kGoogle2011:
    case TraceFormat::kGoogle2019:
      // Normalised units: 1.0 = the largest machine. Assumed 32 cores, 128 GiB.
      return MakeResources(32.0, 128.0 * (1ull << 30), kMissing, kMissing);
    default:
      return ResourceVector::Filled(kMissing);
  }
}

absl::Status ReadTrace(const std::string& path, TraceFormat format, const LoadOptions& options,
                       SampleSink sink, TraceStats* stats) {
  TraceStats local;
  TraceStats* s = stats != nullptr ? stats : &local;
  switch (format) {
    case TraceFormat::kLong:
      return internal::ReadLongCsv(path, options, sink, s);
    case TraceFormat::kBitbrains:
      return internal::ReadBitbrains(path, options, sink, s);
    case TraceFormat::kAzure:
      return internal::ReadAzure(path, options, sink, s);
    case TraceFormat::kAlibabaMachine:
      return internal::ReadAlibabaMachine(path, options, sink, s);
    case TraceFormat::kAlibabaContainer:
      return internal::ReadAlibabaContainer(path, options, sink, s);
    case TraceFormat::kGoogle2011:
      return internal::ReadGoogle2011(path, options, sink, s);
    case TraceFormat::kGoogle2019:
      return internal::ReadGoogle2019(path, options, sink, s);
    case TraceFormat::kPlanetLab:
      return internal::ReadPlanetLab(path, options, sink, s);
  }
  return absl::InvalidArgumentError("unknown trace format");
}

absl::StatusOr<LoadedTrace> LoadTrace(const std::string& path, TraceFormat format,
                                      const LoadOptions& options) {
  ResampleOptions resample = options.resample;
  if (resample.archetype == "trace") resample.archetype = std::string(TraceFormatName(format));
  Resampler resampler(resample);
  TraceStats stats;
  absl::Status status = ReadTrace(
      path, format, options, [&](const TraceSample& sample) { return resampler.Add(sample); },
      &stats);
  if (!status.ok()) return status;
  absl::StatusOr<LoadedTrace> out = resampler.Finish();
  if (!out.ok())
    return absl::Status(out.status().code(), absl::StrCat(path, ": ", out.status().message()));
  out->stats.files = stats.files;
  out->stats.rows = stats.rows;
  out->stats.missing_fields = stats.missing_fields;
  out->stats.dropped_rows = stats.dropped_rows;
  out->stats.bytes = stats.bytes;
  return out;
}

}  // namespace foresight
