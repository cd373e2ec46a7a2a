// -----------------------------------------------------------------------------
// File: format.hpp
// -----------------------------------------------------------------------------
//
// The public trace layouts foresight reads, and their flag names:
//
//   long               generic long CSV: time,entity,resource,usage[,capacity]
//   bitbrains          Bitbrains GWA-T-12 (fastStorage / Rnd): folder of per-VM N.csv
//   azure              Azure Public Dataset vm_cpu_readings (timestamp,vm,min,max,avg CPU %)
//   alibaba-machine    Alibaba cluster-trace-v2018 machine_usage
//   alibaba-container  Alibaba cluster-trace-v2018 container_usage
//   google2011         Google cluster data 2011 task_usage (µs times)
//   google2019         Google cluster data 2019 instance_usage (CSV with header or JSON lines)
//   planetlab          PlanetLab / CoMon CPU traces: folder per day, file per VM, 288 CPU % lines
//
// docs/trace/formats.md describes each layout, its units and the assumptions
// made where a trace lacks them.
#ifndef FORESIGHT_TRACE_FORMAT_HPP_
#define FORESIGHT_TRACE_FORMAT_HPP_

#include <array>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"

namespace foresight {

enum class TraceFormat {
  kLong,
  kBitbrains,
  kAzure,
  kAlibabaMachine,
  kAlibabaContainer,
  kGoogle2011,
  kGoogle2019,
  kPlanetLab,
};

inline constexpr std::array<TraceFormat, 8> kAllTraceFormats = {
    TraceFormat::kLong,           TraceFormat::kBitbrains,        TraceFormat::kAzure,
    TraceFormat::kAlibabaMachine, TraceFormat::kAlibabaContainer, TraceFormat::kGoogle2011,
    TraceFormat::kGoogle2019,     TraceFormat::kPlanetLab};

// Flag name of a format ("long", "bitbrains", ...).
constexpr std::string_view TraceFormatName(TraceFormat f) {
  constexpr std::array<std::string_view, 8> kNames = {
      "long",       "bitbrains",  "azure",    "alibaba-machine", "alibaba-container",
      "google2011", "google2019", "planetlab"};
  return kNames[static_cast<std::size_t>(f)];
}

inline absl::StatusOr<TraceFormat> ParseTraceFormat(std::string_view name) {
  for (TraceFormat f : kAllTraceFormats) {
    if (TraceFormatName(f) == name) return f;
  }
  std::string known;
  for (TraceFormat f : kAllTraceFormats) {
    absl::StrAppend(&known, known.empty() ? "" : ", ", Sv(TraceFormatName(f)));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown trace format '", Sv(name), "' (expected one of ", known, ")"));
}

}  // namespace foresight

#endif  // FORESIGHT_TRACE_FORMAT_HPP_
