// -----------------------------------------------------------------------------
// File: m4_csv.hpp
// -----------------------------------------------------------------------------
//
// Reader for the M4 competition's CSV layout: a header row, then one series
// per row, the first column its id and the rest its values in time order;
// shorter series are padded with empty cells ("NA" counts as empty). Parsing
// (quoting, RFC 4180) is done by libcsv, fed one physical line at a time (one
// ended by \n, \r\n or a lone \r, as libcsv ends records) so every error
// and every series names its line.
//
// Errors (InvalidArgument, message "<path>:<line>: ..."): unreadable file,
// no header, quoting errors, a row with more fields than the header, a value
// that is not a finite number, a gap followed by more values, a row without
// values, a duplicate id.
#ifndef FORESIGHT_SRC_FORECAST_M4_CSV_HPP_
#define FORESIGHT_SRC_FORECAST_M4_CSV_HPP_

#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace foresight {

struct M4Series {
  std::string id;
  std::vector<double> values;
  int line = 0;  // physical line of the row (1 = header)
};

absl::StatusOr<std::vector<M4Series>> ReadM4Csv(const std::string& path);
// `name` is used in error messages in place of a path.
absl::StatusOr<std::vector<M4Series>> ParseM4Csv(std::istream& in, const std::string& name);

}  // namespace foresight

#endif  // FORESIGHT_SRC_FORECAST_M4_CSV_HPP_
