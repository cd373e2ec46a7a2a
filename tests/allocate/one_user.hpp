// A single user on an effectively unlimited host: the fixture of the
// reactive-allocator tests (VpaStyle, HpaStyle).
#ifndef FORESIGHT_TESTS_ALLOCATE_ONE_USER_HPP_
#define FORESIGHT_TESTS_ALLOCATE_ONE_USER_HPP_

#include <vector>

#include "foresight/allocate/allocator.hpp"

namespace foresight::testing {

struct OneUser {
  std::vector<UserObservation> users{1};
  std::vector<Slot> slots{0};
  std::vector<CostTerms> costs{1};
  std::vector<ResourceVector> capacity{ResourceVector::Filled(1e15)};

  AllocationRequest Request(absl::Time now) {
    AllocationRequest r;
    r.now = now;
    r.users = users;
    r.slots = slots;
    r.costs = costs;
    r.host_capacity = capacity;
    return r;
  }
  // Applies the plan's resizes to the user's limits.
  void Apply(const AllocationPlan& plan) {
    for (const Move& m : plan.moves) users[0].allocation[m.resource] = m.to;
  }
};

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTS_ALLOCATE_ONE_USER_HPP_
