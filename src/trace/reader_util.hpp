// -----------------------------------------------------------------------------
// File: reader_util.hpp (private to foresight_trace)
// -----------------------------------------------------------------------------
//
// Shared pieces of the trace readers: a buffered line reader over plain or gzip
// files, a libcsv-backed field splitter, strict number parsing, errors located
// at file:line:column, and the folder walk in natural name order.
#ifndef FORESIGHT_SRC_TRACE_READER_UTIL_HPP_
#define FORESIGHT_SRC_TRACE_READER_UTIL_HPP_

#include <csv.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "foresight/trace/loader.hpp"

namespace foresight::internal {

// Reads a file line by line through a fixed buffer (grown only for a longer line).
// gzip files are decompressed on the fly; plain files are read as they are.
class LineReader {
 public:
  static absl::StatusOr<std::unique_ptr<LineReader>> Open(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Sets `line` (without the end of line) and returns true, or false at the end.
  absl::StatusOr<bool> Next(std::string_view* line);
  std::int64_t line_number() const { return line_number_; }
  // Bytes consumed from the file on disk (compressed bytes for gzip).
  std::uint64_t raw_offset() const;
  std::uint64_t bytes_read() const { return bytes_read_; }
  const std::string& path() const { return path_; }

 private:
  LineReader(std::string path, gzFile file);
  std::string path_;
  gzFile file_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  std::int64_t line_number_ = 0;
  std::uint64_t bytes_read_ = 0;
};

// Splits one line into fields with libcsv (RFC 4180 quoting, surrounding spaces
// and tabs trimmed from unquoted fields). Fields stay valid until the next Split.
class CsvSplitter {
 public:
  explicit CsvSplitter(char delimiter = ',');
  ~CsvSplitter();
  CsvSplitter(const CsvSplitter&) = delete;
  CsvSplitter& operator=(const CsvSplitter&) = delete;

  absl::Status Split(std::string_view line, std::vector<std::string_view>* fields);

 private:
  static void OnField(void* data, std::size_t len, void* self);
  static void OnRow(int c, void* self);
  csv_parser parser_;
  std::string arena_;
  std::vector<std::size_t> ends_;
};

// "path:line:column: message" (column omitted when 0).
absl::Status LocatedError(const std::string& path, std::int64_t line, std::size_t column,
                          std::string_view message);
// Prefixes an error from a sink or a conversion with the location.
absl::Status Locate(const absl::Status& status, const std::string& path, std::int64_t line,
                    std::size_t column = 0);

// Parses a finite decimal number ("12", "-3.5e2"); false on anything else.
bool ParseNumber(std::string_view text, double* out);

// Reads a field as a number: empty -> missing (NaN, counted in stats), junk -> error.
// `column` is 1-based; `name` names it in the error.
absl::Status NumberField(const std::vector<std::string_view>& fields, std::size_t column,
                         std::string_view name, const LineReader& reader, double* out,
                         TraceStats* stats);

// Checks a row has at least `min_fields` fields.
absl::Status RequireFields(const std::vector<std::string_view>& fields, std::size_t min_fields,
                           const LineReader& reader);

// Every regular, non-hidden file under `path` (or `path` itself), natural name order.
absl::StatusOr<std::vector<std::string>> ListFiles(const std::string& path, bool recursive);

// Natural order: digit runs compare by value ("2.csv" < "10.csv").
bool NaturalLess(std::string_view a, std::string_view b);

// File name without folders and without the last extension(s) (.csv, .csv.gz, .txt).
std::string FileStem(const std::string& path);

// Seconds, milliseconds or microseconds since `origin`, possibly fractional.
// A count past what absl::Time holds gives an infinite time, which the
// resampler refuses with the row's location; never a cast that overflows.
absl::Time FromSeconds(absl::Time origin, double seconds);
absl::Time FromMillis(absl::Time origin, double millis);
absl::Time FromMicros(absl::Time origin, double micros);

// Fills NaN components of `value` from `fallback`.
ResourceVector WithDefaults(ResourceVector value, const ResourceVector& fallback);

using ProgressFn = std::function<void(std::uint64_t, std::uint64_t)>;

// Reports progress through the files on disk to a `ProgressFn` (if any).
class FileProgress {
 public:
  FileProgress(const std::vector<std::string>& files, const ProgressFn& fn) : fn_(fn) {
    if (!fn_) return;
    for (const std::string& f : files) {
      std::error_code ec;
      const std::uintmax_t size = std::filesystem::file_size(f, ec);
      if (!ec) total_ += size;
    }
    fn_(0, total_);
  }
  // Every 64k lines of `reader`.
  void Line(const LineReader& reader) {
    if (fn_ && (reader.line_number() & 0xFFFF) == 0) fn_(done_ + reader.raw_offset(), total_);
  }
  void FileDone(const std::string& file) {
    if (!fn_) return;
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(file, ec);
    if (!ec) done_ += size;
    fn_(done_, total_);
  }

 private:
  const ProgressFn& fn_;
  std::uint64_t total_ = 0, done_ = 0;
};

// Reads every line of every file, calling `row(reader, fields)` per non-empty line.
// Counts files, rows and bytes into `stats`.
template <typename RowFn>
absl::Status ForEachRow(const std::vector<std::string>& files, char delimiter, TraceStats* stats,
                        RowFn&& row, const ProgressFn& progress_fn = {}) {
  CsvSplitter splitter(delimiter);
  std::vector<std::string_view> fields;
  FileProgress progress(files, progress_fn);
  for (const std::string& file : files) {
    absl::StatusOr<std::unique_ptr<LineReader>> reader = LineReader::Open(file);
    if (!reader.ok()) return reader.status();
    if (stats != nullptr) ++stats->files;
    std::string_view line;
    while (true) {
      absl::StatusOr<bool> more = (*reader)->Next(&line);
      if (!more.ok()) return more.status();
      if (!*more) break;
      progress.Line(**reader);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      absl::Status split = splitter.Split(line, &fields);
      if (!split.ok()) return Locate(split, file, (*reader)->line_number());
      absl::Status status = row(**reader, fields);
      if (!status.ok()) return status;
    }
    if (stats != nullptr) stats->bytes += (*reader)->bytes_read();
    progress.FileDone(file);
  }
  return absl::OkStatus();
}

// Per-format readers (one .cpp each).
absl::Status ReadLongCsv(const std::string& path, const LoadOptions& options, SampleSink sink,
                         TraceStats* stats);
absl::Status ReadBitbrains(const std::string& path, const LoadOptions& options, SampleSink sink,
                           TraceStats* stats);
absl::Status ReadAzure(const std::string& path, const LoadOptions& options, SampleSink sink,
                       TraceStats* stats);
absl::Status ReadAlibabaMachine(const std::string& path, const LoadOptions& options,
                                SampleSink sink, TraceStats* stats);
absl::Status ReadAlibabaContainer(const std::string& path, const LoadOptions& options,
                                  SampleSink sink, TraceStats* stats);
absl::Status ReadGoogle2011(const std::string& path, const LoadOptions& options, SampleSink sink,
                            TraceStats* stats);
absl::Status ReadGoogle2019(const std::string& path, const LoadOptions& options, SampleSink sink,
                            TraceStats* stats);
absl::Status ReadPlanetLab(const std::string& path, const LoadOptions& options, SampleSink sink,
                           TraceStats* stats);

}  // namespace foresight::internal

#endif  // FORESIGHT_SRC_TRACE_READER_UTIL_HPP_
