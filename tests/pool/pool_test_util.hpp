// -----------------------------------------------------------------------------
// File: pool_test_util.hpp
// -----------------------------------------------------------------------------
//
// Small helpers shared by the pool tests.
#ifndef FORESIGHT_TESTS_POOL_POOL_TEST_UTIL_HPP_
#define FORESIGHT_TESTS_POOL_POOL_TEST_UTIL_HPP_

#include <doctest/doctest.h>

#include "absl/time/time.h"
#include "foresight/allocate/plan.hpp"
#include "foresight/telemetry/observation.hpp"

namespace foresight::testing {

// A resize move of `user`'s `r` limit from `from` to `to`.
inline Move Resize(UserId user, Resource r, double from, double to) {
  Move m;
  m.user = user;
  m.resource = r;
  m.from = from;
  m.to = to;
  return m;
}

// Checks that `pool`'s next observation reports `removed` (its only user, just
// removed) once, flagged deleted with zero limits, and the one after never.
template <typename PoolT>
void CheckReportsRemovedOnce(PoolT& pool, UserId removed) {
  Observation obs;
  const absl::Time t = absl::FromUnixSeconds(1700000000);
  REQUIRE(pool.Observe(t, obs).ok());
  REQUIRE(obs.users.size() == 1);
  CHECK(obs.users[0].user == removed);
  CHECK(obs.users[0].events == (kEventDeleted | kEventNoSample));
  CHECK(obs.users[0].allocation == ResourceVector{});
  REQUIRE(pool.Observe(t + absl::Seconds(10), obs).ok());
  CHECK(obs.users.empty());
}

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTS_POOL_POOL_TEST_UTIL_HPP_
