// Fuzz target: the M4 CSV reader of `foresight forecast-eval`
// (src/forecast/m4_csv.hpp, libcsv underneath).
//
// Input: the CSV text.
//
// Invariants checked beyond "no crash, no leak, no undefined behaviour":
//  - a refusal is InvalidArgument and names the input ("<name>:<line>: ...");
//  - read series have distinct, non-empty ids, at least one value each, every
//    value finite, and lines that increase from 2 (the header is line 1).
#include <cmath>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>

#include "fuzz_check.hpp"
#include "m4_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  absl::StatusOr<std::vector<foresight::M4Series>> series = foresight::ParseM4Csv(in, "fuzz.csv");
  if (!series.ok()) {
    FUZZ_CHECK(series.status().code() == absl::StatusCode::kInvalidArgument &&
                   std::string(series.status().message()).starts_with("fuzz.csv"),
               "not an input error naming the file: %s", series.status().ToString().c_str());
    return 0;
  }
  std::set<std::string> ids;
  int line = 1;
  for (const foresight::M4Series& s : *series) {
    FUZZ_CHECK(ids.insert(s.id).second, "duplicate id '%s'", s.id.c_str());
    FUZZ_CHECK(!s.values.empty(), "series '%s' has no values", s.id.c_str());
    for (double v : s.values) FUZZ_CHECK(std::isfinite(v), "value %g in '%s'", v, s.id.c_str());
    FUZZ_CHECK(s.line > line, "series '%s' on line %d after line %d", s.id.c_str(), s.line, line);
    line = s.line;
  }
  return 0;
}
