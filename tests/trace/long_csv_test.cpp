// Workload -> long CSV -> Workload is exact.
#include "foresight/trace/long_csv.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "foresight/trace/loader.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

Workload RandomWorkload(std::size_t users, std::size_t steps, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  Workload w;
  w.start = absl::FromUnixSeconds(1'700'000'100);
  w.step = absl::Minutes(5);
  w.demand = DemandTable(users, steps);
  for (std::size_t u = 0; u < users; ++u) {
    WorkloadUser user;
    user.id = UserId{u};
    user.name = u == 1 ? "needs, \"quoting\"" : "vm-" + std::to_string(u);
    user.host = 0;
    user.initial_allocation = MakeResources(2.0 + u, 4e9, 1e8, 1e8);
    w.users.push_back(user);
    for (std::size_t t = 0; t < steps; ++t) {
      const bool gap = t > 0 && u01(rng) < 0.1;
      for (std::size_t r = 0; r < kNumResources; ++r) {
        w.demand.Set(u, t, r, gap ? std::nan("") : u01(rng) * (r == 0 ? 4.0 : 3.3e9));
      }
    }
  }
  w.host_capacity.push_back(MakeResources(100, 1e12, 1e12, 1e12));
  return w;
}

TEST_CASE("long CSV round trip keeps demand, gaps, names and initial allocations exactly") {
  const Workload w = RandomWorkload(4, 50, 7);
  const std::string path = testing::TempPath("long_roundtrip.csv");
  REQUIRE(WriteLongCsv(w, path).ok());
  absl::StatusOr<LoadedTrace> back = LoadTrace(path, TraceFormat::kLong);
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  const Workload& b = back->workload;
  REQUIRE(b.num_users() == w.num_users());
  REQUIRE(b.num_steps() == w.num_steps());
  CHECK(b.start == w.start);
  CHECK(b.step == w.step);
  for (std::size_t u = 0; u < w.num_users(); ++u) {
    CHECK(b.users[u].name == w.users[u].name);
    CHECK(b.users[u].initial_allocation == w.users[u].initial_allocation);
    for (std::size_t t = 0; t < w.num_steps(); ++t) {
      CHECK(b.Present(u, t) == w.Present(u, t));
      if (!w.Present(u, t)) continue;
      for (std::size_t r = 0; r < kNumResources; ++r) CHECK(b.demand(u, t, r) == w.demand(u, t, r));
    }
  }
  std::remove(path.c_str());
}

TEST_CASE("WriteLongCsv refuses an invalid workload and an unwritable path") {
  Workload w = RandomWorkload(1, 3, 1);
  CHECK_FALSE(WriteLongCsv(w, "/nonexistent-dir/x.csv").ok());
  w.demand.Set(0, 0, 0, -1);
  CHECK_FALSE(WriteLongCsv(w, testing::TempPath("never.csv")).ok());
}

}  // namespace
}  // namespace foresight
