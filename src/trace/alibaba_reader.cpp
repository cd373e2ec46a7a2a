// Alibaba cluster-trace-v2018 machine_usage and container_usage (no header;
// columns per the trace's schema.md; times in seconds from the trace start,
// sampled every ~10-60 s). Percentages become absolute units with the machine
// size (96 cores per machine_meta; memory and network bandwidth assumed, see
// docs/trace/formats.md) or, for containers, with the container's cpu_request
// (100 = 1 core) and mem_size (% of machine memory) from a container_meta.csv
// beside the usage file when there is one, else the assumed container size.
// disk_io_percent is not used (abnormal values -1 and 101 are frequent).
// The trace documents -1 and 101 as invalid markers in every utilisation
// column (trace_2018.md; alibaba/clusterdata issue #73 for container CPU):
// they are read as missing values, not as errors or as 101 % of the machine.
// Rows without a machine or container id (issue #84) are dropped and counted
// (`TraceStats::dropped_rows`).
#include <algorithm>
#include <filesystem>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"
#include "reader_util.hpp"

namespace foresight::internal {

namespace {

bool IsSidecar(const std::string& file) {
  const std::string name = std::filesystem::path(file).filename().string();
  return name.starts_with("machine_meta") || name.starts_with("container_meta") ||
         name.ends_with(".md") || name.starts_with("batch_");
}

absl::StatusOr<std::vector<std::string>> UsageFiles(const std::string& path) {
  absl::StatusOr<std::vector<std::string>> all = ListFiles(path, /*recursive=*/false);
  if (!all.ok()) return all.status();
  std::vector<std::string> out;
  for (const std::string& f : *all) {
    if (!IsSidecar(f)) out.push_back(f);
  }
  if (out.empty()) return absl::NotFoundError(absl::StrCat(path, ": no usage files"));
  return out;
}

// A utilisation percentage: as NumberField, with the trace's invalid markers
// -1 and 101 read as missing (counted in `stats->missing_fields`).
absl::Status PercentField(const std::vector<std::string_view>& fields, std::size_t column,
                          std::string_view name, const LineReader& reader, double* out,
                          TraceStats* stats) {
  if (column >= 1 && column <= fields.size()) {
    double v = 0.0;
    if (ParseNumber(fields[column - 1], &v) && (v == -1.0 || v == 101.0)) {
      *out = kMissing;
      if (stats != nullptr) ++stats->missing_fields;
      return absl::OkStatus();
    }
  }
  return NumberField(fields, column, name, reader, out, stats);
}

// Reads the percentage fields shared by both tables into `sample`.
absl::Status ReadUsage(const std::vector<std::string_view>& fields, const LineReader& reader,
                       std::size_t cpu_col, std::size_t net_col, const ResourceVector& size,
                       const ResourceVector& machine, TraceSample* sample, TraceStats* stats) {
  double cpu = 0.0, mem = 0.0, net_in = 0.0, net_out = 0.0;
  if (absl::Status s = PercentField(fields, cpu_col, "cpu_util_percent", reader, &cpu, stats);
      !s.ok())
    return s;
  if (absl::Status s = PercentField(fields, cpu_col + 1, "mem_util_percent", reader, &mem, stats);
      !s.ok())
    return s;
  if (absl::Status s = NumberField(fields, net_col, "net_in", reader, &net_in, stats); !s.ok())
    return s;
  if (absl::Status s = NumberField(fields, net_col + 1, "net_out", reader, &net_out, stats);
      !s.ok())
    return s;
  sample->usage.cpu() = cpu / 100.0 * size.cpu();
  sample->usage.memory() = mem / 100.0 * size.memory();
  sample->usage.net() = (net_in + net_out) / 100.0 * machine.net();
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadAlibabaMachine(const std::string& path, const LoadOptions& options,
                                SampleSink sink, TraceStats* stats) {
  absl::StatusOr<std::vector<std::string>> files = UsageFiles(path);
  if (!files.ok()) return files.status();
  const ResourceVector machine =
      WithDefaults(options.machine_capacity, DefaultMachineCapacity(TraceFormat::kAlibabaMachine));
  return ForEachRow(
      *files, ',', stats,
      [&](const LineReader& reader, const std::vector<std::string_view>& fields) {
        ++stats->rows;
        if (absl::Status s = RequireFields(fields, 8, reader); !s.ok()) return s;
        double ts = 0.0;
        if (absl::Status s = NumberField(fields, 2, "time_stamp", reader, &ts, stats); !s.ok())
          return s;
        if (std::isnan(ts))
          return LocatedError(reader.path(), reader.line_number(), 2, "missing time_stamp");
        if (fields[0].empty()) {
          ++stats->dropped_rows;
          return absl::OkStatus();
        }
        TraceSample sample;
        sample.entity = fields[0];
        sample.time = FromSeconds(options.time_origin, ts);
        if (absl::Status s = ReadUsage(fields, reader, 3, 7, machine, machine, &sample, stats);
            !s.ok()) {
          return s;
        }
        sample.capacity = MakeResources(machine.cpu(), machine.memory(), kMissing, machine.net());
        return Locate(sink(sample), reader.path(), reader.line_number());
      },
      options.progress);
}

absl::Status ReadAlibabaContainer(const std::string& path, const LoadOptions& options,
                                  SampleSink sink, TraceStats* stats) {
  absl::StatusOr<std::vector<std::string>> files = UsageFiles(path);
  if (!files.ok()) return files.status();
  const ResourceVector machine = WithDefaults(
      options.machine_capacity, DefaultMachineCapacity(TraceFormat::kAlibabaContainer));
  const ResourceVector fallback =
      WithDefaults(options.entity_capacity, DefaultEntityCapacity(TraceFormat::kAlibabaContainer));

  // container_meta.csv: container_id, machine_id, time_stamp, app_du, status,
  // cpu_request, cpu_limit, mem_size. Kept per container as time-ordered sizes.
  namespace fs = std::filesystem;
  const fs::path folder = fs::is_directory(path) ? fs::path(path) : fs::path(path).parent_path();
  std::vector<std::string> meta;
  for (const char* name : {"container_meta.csv", "container_meta.csv.gz"}) {
    std::error_code ec;
    if (fs::is_regular_file(folder / name, ec)) meta.push_back((folder / name).string());
  }
  absl::flat_hash_map<std::string, std::vector<std::pair<absl::Time, ResourceVector>>> sizes;
  TraceStats meta_stats;
  absl::Status status = ForEachRow(
      meta, ',', &meta_stats,
      [&](const LineReader& reader, const std::vector<std::string_view>& fields) {
        if (absl::Status s = RequireFields(fields, 8, reader); !s.ok()) return s;
        double ts = 0.0, cpu_request = 0.0, mem_size = 0.0;
        if (absl::Status s = NumberField(fields, 3, "time_stamp", reader, &ts, nullptr); !s.ok())
          return s;
        if (absl::Status s = NumberField(fields, 6, "cpu_request", reader, &cpu_request, nullptr);
            !s.ok())
          return s;
        if (absl::Status s = NumberField(fields, 8, "mem_size", reader, &mem_size, nullptr);
            !s.ok())
          return s;
        ResourceVector size = ResourceVector::Filled(kMissing);
        size.cpu() = cpu_request / 100.0;
        size.memory() = mem_size / 100.0 * machine.memory();
        sizes[Sv(fields[0])].emplace_back(
            FromSeconds(options.time_origin, std::isnan(ts) ? 0.0 : ts), size);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  for (auto& [id, list] : sizes) {
    std::stable_sort(list.begin(), list.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }

  return ForEachRow(
      *files, ',', stats,
      [&](const LineReader& reader, const std::vector<std::string_view>& fields) {
        ++stats->rows;
        if (absl::Status s = RequireFields(fields, 10, reader); !s.ok()) return s;
        double ts = 0.0;
        if (absl::Status s = NumberField(fields, 3, "time_stamp", reader, &ts, stats); !s.ok())
          return s;
        if (std::isnan(ts))
          return LocatedError(reader.path(), reader.line_number(), 3, "missing time_stamp");
        if (fields[0].empty()) {
          ++stats->dropped_rows;
          return absl::OkStatus();
        }
        TraceSample sample;
        sample.entity = fields[0];
        sample.time = FromSeconds(options.time_origin, ts);
        ResourceVector size = fallback;
        if (auto it = sizes.find(Sv(fields[0])); it != sizes.end() && !it->second.empty()) {
          // Latest size at or before the sample, else the first one.
          auto pos = std::upper_bound(it->second.begin(), it->second.end(), sample.time,
                                      [](absl::Time t, const auto& e) { return t < e.first; });
          const ResourceVector& known = (pos == it->second.begin() ? pos : pos - 1)->second;
          size = WithDefaults(known, fallback);
          sample.capacity = known;
        }
        if (absl::Status s = ReadUsage(fields, reader, 4, 9, size, machine, &sample, stats);
            !s.ok()) {
          return s;
        }
        return Locate(sink(sample), reader.path(), reader.line_number());
      },
      options.progress);
}

}  // namespace foresight::internal
