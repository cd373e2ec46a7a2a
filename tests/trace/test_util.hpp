// Shared helpers of the trace tests.
#ifndef FORESIGHT_TESTS_TRACE_TEST_UTIL_HPP_
#define FORESIGHT_TESTS_TRACE_TEST_UTIL_HPP_

#include <unistd.h>

#include <cmath>
#include <string>

#include "foresight/sim/workload.hpp"

namespace foresight::testing {

// A per-process scratch path under /tmp, so concurrent test runs do not collide.
inline std::string TempPath(const std::string& name) {
  return "/tmp/foresight_" + std::to_string(getpid()) + "_" + name;
}

inline std::string TraceData(const std::string& rel) {
  return std::string(FORESIGHT_TEST_DATA_DIR) + "/trace/" + rel;
}

// Index of the user named `name`, or num_users() when absent.
inline std::size_t UserIndex(const Workload& w, const std::string& name) {
  for (std::size_t u = 0; u < w.num_users(); ++u) {
    if (w.users[u].name == name) return u;
  }
  return w.num_users();
}

// Step index of time `t` in `w`.
inline std::size_t StepOf(const Workload& w, absl::Time t) {
  return static_cast<std::size_t>((t - w.start) / w.step);
}

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTS_TRACE_TEST_UTIL_HPP_
