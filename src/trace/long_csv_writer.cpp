#include <cmath>
#include <cstdio>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/trace/long_csv.hpp"
#include "csv_field.hpp"

namespace foresight {

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};

}  // namespace

absl::Status WriteLongCsv(const Workload& workload, const std::string& path) {
  if (absl::Status s = ValidateWorkload(workload); !s.ok()) return s;
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "w"));
  if (file == nullptr) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot write"));
  std::string buffer = "time,entity,resource,usage,capacity\n";
  // Each step's time is formatted once, when some user is first present at it:
  // a sparse grid (entities years apart) costs its present steps, not its length.
  absl::flat_hash_map<std::size_t, std::string> times;
  auto time_of = [&](std::size_t t) -> const std::string& {
    auto [it, inserted] = times.try_emplace(t);
    if (inserted) {
      it->second = absl::FormatTime(absl::RFC3339_full, workload.time(t), absl::UTCTimeZone());
    }
    return it->second;
  };
  for (std::size_t u = 0; u < workload.num_users(); ++u) {
    const WorkloadUser& user = workload.users[u];
    const std::string entity = CsvField(user.name.empty() ? ToString(user.id) : user.name);
    const StepWindow& window = workload.demand.window(u);
    for (std::size_t t = window.first; window.Contains(t); ++t) {
      if (!workload.Present(u, t)) continue;
      const std::string& time = time_of(t);
      for (Resource r : kAllResources) {
        const double d = workload.Demand(u, t, r);
        if (std::isnan(d)) continue;
        absl::StrAppend(&buffer, time, ",", entity, ",", Sv(ResourceName(r)), ",",
                        absl::StrFormat("%.17g", d), ",",
                        absl::StrFormat("%.17g", user.initial_allocation[r]), "\n");
      }
      if (buffer.size() > (1 << 20)) {
        if (std::fwrite(buffer.data(), 1, buffer.size(), file.get()) != buffer.size()) {
          return absl::DataLossError(absl::StrCat(path, ": write failed"));
        }
        buffer.clear();
      }
    }
  }
  if (std::fwrite(buffer.data(), 1, buffer.size(), file.get()) != buffer.size() ||
      std::fclose(file.release()) != 0) {
    return absl::DataLossError(absl::StrCat(path, ": write failed"));
  }
  return absl::OkStatus();
}

}  // namespace foresight
