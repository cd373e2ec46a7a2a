// Google cluster data.
//
// 2011 task_usage (no header): 1 start time (µs from the trace start), 2 end
// time, 3 job ID, 4 task index, 5 machine ID, 6 mean CPU rate, 7 canonical
// memory usage, 8 assigned memory, 9 unmapped page cache, 10 total page cache,
// 11 maximum memory usage, 12 disk I/O time, 13 local disk space, 14 maximum
// CPU rate, ... (20 columns). CPU and memory are normalised to the largest
// machine (1.0); `machine_capacity` turns them into cores and bytes.
//
// 2019 instance_usage, exported from BigQuery either as JSON lines (nested
// average_usage.cpus etc.; INT64 fields may be strings) or as CSV with a header
// naming the flattened columns (average_usage.cpus or average_usage_cpus).
// An entity is one task (job/index) or instance (collection/index). Each row
// covers [start, end) (usually 5 minutes) and is placed at its start time.
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"
#include "nlohmann/json.hpp"
#include "reader_util.hpp"

namespace foresight::internal {

absl::Status ReadGoogle2011(const std::string& path, const LoadOptions& options, SampleSink sink,
                            TraceStats* stats) {
  absl::StatusOr<std::vector<std::string>> files = ListFiles(path, /*recursive=*/true);
  if (!files.ok()) return files.status();
  const ResourceVector machine =
      WithDefaults(options.machine_capacity, DefaultMachineCapacity(TraceFormat::kGoogle2011));
  std::string entity;
  return ForEachRow(
      *files, ',', stats,
      [&](const LineReader& reader, const std::vector<std::string_view>& fields) {
        ++stats->rows;
        if (absl::Status s = RequireFields(fields, 14, reader); !s.ok()) return s;
        double start = 0.0, cpu = 0.0, mem = 0.0, max_mem = 0.0, max_cpu = 0.0;
        if (absl::Status s = NumberField(fields, 1, "start time", reader, &start, stats); !s.ok())
          return s;
        if (std::isnan(start))
          return LocatedError(reader.path(), reader.line_number(), 1, "missing start time");
        if (fields[2].empty())
          return LocatedError(reader.path(), reader.line_number(), 3, "empty job ID");
        if (absl::Status s = NumberField(fields, 6, "CPU rate", reader, &cpu, stats); !s.ok())
          return s;
        if (absl::Status s = NumberField(fields, 7, "canonical memory usage", reader, &mem, stats);
            !s.ok())
          return s;
        if (absl::Status s =
                NumberField(fields, 11, "maximum memory usage", reader, &max_mem, stats);
            !s.ok())
          return s;
        if (absl::Status s = NumberField(fields, 14, "maximum CPU rate", reader, &max_cpu, stats);
            !s.ok())
          return s;
        entity.assign(fields[2].data(), fields[2].size());
        entity.push_back('/');
        entity.append(fields[3].data(), fields[3].size());
        TraceSample sample;
        sample.entity = entity;
        sample.time = FromMicros(options.time_origin, start);
        sample.usage.cpu() = cpu * machine.cpu();
        sample.usage.memory() = mem * machine.memory();
        sample.peak.cpu() = max_cpu * machine.cpu();
        sample.peak.memory() = max_mem * machine.memory();
        return Locate(sink(sample), reader.path(), reader.line_number());
      },
      options.progress);
}

namespace {

// A JSON number, or a string holding one (BigQuery's INT64 encoding).
bool JsonNumber(const nlohmann::json& j, double* out) {
  if (j.is_number()) {
    *out = j.get<double>();
    return std::isfinite(*out);
  }
  if (j.is_string()) return ParseNumber(j.get_ref<const std::string&>(), out);
  return false;
}

const nlohmann::json* JsonPath(const nlohmann::json& root, std::string_view a,
                               std::string_view b = {}) {
  if (!root.is_object()) return nullptr;
  auto it = root.find(std::string(a));
  if (it == root.end() || it->is_null()) return nullptr;
  if (b.empty()) return &*it;
  if (!it->is_object()) return nullptr;
  auto jt = it->find(std::string(b));
  if (jt == it->end() || jt->is_null()) return nullptr;
  return &*jt;
}

struct Row2019 {
  double start = kMissing, cpu = kMissing, mem = kMissing, max_cpu = kMissing, max_mem = kMissing;
  std::string entity;
};

}  // namespace

absl::Status ReadGoogle2019(const std::string& path, const LoadOptions& options, SampleSink sink,
                            TraceStats* stats) {
  absl::StatusOr<std::vector<std::string>> files = ListFiles(path, /*recursive=*/true);
  if (!files.ok()) return files.status();
  const ResourceVector machine =
      WithDefaults(options.machine_capacity, DefaultMachineCapacity(TraceFormat::kGoogle2019));
  auto emit = [&](const Row2019& row, const LineReader& reader) {
    TraceSample sample;
    sample.entity = row.entity;
    sample.time = FromMicros(options.time_origin, row.start);
    sample.usage.cpu() = row.cpu * machine.cpu();
    sample.usage.memory() = row.mem * machine.memory();
    sample.peak.cpu() = row.max_cpu * machine.cpu();
    sample.peak.memory() = row.max_mem * machine.memory();
    return Locate(sink(sample), reader.path(), reader.line_number());
  };
  // Per file: JSON lines or CSV with a header.
  std::string current;
  bool json = false;
  std::size_t c_start = 0, c_coll = 0, c_index = 0, c_cpu = 0, c_mem = 0, c_max_cpu = 0,
              c_max_mem = 0;
  CsvSplitter splitter(',');
  std::vector<std::string_view> fields;
  FileProgress progress(*files, options.progress);
  for (const std::string& file : *files) {
    absl::StatusOr<std::unique_ptr<LineReader>> opened = LineReader::Open(file);
    if (!opened.ok()) return opened.status();
    LineReader& reader = **opened;
    ++stats->files;
    bool first = true;
    std::string_view line;
    while (true) {
      absl::StatusOr<bool> more = reader.Next(&line);
      if (!more.ok()) return more.status();
      if (!*more) break;
      progress.Line(reader);
      const std::size_t nonspace = line.find_first_not_of(" \t");
      if (nonspace == std::string_view::npos) continue;
      if (first) {
        first = false;
        json = line[nonspace] == '{';
        if (!json) {
          if (absl::Status s = splitter.Split(line, &fields); !s.ok())
            return Locate(s, file, reader.line_number());
          c_start = c_coll = c_index = c_cpu = c_mem = c_max_cpu = c_max_mem = 0;
          for (std::size_t i = 0; i < fields.size(); ++i) {
            std::string name = absl::AsciiStrToLower(Sv(fields[i]));
            for (char& ch : name) {
              if (ch == '.') ch = '_';
            }
            if (name == "start_time") c_start = i + 1;
            if (name == "collection_id") c_coll = i + 1;
            if (name == "instance_index") c_index = i + 1;
            if (name == "average_usage_cpus") c_cpu = i + 1;
            if (name == "average_usage_memory") c_mem = i + 1;
            if (name == "maximum_usage_cpus") c_max_cpu = i + 1;
            if (name == "maximum_usage_memory") c_max_mem = i + 1;
          }
          for (auto [col, name] : {std::pair{c_start, "start_time"},
                                   {c_coll, "collection_id"},
                                   {c_index, "instance_index"},
                                   {c_cpu, "average_usage.cpus"},
                                   {c_mem, "average_usage.memory"}}) {
            if (col == 0) {
              return LocatedError(file, reader.line_number(), 0,
                                  absl::StrCat("CSV header has no '", name, "' column"));
            }
          }
          continue;
        }
      }
      ++stats->rows;
      Row2019 row;
      if (json) {
        nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
          return LocatedError(file, reader.line_number(), 0, "not a JSON object");
        }
        const nlohmann::json* start = JsonPath(j, "start_time");
        if (start == nullptr || !JsonNumber(*start, &row.start) || row.start < 0) {
          return LocatedError(file, reader.line_number(), 0,
                              "'start_time' missing or not a number >= 0");
        }
        const nlohmann::json* coll = JsonPath(j, "collection_id");
        const nlohmann::json* index = JsonPath(j, "instance_index");
        if (coll == nullptr || index == nullptr) {
          return LocatedError(file, reader.line_number(), 0,
                              "'collection_id' or 'instance_index' missing");
        }
        row.entity = absl::StrCat(coll->is_string() ? coll->get<std::string>() : coll->dump(), "/",
                                  index->is_string() ? index->get<std::string>() : index->dump());
        const std::pair<const char*, double*> wanted[] = {{"average_usage", &row.cpu},
                                                          {"average_usage", &row.mem},
                                                          {"maximum_usage", &row.max_cpu},
                                                          {"maximum_usage", &row.max_mem}};
        for (std::size_t k = 0; k < 4; ++k) {
          const char* leaf = k % 2 == 0 ? "cpus" : "memory";
          const nlohmann::json* v = JsonPath(j, wanted[k].first, leaf);
          if (v == nullptr) {
            ++stats->missing_fields;
            continue;
          }
          if (!JsonNumber(*v, wanted[k].second) || *wanted[k].second < 0) {
            return LocatedError(
                file, reader.line_number(), 0,
                absl::StrCat("'", wanted[k].first, ".", leaf, "' is not a number >= 0"));
          }
        }
      } else {
        if (absl::Status s = splitter.Split(line, &fields); !s.ok())
          return Locate(s, file, reader.line_number());
        if (absl::Status s = NumberField(fields, c_start, "start_time", reader, &row.start, stats);
            !s.ok())
          return s;
        if (std::isnan(row.start))
          return LocatedError(file, reader.line_number(), c_start, "missing start_time");
        if (absl::Status s = RequireFields(fields, std::max(c_coll, c_index), reader); !s.ok())
          return s;
        row.entity = absl::StrCat(Sv(fields[c_coll - 1]), "/", Sv(fields[c_index - 1]));
        if (absl::Status s =
                NumberField(fields, c_cpu, "average_usage.cpus", reader, &row.cpu, stats);
            !s.ok())
          return s;
        if (absl::Status s =
                NumberField(fields, c_mem, "average_usage.memory", reader, &row.mem, stats);
            !s.ok())
          return s;
        if (c_max_cpu != 0) {
          if (absl::Status s =
                  NumberField(fields, c_max_cpu, "maximum_usage.cpus", reader, &row.max_cpu, stats);
              !s.ok())
            return s;
        }
        if (c_max_mem != 0) {
          if (absl::Status s = NumberField(fields, c_max_mem, "maximum_usage.memory", reader,
                                           &row.max_mem, stats);
              !s.ok())
            return s;
        }
      }
      if (absl::Status s = emit(row, reader); !s.ok()) return s;
    }
    stats->bytes += reader.bytes_read();
    progress.FileDone(file);
  }
  return absl::OkStatus();
}

}  // namespace foresight::internal
