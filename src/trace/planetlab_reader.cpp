// PlanetLab / CoMon: a folder per day (YYYYMMDD), one file per VM, one CPU %
// per line at 5-minute intervals (288 lines a day). The same file name on
// several days is the same VM. Folders whose name is not a date are placed on
// consecutive days from `time_origin` in name order.
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "foresight/core/absl_compat.hpp"
#include "reader_util.hpp"

namespace foresight::internal {

absl::Status ReadPlanetLab(const std::string& path, const LoadOptions& options, SampleSink sink,
                           TraceStats* stats) {
  absl::StatusOr<std::vector<std::string>> files = ListFiles(path, /*recursive=*/true);
  if (!files.ok()) return files.status();
  const ResourceVector size =
      WithDefaults(options.entity_capacity, DefaultEntityCapacity(TraceFormat::kPlanetLab));
  // Day of each folder.
  std::map<std::string, absl::Time, bool (*)(const std::string&, const std::string&)> days(
      [](const std::string& a, const std::string& b) { return NaturalLess(a, b); });
  for (const std::string& f : *files)
    days.emplace(std::filesystem::path(f).parent_path().string(), absl::Time());
  std::int64_t undated = 0;
  for (auto& [folder, day] : days) {
    const std::string name = std::filesystem::path(folder).filename().string();
    absl::CivilDay civil;
    const bool dated =
        name.size() == 8 && name.find_first_not_of("0123456789") == std::string::npos &&
        absl::ParseCivilTime(
            absl::StrCat(name.substr(0, 4), "-", name.substr(4, 2), "-", name.substr(6, 2)),
            &civil);
    day = dated ? absl::FromCivil(civil, absl::UTCTimeZone())
                : options.time_origin + absl::Hours(24) * undated++;
  }
  std::string current_file, entity;
  absl::Time day;
  return ForEachRow(
      *files, ',', stats,
      [&](const LineReader& reader, const std::vector<std::string_view>& fields) {
        if (current_file != reader.path()) {
          current_file = reader.path();
          entity = std::filesystem::path(current_file).filename().string();
          day = days[std::filesystem::path(current_file).parent_path().string()];
        }
        ++stats->rows;
        double pct = 0.0;
        if (absl::Status s = NumberField(fields, 1, "cpu %", reader, &pct, stats); !s.ok())
          return s;
        if (std::isnan(pct)) return absl::OkStatus();
        TraceSample sample;
        sample.entity = entity;
        sample.time = day + absl::Minutes(5) * (reader.line_number() - 1);
        sample.usage.cpu() = pct / 100.0 * size.cpu();
        return Locate(sink(sample), reader.path(), reader.line_number());
      },
      options.progress);
}

}  // namespace foresight::internal
