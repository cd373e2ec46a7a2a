// -----------------------------------------------------------------------------
// File: m4_csv.cpp
// -----------------------------------------------------------------------------
#include "m4_csv.hpp"

#include <csv.h>

#include <cmath>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace foresight {
namespace {

struct Parser {
  std::string name;
  int line = 0;               // physical line being fed
  int record_line = 0;        // line where the current record started
  std::vector<std::string> fields;
  std::vector<M4Series> series;
  std::size_t header_fields = 0;
  bool have_header = false;
  absl::Status status;
  std::unordered_set<std::string> ids;

  absl::Status Error(int at, std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(name, ":", at, ": ", absl::string_view(what.data(), what.size())));
  }

  void EndRecord() {
    if (!status.ok()) return;
    std::vector<std::string> row = std::move(fields);
    fields.clear();
    const int at = record_line;
    record_line = 0;
    if (!have_header) {
      have_header = true;
      header_fields = row.size();
      return;
    }
    if (row.size() == 1 && absl::StripAsciiWhitespace(row[0]).empty()) return;  // blank line
    if (row.size() > header_fields) {
      status = Error(at, absl::StrCat("row has ", row.size(), " fields but the header has ", header_fields));
      return;
    }
    M4Series s;
    s.id = std::string(absl::StripAsciiWhitespace(row[0]));
    s.line = at;
    if (s.id.empty()) {
      status = Error(at, "empty series id in the first column");
      return;
    }
    if (!ids.insert(s.id).second) {
      status = Error(at, absl::StrCat("duplicate series id '", s.id, "'"));
      return;
    }
    std::size_t gap = 0;  // column of the first empty cell, 0 = none
    for (std::size_t c = 1; c < row.size(); ++c) {
      const absl::string_view cell = absl::StripAsciiWhitespace(row[c]);
      if (cell.empty() || cell == "NA") {
        if (gap == 0) gap = c + 1;
        continue;
      }
      if (gap != 0) {
        status = Error(at, absl::StrCat("series '", s.id, "' has an empty cell at column ", gap,
                                        " followed by a value at column ", c + 1,
                                        " (only trailing padding may be empty)"));
        return;
      }
      double v = 0.0;
      if (!absl::SimpleAtod(cell, &v) || !std::isfinite(v)) {
        status = Error(at, absl::StrCat("series '", s.id, "' column ", c + 1, ": '", cell,
                                        "' is not a finite number"));
        return;
      }
      s.values.push_back(v);
    }
    if (s.values.empty()) {
      status = Error(at, absl::StrCat("series '", s.id, "' has no values"));
      return;
    }
    series.push_back(std::move(s));
  }
};

void OnField(void* data, size_t len, void* p) {
  auto* parser = static_cast<Parser*>(p);
  if (parser->record_line == 0) parser->record_line = parser->line;
  parser->fields.emplace_back(data ? static_cast<const char*>(data) : "", data ? len : 0);
}

void OnRecord(int, void* p) {
  auto* parser = static_cast<Parser*>(p);
  if (parser->record_line == 0) parser->record_line = parser->line;
  parser->EndRecord();
}

}  // namespace

absl::StatusOr<std::vector<M4Series>> ParseM4Csv(std::istream& in, const std::string& name) {
  csv_parser csv;
  if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return absl::InternalError("libcsv: csv_init failed");
  }
  Parser parser;
  parser.name = name;
  std::string text;
  auto feed = [&](std::string_view piece) {
    ++parser.line;
    if (csv_parse(&csv, piece.data(), piece.size(), OnField, OnRecord, &parser) != piece.size()) {
      parser.status = parser.Error(parser.line, absl::StrCat("malformed CSV (", csv_strerror(csv_error(&csv)), ")"));
    }
  };
  while (parser.status.ok() && std::getline(in, text)) {
    text.push_back('\n');
    // A lone carriage return ends a physical line too (classic Mac files), as
    // it ends a record for libcsv: each is fed, and counted, as its own line.
    std::string_view rest = text;
    for (std::size_t cr = rest.find('\r'); parser.status.ok() && cr != std::string_view::npos &&
                                            cr + 1 < rest.size() && rest[cr + 1] != '\n';
         cr = rest.find('\r')) {
      feed(rest.substr(0, cr + 1));
      rest.remove_prefix(cr + 1);
    }
    if (parser.status.ok()) feed(rest);
  }
  if (parser.status.ok() && csv_fini(&csv, OnField, OnRecord, &parser) != 0) {
    parser.status = parser.Error(parser.line, absl::StrCat("malformed CSV at end of file (",
                                                           csv_strerror(csv_error(&csv)), ")"));
  }
  csv_free(&csv);
  if (!parser.status.ok()) return parser.status;
  if (!parser.have_header) {
    return absl::InvalidArgumentError(absl::StrCat(name, ":1: empty file (expected a header row)"));
  }
  return std::move(parser.series);
}

absl::StatusOr<std::vector<M4Series>> ReadM4Csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  return ParseM4Csv(in, path);
}

}  // namespace foresight
