#include "foresight/sim/generator.hpp"

#include <doctest/doctest.h>

namespace foresight {

TEST_CASE("GenerateWorkload is deterministic under a seed") {
  auto a = GenerateWorkload({.users = 10, .days = 2, .seed = 7});
  auto b = GenerateWorkload({.users = 10, .days = 2, .seed = 7});
  auto c = GenerateWorkload({.users = 10, .days = 2, .seed = 8});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(c.ok());
  CHECK(a->demand == b->demand);
  CHECK(a->demand != c->demand);
  CHECK(ValidateWorkload(*a).ok());
}

TEST_CASE("GenerateWorkload covers every archetype with sensible demand") {
  auto w = GenerateWorkload({.users = 10, .days = 7, .seed = 1});
  REQUIRE(w.ok());
  CHECK(w->num_steps() == 7 * 288);
  CHECK(w->host_capacity.size() == 2);
  std::vector<std::string> kinds;
  for (const auto& u : w->users) kinds.push_back(u.archetype);
  for (std::string_view k : kArchetypes) {
    CHECK(std::find(kinds.begin(), kinds.end(), std::string(k)) != kinds.end());
  }
  // Office users work on weekdays: Tuesday noon CPU well above Saturday noon.
  const std::size_t tue_noon = 288 + 144, sat_noon = 5 * 288 + 144 - 12;
  CHECK(w->Demand(0, tue_noon, Resource::kCpu) > 3 * w->Demand(0, sat_noon, Resource::kCpu));
  // Batch users run at night: 02:00 far above 14:00.
  CHECK(w->Demand(1, 288 + 24, Resource::kCpu) > 10 * w->Demand(1, 288 + 168, Resource::kCpu));
  // The app-chain user has launches recorded.
  int launches = 0;
  for (std::size_t t = 0; t < w->num_steps(); ++t) launches += w->App(4, t) >= 0;
  CHECK(launches > 20);
  // Starting limits fit every host.
  std::vector<ResourceVector> used(w->host_capacity.size());
  for (const auto& u : w->users) used[u.host] += u.initial_allocation;
  for (std::size_t h = 0; h < used.size(); ++h) CHECK(AllLessEqual(used[h], w->host_capacity[h]));
}

TEST_CASE("GenerateWorkload rejects impossible options") {
  CHECK_FALSE(GenerateWorkload({.users = 0}).ok());
  CHECK_FALSE(GenerateWorkload({.days = -1}).ok());
  CHECK_FALSE(GenerateWorkload({.step = absl::Minutes(7)}).ok());
  CHECK_FALSE(GenerateWorkload({.capacity_factor = 0}).ok());
}

}  // namespace foresight
