// Bitbrains GWA-T-12 (fastStorage, Rnd): a folder of per-VM files N.csv,
// `;\t`-separated, 11 columns. The "Timestamp [ms]" column holds Unix seconds in
// the published files; values above 1e11 are taken as milliseconds.
// A row with "CPU capacity provisioned [MHZ]" 0 belongs to a VM that is not
// provisioned (fastStorage VMs retired mid-month keep being logged with zero
// capacity and zero usage): it is dropped and counted
// (`TraceStats::dropped_rows`), so the VM is absent there, not idle.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "reader_util.hpp"

namespace foresight::internal {

absl::Status ReadBitbrains(const std::string& path, const LoadOptions& options, SampleSink sink,
                           TraceStats* stats) {
  absl::StatusOr<std::vector<std::string>> files = ListFiles(path, /*recursive=*/true);
  if (!files.ok()) return files.status();
  constexpr double kKiB = 1024.0;
  std::string current_file, entity;
  return ForEachRow(
      *files, ';', stats,
      [&](const LineReader& reader, const std::vector<std::string_view>& fields) {
        if (current_file != reader.path()) {
          current_file = reader.path();
          entity = FileStem(current_file);
        }
        double ts = 0.0;
        if (!fields.empty() && !ParseNumber(fields[0], &ts)) {
          if (reader.line_number() == 1 && fields[0].starts_with("Timestamp"))
            return absl::OkStatus();
        }
        ++stats->rows;
        if (absl::Status s = RequireFields(fields, 11, reader); !s.ok()) return s;
        double v[11];
        static constexpr const char* kNames[11] = {"Timestamp [ms]",
                                                   "CPU cores",
                                                   "CPU capacity provisioned [MHZ]",
                                                   "CPU usage [MHZ]",
                                                   "CPU usage [%]",
                                                   "Memory capacity provisioned [KB]",
                                                   "Memory usage [KB]",
                                                   "Disk read throughput [KB/s]",
                                                   "Disk write throughput [KB/s]",
                                                   "Network received throughput [KB/s]",
                                                   "Network transmitted throughput [KB/s]"};
        for (std::size_t c = 0; c < 11; ++c) {
          if (absl::Status s = NumberField(fields, c + 1, kNames[c], reader, &v[c], stats);
              !s.ok()) {
            return s;
          }
        }
        if (std::isnan(v[0])) {
          return LocatedError(reader.path(), reader.line_number(), 1, "missing timestamp");
        }
        TraceSample sample;
        sample.entity = entity;
        sample.time = v[0] > 1e11 ? FromMillis(absl::UnixEpoch(), v[0])
                                  : FromSeconds(absl::UnixEpoch(), v[0]);
        const double cores = v[1], cap_mhz = v[2], use_mhz = v[3], use_pct = v[4];
        if (cap_mhz == 0.0) {
          ++stats->dropped_rows;
          return absl::OkStatus();
        }
        if (cores > 0 && cap_mhz > 0 && !std::isnan(use_mhz)) {
          sample.usage.cpu() = cores * use_mhz / cap_mhz;
        } else if (cores > 0 && !std::isnan(use_pct)) {
          sample.usage.cpu() = cores * use_pct / 100.0;
        }
        sample.usage.memory() = v[6] * kKiB;
        sample.usage.io() = (v[7] + v[8]) * kKiB;
        sample.usage.net() = (v[9] + v[10]) * kKiB;
        if (cores > 0) sample.capacity.cpu() = cores;
        if (v[5] > 0) sample.capacity.memory() = v[5] * kKiB;
        return Locate(sink(sample), reader.path(), reader.line_number());
      },
      options.progress);
}

}  // namespace foresight::internal
