// DemandTable: demand stored per user over its window only.
#include "foresight/sim/demand_table.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "foresight/sim/vm_trace.hpp"

namespace foresight {

TEST_CASE("DemandTable stores each user over its window, NaN outside") {
  const std::vector<StepWindow> windows = {{2, 4}, {}, {0, 9}};
  DemandTable d(10, windows);
  CHECK(d.users() == 3);
  CHECK(d.steps() == 10);
  CHECK(d.stored() == (3 + 0 + 10) * kNumResources);
  CHECK(std::isnan(d(0, 2, 0)));  // inside, not yet written: missing
  d.Set(0, 2, 1, 5.0);
  d.Set(0, 4, 3, 7.0);
  d.Set(2, 9, 0, 1.0);
  CHECK(d(0, 2, 1) == 5.0);
  CHECK(d(0, 4, 3) == 7.0);
  CHECK(d(2, 9, 0) == 1.0);
  CHECK(std::isnan(d(0, 1, 1)));  // before the window
  CHECK(std::isnan(d(0, 5, 3)));  // after it
  CHECK(std::isnan(d(1, 3, 0)));  // an empty window
  CHECK(d.Vector(0, 4)[Resource::kNet] == 7.0);
  CHECK(std::isnan(d.Vector(1, 0)[Resource::kCpu]));
  // The dense copy: NaN outside the windows.
  const xt::xtensor<double, 3> dense = d.Dense();
  CHECK(dense.shape()[0] == 3);
  CHECK(dense.shape()[1] == 10);
  CHECK(dense(0, 2, 1) == 5.0);
  CHECK(dense(0, 4, 3) == 7.0);
  CHECK(std::isnan(dense(0, 5, 3)));
  CHECK(std::isnan(dense(1, 3, 0)));
  CHECK(dense(2, 9, 0) == 1.0);
}

TEST_CASE("DemandTable's dense form spans every step; Fill sets every stored value") {
  DemandTable d(2, 5);
  CHECK(d.stored() == 2 * 5 * kNumResources);
  CHECK(d.window(1).first == 0);
  CHECK(d.window(1).last == 4);
  d.Fill(3.0);
  CHECK(d(1, 4, 2) == 3.0);
  CHECK(DemandTable(2, 0).window(0).empty());  // no steps: nothing stored
  DemandTable e(2, 5);
  e.Fill(3.0);
  CHECK(d == e);
  e.Set(0, 0, 0, 4.0);
  CHECK_FALSE(d == e);
  CHECK(DemandTable(1, 3) == DemandTable(1, 3));  // missing matches missing
  CHECK_FALSE(DemandTable(1, 3) == DemandTable(1, 4));
}

TEST_CASE("a VM trace with lifetimes stores the VMs' lives, not VMs x steps") {
  absl::StatusOr<Workload> w =
      GenerateVmTrace({.vms = 200, .days = 7, .seed = 3, .mean_lifetime = absl::Hours(12)});
  REQUIRE(w.ok());
  std::size_t lived = 0;
  for (std::size_t u = 0; u < w->num_users(); ++u) lived += w->demand.window(u).size();
  CHECK(w->demand.stored() == lived * kNumResources);
  MESSAGE("stored ", w->demand.stored(), " of ", w->num_users() * w->num_steps() * kNumResources);
  CHECK(w->demand.stored() * 10 < w->num_users() * w->num_steps() * kNumResources);
  // Every present sample lies inside its VM's window.
  const std::vector<UserLife> lives = UserLives(*w);
  for (std::size_t u = 0; u < w->num_users(); ++u) {
    if (lives[u].empty()) continue;
    CHECK(w->demand.window(u).Contains(lives[u].first));
    CHECK(w->demand.window(u).Contains(lives[u].last));
  }
}

}  // namespace foresight
