// The slow sim tests replay shipped policies through the policy registry, so
// that what they measure is what `foresight simulate` / `evaluate` run.
#ifndef FORESIGHT_TESTS_SIM_SLOW_REGISTERED_HPP_
#define FORESIGHT_TESTS_SIM_SLOW_REGISTERED_HPP_

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "foresight/sim/policy_registry.hpp"
#include "foresight/sim/replay.hpp"

namespace foresight::testing {

// The registered policy `name` replayed on `w`: its metrics.
inline PolicyMetrics RunRegistered(std::string_view name, const Workload& w,
                                   const ReplayOptions& o) {
  const PolicyInfo* policy = PolicyRegistry::Global().Find(name);
  REQUIRE_MESSAGE(policy != nullptr, "no policy named ", std::string(name));
  absl::StatusOr<ReplayResult> r = policy->run(w, o, nullptr);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return r->metrics;
}

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTS_SIM_SLOW_REGISTERED_HPP_
