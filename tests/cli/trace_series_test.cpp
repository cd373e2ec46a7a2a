// Tests of `TraceSeries` (src/forecast/trace_series.*): a trace's entities as
// the series `forecast-eval --trace` scores, with gaps, ends and refusals.
#include "trace_series.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "foresight/sim/demand_table.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One user per row of `cpu` (NaN = missing), memory never recorded, over a
// window from each row's first step to its last.
Workload MakeWorkload(const std::vector<std::vector<double>>& cpu) {
  Workload w;
  std::size_t steps = 0;
  for (const auto& row : cpu) steps = std::max(steps, row.size());
  std::vector<StepWindow> windows;
  for (const auto& row : cpu) {
    windows.push_back(row.empty() ? StepWindow{} : StepWindow{0, row.size() - 1});
  }
  w.demand = DemandTable(steps, windows);
  for (std::size_t u = 0; u < cpu.size(); ++u) {
    WorkloadUser user;
    user.id = UserId{u};
    user.name = "vm-" + std::to_string(u);
    w.users.push_back(user);
    for (std::size_t t = 0; t < cpu[u].size(); ++t) {
      if (!std::isnan(cpu[u][t])) w.demand.Set(u, t, 0, cpu[u][t]);
    }
  }
  return w;
}

PerResource<bool> CpuOnly() {
  PerResource<bool> m{};
  m.cpu() = true;
  return m;
}

TEST_CASE("TraceSeries: each entity's last run, its last steps the test row") {
  const Workload w = MakeWorkload({
      {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},             // whole
      {1, 2, 3, 4, kNaN, 6, 7, 8, 9, 10, 11, 12},  // a one-step gap at 4
      {1, 2, 3, 4, 5, 6, 7, kNaN, 9, 10},          // a gap inside the test steps
      {1, 2, 3, 4, 5, 6, kNaN, kNaN},              // ends early: not a gap
      {},                                          // never present
  });
  SUBCASE("a gap ends a series") {
    absl::StatusOr<TraceSeriesSet> s = TraceSeries(w, CpuOnly(), {.test_steps = 3, .min_train = 2});
    REQUIRE(s.ok());
    CHECK(s->entities == 5);
    REQUIRE(s->train.size() == 3);
    CHECK(s->train[0].id == "vm-0");
    CHECK(s->train[0].values == std::vector<double>{1, 2, 3, 4, 5, 6, 7});
    CHECK(s->test[0].values == std::vector<double>{8, 9, 10});
    CHECK(s->train[1].id == "vm-1");  // after its gap: 6..12
    CHECK(s->train[1].values == std::vector<double>{6, 7, 8, 9});
    CHECK(s->test[1].values == std::vector<double>{10, 11, 12});
    CHECK(s->train[2].id == "vm-3");  // the missing steps after its end are not a gap
    CHECK(s->train[2].values == std::vector<double>{1, 2, 3});
    CHECK(s->test[2].values == std::vector<double>{4, 5, 6});
    CHECK(s->too_short == 2);   // vm-2 (2 samples after its gap) and vm-4
    CHECK(s->before_gap == 4);  // vm-1's 1..4
    CHECK(s->filled == 0);
    CHECK(s->longest_run == 10);
  }
  SUBCASE("short gaps in the training part are bridged, never in the test steps") {
    absl::StatusOr<TraceSeriesSet> s =
        TraceSeries(w, CpuOnly(), {.test_steps = 3, .min_train = 2, .max_gap = 1});
    REQUIRE(s.ok());
    REQUIRE(s->train.size() == 3);
    CHECK(s->train[1].values == std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9});  // 5 filled in
    CHECK(s->filled == 1);
    CHECK(s->before_gap == 0);
    CHECK(s->train[2].id == "vm-3");  // vm-2's gap is in its test steps
    CHECK(s->too_short == 2);
  }
  SUBCASE("a bridged gap is filled linearly between its neighbours") {
    const Workload g = MakeWorkload({{0, 3, kNaN, kNaN, 12, 15, 18}});
    absl::StatusOr<TraceSeriesSet> s =
        TraceSeries(g, CpuOnly(), {.test_steps = 2, .min_train = 1, .max_gap = 2});
    REQUIRE(s.ok());
    CHECK(s->train[0].values == std::vector<double>{0, 3, 6, 9, 12});
    CHECK(s->test[0].values == std::vector<double>{15, 18});
    // One step shorter than the gap: the series starts after it.
    s = TraceSeries(g, CpuOnly(), {.test_steps = 2, .min_train = 1, .max_gap = 1});
    REQUIRE(s.ok());
    CHECK(s->train[0].values == std::vector<double>{12});
    CHECK(s->before_gap == 2);
  }
}

TEST_CASE("TraceSeries refuses what it cannot score, naming it") {
  const Workload w = MakeWorkload({{1, 2, 3, 4, 5}, {1, 2}});
  auto message = [](const absl::StatusOr<TraceSeriesSet>& s) {
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(s.status().message());
  };
  CHECK(message(TraceSeries(w, CpuOnly(), {.resource = Resource::kMemory, .test_steps = 1})) ==
        "the trace does not record memory (no sample has it)");
  CHECK(message(TraceSeries(w, CpuOnly(), {.test_steps = 0})).find("test steps") !=
        std::string::npos);
  CHECK(message(TraceSeries(w, CpuOnly(), {.test_steps = 1, .min_train = 0}))
            .find("training steps") != std::string::npos);
  CHECK(message(TraceSeries(w, CpuOnly(), {.test_steps = 1, .max_gap = -1})).find("gap") !=
        std::string::npos);
  CHECK(message(TraceSeries(w, CpuOnly(), {.test_steps = 3, .min_train = 3})) ==
        "no entity of 2 has 6 cpu samples in a row (training 3 + test 3); the longest run is 5");
}

}  // namespace
}  // namespace foresight
