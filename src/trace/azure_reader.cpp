// Azure Public Dataset vm_cpu_readings: no header; timestamp (seconds from the
// trace start), vm id, min CPU %, max CPU %, avg CPU %. CPU % is of the VM's
// cores: taken from a `vmtable.csv[.gz]` beside the readings when there is one
// (column 10, virtual core count bucket; column 11, memory GB bucket), else the
// assumed entity size (--entity-capacity, default 1 core). Memory usage is not
// in the readings: memory is unmeasured.
#include <filesystem>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"
#include "reader_util.hpp"

namespace foresight::internal {

namespace {

bool IsVmTable(const std::string& file) {
  return std::filesystem::path(file).filename().string().starts_with("vmtable");
}

// Bucket labels: "2", "4", "8", ">24", ">64". An open bucket ">N" is taken as
// the next size up (">24" cores -> 32, ">64" GB -> 128).
bool ParseBucket(std::string_view text, double* out) {
  const bool open = !text.empty() && text.front() == '>';
  if (open) text.remove_prefix(1);
  if (!ParseNumber(text, out)) return false;
  if (open) *out = *out <= 24 ? 32 : *out * 2;
  return true;
}

}  // namespace

absl::Status ReadAzure(const std::string& path, const LoadOptions& options, SampleSink sink,
                       TraceStats* stats) {
  absl::StatusOr<std::vector<std::string>> all = ListFiles(path, /*recursive=*/false);
  if (!all.ok()) return all.status();
  std::vector<std::string> readings, tables;
  for (const std::string& f : *all) (IsVmTable(f) ? tables : readings).push_back(f);
  if (tables.empty()) {
    namespace fs = std::filesystem;
    const fs::path folder = fs::is_directory(path) ? fs::path(path) : fs::path(path).parent_path();
    for (const char* name : {"vmtable.csv", "vmtable.csv.gz"}) {
      std::error_code ec;
      if (fs::is_regular_file(folder / name, ec)) tables.push_back((folder / name).string());
    }
  }
  if (readings.empty())
    return absl::NotFoundError(absl::StrCat(path, ": no vm_cpu_readings files"));
  absl::flat_hash_map<std::string, ResourceVector> sizes;
  TraceStats table_stats;
  absl::Status status =
      ForEachRow(tables, ',', &table_stats,
                 [&](const LineReader& reader, const std::vector<std::string_view>& fields) {
                   if (absl::Status s = RequireFields(fields, 11, reader); !s.ok()) return s;
                   ResourceVector size = ResourceVector::Filled(kMissing);
                   double cores = 0.0, gb = 0.0;
                   if (!ParseBucket(fields[9], &cores)) {
                     return LocatedError(reader.path(), reader.line_number(), 10,
                                         absl::StrCat("column 'vm virtual core count bucket': '",
                                                      Sv(fields[9]), "' is not a bucket"));
                   }
                   size.cpu() = cores;
                   if (ParseBucket(fields[10], &gb)) size.memory() = gb * (1ull << 30);
                   sizes[Sv(fields[0])] = size;
                   return absl::OkStatus();
                 });
  if (!status.ok()) return status;
  const ResourceVector fallback =
      WithDefaults(options.entity_capacity, DefaultEntityCapacity(TraceFormat::kAzure));
  return ForEachRow(
      readings, ',', stats,
      [&](const LineReader& reader, const std::vector<std::string_view>& fields) {
        ++stats->rows;
        if (absl::Status s = RequireFields(fields, 5, reader); !s.ok()) return s;
        double ts = 0.0, lo = 0.0, hi = 0.0, avg = 0.0;
        if (absl::Status s = NumberField(fields, 1, "timestamp", reader, &ts, stats); !s.ok())
          return s;
        if (std::isnan(ts))
          return LocatedError(reader.path(), reader.line_number(), 1, "missing timestamp");
        if (absl::Status s = NumberField(fields, 3, "min cpu", reader, &lo, stats); !s.ok())
          return s;
        if (absl::Status s = NumberField(fields, 4, "max cpu", reader, &hi, stats); !s.ok())
          return s;
        if (absl::Status s = NumberField(fields, 5, "avg cpu", reader, &avg, stats); !s.ok())
          return s;
        if (fields[1].empty())
          return LocatedError(reader.path(), reader.line_number(), 2, "empty vm id");
        TraceSample sample;
        sample.entity = fields[1];
        sample.time = FromSeconds(options.time_origin, ts);
        double cores = fallback.cpu();
        if (auto it = sizes.find(Sv(fields[1])); it != sizes.end()) {
          cores = it->second.cpu();
          sample.capacity = it->second;
        }
        sample.usage.cpu() = avg / 100.0 * cores;
        sample.peak.cpu() = hi / 100.0 * cores;
        if (std::isnan(avg)) return absl::OkStatus();
        return Locate(sink(sample), reader.path(), reader.line_number());
      },
      options.progress);
}

}  // namespace foresight::internal
