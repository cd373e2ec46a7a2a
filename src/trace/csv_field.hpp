// -----------------------------------------------------------------------------
// File: csv_field.hpp
// -----------------------------------------------------------------------------
//
// `CsvField` makes one text field safe to write in a comma-separated file:
// as it is when it needs no quoting, else quoted by libcsv's `csv_write`.
// Used by the long-CSV writer (entity names) and forecast-eval's per-series
// file (series ids); both libraries link libcsv.
#ifndef FORESIGHT_SRC_TRACE_CSV_FIELD_HPP_
#define FORESIGHT_SRC_TRACE_CSV_FIELD_HPP_

#include <csv.h>

#include <string>

namespace foresight {

// `text` quoted by libcsv when it holds a delimiter, quote or newline, is
// empty, or starts or ends with a space.
inline std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos && !text.empty() && text.front() != ' ' &&
      text.back() != ' ') {
    return text;
  }
  std::string out(text.size() * 2 + 2, '\0');
  out.resize(csv_write(out.data(), out.size(), text.data(), text.size()));
  return out;
}

}  // namespace foresight

#endif  // FORESIGHT_SRC_TRACE_CSV_FIELD_HPP_
