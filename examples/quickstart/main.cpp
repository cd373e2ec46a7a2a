// Quickstart: build a controller over a simulated pool, tick it through one
// day of the built-in workload, and print a few explained decisions.
#include <iostream>

#include "foresight.hpp"

int main() {
  using namespace foresight;
  absl::StatusOr<Workload> workload = GenerateWorkload({.users = 6, .days = 1, .seed = 1});
  if (!workload.ok()) return 1;
  absl::StatusOr<SimulatedPool> pool = SimulatedPool::Create(*workload);
  if (!pool.ok()) return 1;
  DefaultController controller(ControllerOptions{}, BehaviorProfiler{}, HoltWinters{{.season = 288}},
                               LinearCost{}, QuantileTarget{}, *std::move(pool));
  std::size_t shown = 0;
  for (std::size_t k = 0; k < workload->num_steps(); ++k) {
    absl::StatusOr<TickReport> report = controller.Tick(workload->time(k));
    if (!report.ok()) {
      std::cerr << report.status() << "\n";
      return 1;
    }
    for (const Move& m : report->decisions) {
      if (k < 100 || shown >= 5 || m.resource != Resource::kMemory) continue;
      std::cout << absl::FormatTime("%H:%M", report->time, absl::UTCTimeZone()) << " "
                << workload->users[m.user.value].name << " memory "
                << FormatQuantity(m.from, m.resource) << " -> " << FormatQuantity(m.to, m.resource)
                << " (" << ReasonName(m.reason) << ", P" << static_cast<int>(m.level * 100)
                << " forecast " << FormatQuantity(m.forecast, m.resource) << ")\n";
      ++shown;
    }
  }
  absl::StatusOr<ProfileSummary> profile = controller.Profile(UserId{0}, workload->time(287));
  if (profile.ok()) {
    std::cout << workload->users[0].name << " is classified "
              << BehaviorClassName(profile->behavior) << "\n";
  }
  std::cout << "capacity violations: " << controller.pool().capacity_violations() << "\n";
  return controller.pool().capacity_violations() == 0 && shown > 0 ? 0 : 1;
}
