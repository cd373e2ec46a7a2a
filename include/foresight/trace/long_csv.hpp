// -----------------------------------------------------------------------------
// File: long_csv.hpp
// -----------------------------------------------------------------------------
//
// Writes a `Workload` as the generic long CSV that `TraceFormat::kLong` reads:
//
//   time,entity,resource,usage,capacity
//   2026-01-05T00:00:00Z,web-0,cpu,1.25,4
//
// One row per user, present step and resource, users in order, times in RFC
// 3339 (UTC), values with 17 significant digits so a reload is exact. Missing
// steps are not written (the reader keeps them missing). `capacity` is the
// user's initial allocation, which the reader takes back as its initial
// allocation. Entity names are quoted by libcsv where they need it.
#ifndef FORESIGHT_TRACE_LONG_CSV_HPP_
#define FORESIGHT_TRACE_LONG_CSV_HPP_

#include <string>

#include "absl/status/status.h"
#include "foresight/sim/workload.hpp"

namespace foresight {

absl::Status WriteLongCsv(const Workload& workload, const std::string& path);

}  // namespace foresight

#endif  // FORESIGHT_TRACE_LONG_CSV_HPP_
