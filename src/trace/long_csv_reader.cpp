// Generic long CSV: header `time,entity,resource,usage[,capacity]` in any order
// (extra columns ignored); time in Unix seconds or RFC 3339.
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"
#include "reader_util.hpp"

namespace foresight::internal {

absl::Status ParseTimeField(std::string_view text, const LineReader& reader, std::size_t column,
                            absl::Time* out) {
  double seconds = 0.0;
  if (ParseNumber(text, &seconds)) {
    *out = FromSeconds(absl::UnixEpoch(), seconds);
    return absl::OkStatus();
  }
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, Sv(text), out, &err)) return absl::OkStatus();
  return LocatedError(reader.path(), reader.line_number(), column,
                      absl::StrCat("column 'time': '", Sv(text),
                                   "' is neither Unix seconds nor RFC 3339 (", err, ")"));
}

absl::Status ReadLongCsv(const std::string& path, const LoadOptions& options, SampleSink sink,
                         TraceStats* stats) {
  absl::StatusOr<std::vector<std::string>> files = ListFiles(path, /*recursive=*/true);
  if (!files.ok()) return files.status();
  std::size_t col_time = 0, col_entity = 0, col_resource = 0, col_usage = 0, col_capacity = 0;
  std::string header_file;
  return ForEachRow(
      *files, ',', stats,
      [&](const LineReader& reader, const std::vector<std::string_view>& fields) {
        if (header_file != reader.path()) {
          // First row of every file is its header.
          header_file = reader.path();
          col_time = col_entity = col_resource = col_usage = col_capacity = 0;
          for (std::size_t i = 0; i < fields.size(); ++i) {
            const std::string name = absl::AsciiStrToLower(Sv(fields[i]));
            if (name == "time" || name == "timestamp") col_time = i + 1;
            if (name == "entity") col_entity = i + 1;
            if (name == "resource") col_resource = i + 1;
            if (name == "usage") col_usage = i + 1;
            if (name == "capacity") col_capacity = i + 1;
          }
          for (auto [col, name] : {std::pair{col_time, "time"},
                                   {col_entity, "entity"},
                                   {col_resource, "resource"},
                                   {col_usage, "usage"}}) {
            if (col == 0) {
              return LocatedError(
                  reader.path(), reader.line_number(), 0,
                  absl::StrCat("header has no '", name,
                               "' column (expected time,entity,resource,usage[,capacity])"));
            }
          }
          return absl::OkStatus();
        }
        ++stats->rows;
        std::size_t need = std::max({col_time, col_entity, col_resource, col_usage});
        if (absl::Status s = RequireFields(fields, need, reader); !s.ok()) return s;
        TraceSample sample;
        if (absl::Status s = ParseTimeField(fields[col_time - 1], reader, col_time, &sample.time);
            !s.ok()) {
          return s;
        }
        sample.entity = fields[col_entity - 1];
        if (sample.entity.empty()) {
          return LocatedError(reader.path(), reader.line_number(), col_entity, "empty entity");
        }
        absl::StatusOr<Resource> resource = ParseResource(fields[col_resource - 1]);
        if (!resource.ok())
          return Locate(resource.status(), reader.path(), reader.line_number(), col_resource);
        double usage = 0.0;
        if (absl::Status s = NumberField(fields, col_usage, "usage", reader, &usage, stats);
            !s.ok()) {
          return s;
        }
        sample.usage[*resource] = usage;
        if (col_capacity != 0 && col_capacity <= fields.size()) {
          double capacity = 0.0;
          if (absl::Status s =
                  NumberField(fields, col_capacity, "capacity", reader, &capacity, nullptr);
              !s.ok()) {
            return s;
          }
          sample.capacity[*resource] = capacity;
        }
        if (std::isnan(usage)) return absl::OkStatus();
        return Locate(sink(sample), reader.path(), reader.line_number());
      },
      options.progress);
}

}  // namespace foresight::internal
