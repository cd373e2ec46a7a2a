#include "reader_util.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"

namespace foresight::internal {

namespace {
constexpr std::size_t kBufferSize = std::size_t{1} << 20;
constexpr std::size_t kMaxLine = std::size_t{64} << 20;
}  // namespace

absl::StatusOr<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open: ", std::strerror(errno != 0 ? errno : ENOENT)));
  }
  gzbuffer(file, 256 * 1024);
  return std::unique_ptr<LineReader>(new LineReader(path, file));
}

LineReader::LineReader(std::string path, gzFile file)
    : path_(std::move(path)), file_(file), buffer_(kBufferSize) {}

LineReader::~LineReader() { gzclose(file_); }

std::uint64_t LineReader::raw_offset() const {
  const z_off_t off = gzoffset(file_);
  return off > 0 ? static_cast<std::uint64_t>(off) : 0;
}

absl::StatusOr<bool> LineReader::Next(std::string_view* line) {
  while (true) {
    const char* start = buffer_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl != nullptr || (eof_ && begin_ < end_)) {
      const char* stop = nl != nullptr ? static_cast<const char*>(nl) : buffer_.data() + end_;
      std::size_t len = static_cast<std::size_t>(stop - start);
      begin_ += len + (nl != nullptr ? 1 : 0);
      if (len > 0 && start[len - 1] == '\r') --len;
      *line = std::string_view(start, len);
      ++line_number_;
      return true;
    }
    if (eof_) return false;
    // Move the partial line to the front and read more, growing for long lines.
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buffer_.size()) {
      if (buffer_.size() >= kMaxLine) {
        return LocatedError(path_, line_number_ + 1, 0, "line longer than 64 MiB");
      }
      buffer_.resize(buffer_.size() * 2);
    }
    const int n =
        gzread(file_, buffer_.data() + end_, static_cast<unsigned>(buffer_.size() - end_));
    if (n < 0) {
      int err = 0;
      const char* message = gzerror(file_, &err);
      return LocatedError(path_, line_number_ + 1, 0, absl::StrCat("read error: ", message));
    }
    if (n == 0) {
      int err = 0;
      gzerror(file_, &err);
      if (err != Z_OK && err != Z_STREAM_END) {
        return LocatedError(path_, line_number_ + 1, 0, "truncated or corrupt gzip stream");
      }
      eof_ = true;
    }
    end_ += static_cast<std::size_t>(n);
    bytes_read_ += static_cast<std::uint64_t>(n);
  }
}

CsvSplitter::CsvSplitter(char delimiter) {
  csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI);
  csv_set_delim(&parser_, static_cast<unsigned char>(delimiter));
}

CsvSplitter::~CsvSplitter() { csv_free(&parser_); }

void CsvSplitter::OnField(void* data, std::size_t len, void* self) {
  auto* s = static_cast<CsvSplitter*>(self);
  if (len > 0) s->arena_.append(static_cast<const char*>(data), len);
  s->ends_.push_back(s->arena_.size());
}

void CsvSplitter::OnRow(int, void*) {}

absl::Status CsvSplitter::Split(std::string_view line, std::vector<std::string_view>* fields) {
  arena_.clear();
  ends_.clear();
  fields->clear();
  const std::size_t parsed = csv_parse(&parser_, line.data(), line.size(), &OnField, &OnRow, this);
  const int fini = csv_fini(&parser_, &OnField, &OnRow, this);
  if (parsed != line.size() || fini != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed CSV (", csv_strerror(csv_error(&parser_)), ")"));
  }
  std::size_t begin = 0;
  for (std::size_t end : ends_) {
    fields->emplace_back(arena_.data() + begin, end - begin);
    begin = end;
  }
  return absl::OkStatus();
}

absl::Status LocatedError(const std::string& path, std::int64_t line, std::size_t column,
                          std::string_view message) {
  if (column == 0)
    return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", Sv(message)));
  return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ":", column, ": ", Sv(message)));
}

absl::Status Locate(const absl::Status& status, const std::string& path, std::int64_t line,
                    std::size_t column) {
  if (status.ok()) return status;
  return LocatedError(path, line, column, StdSv(status.message()));
}

bool ParseNumber(std::string_view text, double* out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) return false;
  *out = value;
  return true;
}

absl::Status NumberField(const std::vector<std::string_view>& fields, std::size_t column,
                         std::string_view name, const LineReader& reader, double* out,
                         TraceStats* stats) {
  if (column == 0 || column > fields.size()) {
    return LocatedError(
        reader.path(), reader.line_number(), column,
        absl::StrCat("column '", Sv(name), "' is missing (row has ", fields.size(), " fields)"));
  }
  const std::string_view text = fields[column - 1];
  if (text.empty()) {
    *out = kMissing;
    if (stats != nullptr) ++stats->missing_fields;
    return absl::OkStatus();
  }
  if (!ParseNumber(text, out)) {
    return LocatedError(reader.path(), reader.line_number(), column,
                        absl::StrCat("column '", Sv(name), "': '", Sv(text), "' is not a number"));
  }
  if (*out < 0) {
    return LocatedError(reader.path(), reader.line_number(), column,
                        absl::StrCat("column '", Sv(name), "': ", Sv(text), " is negative"));
  }
  return absl::OkStatus();
}

absl::Status RequireFields(const std::vector<std::string_view>& fields, std::size_t min_fields,
                           const LineReader& reader) {
  if (fields.size() >= min_fields) return absl::OkStatus();
  return LocatedError(
      reader.path(), reader.line_number(), fields.size() + 1,
      absl::StrCat("expected at least ", min_fields, " fields, found ", fields.size()));
}

bool NaturalLess(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = a[i] >= '0' && a[i] <= '9';
    const bool db = b[j] >= '0' && b[j] <= '9';
    if (da && db) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && a[ie] >= '0' && a[ie] <= '9') ++ie;
      while (je < b.size() && b[je] >= '0' && b[je] <= '9') ++je;
      std::string_view na = a.substr(i, ie - i), nb = b.substr(j, je - j);
      while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

absl::StatusOr<std::vector<std::string>> ListFiles(const std::string& path, bool recursive) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    return absl::NotFoundError(absl::StrCat(path, ": no such file or folder"));
  std::vector<std::string> files;
  if (fs::is_regular_file(st)) {
    files.push_back(path);
    return files;
  }
  auto visit = [&](const fs::directory_entry& entry) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && name.front() == '.') return;
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  };
  if (recursive) {
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().filename().string().starts_with(".")) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      visit(*it);
    }
  } else {
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) visit(*it);
  }
  if (ec) return absl::InternalError(absl::StrCat(path, ": cannot list: ", ec.message()));
  std::sort(files.begin(), files.end(),
            [](const std::string& a, const std::string& b) { return NaturalLess(a, b); });
  if (files.empty()) return absl::NotFoundError(absl::StrCat(path, ": folder has no trace files"));
  return files;
}

std::string FileStem(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  for (std::string_view ext : {".gz", ".csv", ".txt", ".json", ".jsonl"}) {
    if (name.size() > ext.size() && name.ends_with(ext)) name.resize(name.size() - ext.size());
  }
  return name;
}

absl::Time FromSeconds(absl::Time origin, double seconds) {
  return origin + absl::Seconds(seconds);
}

absl::Time FromMillis(absl::Time origin, double millis) {
  return origin + absl::Milliseconds(millis);
}

absl::Time FromMicros(absl::Time origin, double micros) {
  return origin + absl::Microseconds(micros);
}

ResourceVector WithDefaults(ResourceVector value, const ResourceVector& fallback) {
  for (Resource r : kAllResources) {
    if (std::isnan(value[r])) value[r] = fallback[r];
  }
  return value;
}

}  // namespace foresight::internal
