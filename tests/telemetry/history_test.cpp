#include "foresight/telemetry/history.hpp"

#include <cmath>

#include <doctest/doctest.h>

#include "foresight/telemetry/observation.hpp"
#include "foresight/telemetry/ring_buffer.hpp"

namespace foresight {

TEST_CASE("RingBuffer keeps the newest values oldest-first") {
  RingBuffer<int> ring(3);
  for (int i = 1; i <= 5; ++i) ring.Push(i);
  REQUIRE(ring.size() == 3);
  CHECK(ring[0] == 3);
  CHECK(ring[2] == 5);
  std::vector<int> out;
  ring.view().CopyTo(out);
  CHECK(out == std::vector<int>{3, 4, 5});
}

TEST_CASE("HistoryStore appends, wraps and validates") {
  HistoryStore store(4);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 6; ++i) {
    REQUIRE(store.Append(2, t0 + absl::Minutes(5 * i), ResourceVector::Filled(i)).ok());
  }
  CHECK(store.slots() == 3);
  CHECK(store.size(2) == 4);
  CHECK(store.size(0) == 0);
  RingView<double> cpu = store.View(2, Resource::kCpu);
  CHECK(cpu[0] == 2);
  CHECK(cpu.back() == 5);

  SUBCASE("duplicate timestamp is rejected and changes nothing") {
    absl::Status s = store.Append(2, t0 + absl::Minutes(25), ResourceVector::Filled(9));
    CHECK(absl::IsInvalidArgument(s));
    CHECK(std::string(s.message()).find("duplicates") != std::string::npos);
    CHECK(store.View(2, Resource::kCpu).back() == 5);
  }
  SUBCASE("out-of-order timestamp is rejected") {
    absl::Status s = store.Append(2, t0, ResourceVector::Filled(9));
    CHECK(absl::IsInvalidArgument(s));
    CHECK(std::string(s.message()).find("older") != std::string::npos);
    CHECK(store.size(2) == 4);
  }
  SUBCASE("NaN and negative usage are rejected") {
    CHECK_FALSE(store.Append(2, t0 + absl::Hours(1), MakeResources(std::nan(""), 0, 0, 0)).ok());
    CHECK_FALSE(store.Append(2, t0 + absl::Hours(1), MakeResources(0, -1, 0, 0)).ok());
    CHECK(store.last_time(2) == t0 + absl::Minutes(25));
  }
  SUBCASE("Forget empties a slot for a new user, on its own clock") {
    REQUIRE(store.Append(1, t0, ResourceVector::Filled(7)).ok());
    store.Forget(2);
    store.Forget(99);  // never written: nothing to do
    CHECK(store.size(2) == 0);
    CHECK(store.View(2, Resource::kCpu).size() == 0);
    CHECK(store.last_time(2) == absl::InfinitePast());
    REQUIRE(store.Append(2, t0, ResourceVector::Filled(8)).ok());  // before the old user's last
    CHECK(store.size(2) == 1);
    CHECK(store.View(2, Resource::kCpu).back() == 8);
    CHECK(store.View(1, Resource::kCpu).back() == 7);  // other slots untouched
    CHECK(store.slots() == 3);
  }
}

TEST_CASE("ValidateObservation names the bad user") {
  Observation obs;
  obs.host_capacity = {ResourceVector::Filled(10)};
  UserObservation u;
  u.user = UserId{5};
  u.usage = MakeResources(1, 1, 1, std::nan(""));
  obs.users.push_back(u);
  absl::Status s = ValidateObservation(obs);
  CHECK(absl::IsInvalidArgument(s));
  CHECK(std::string(s.message()).find("user#5") != std::string::npos);
  obs.users[0].usage = ResourceVector::Filled(1);
  CHECK(ValidateObservation(obs).ok());
  obs.users[0].host = 3;
  CHECK_FALSE(ValidateObservation(obs).ok());
}

}  // namespace foresight
