// -----------------------------------------------------------------------------
// File: pool_test_util.hpp
// -----------------------------------------------------------------------------
//
// Small helpers shared by the pool tests.
#ifndef FORESIGHT_TESTS_POOL_POOL_TEST_UTIL_HPP_
#define FORESIGHT_TESTS_POOL_POOL_TEST_UTIL_HPP_

#include "foresight/allocate/plan.hpp"

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

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTS_POOL_POOL_TEST_UTIL_HPP_
