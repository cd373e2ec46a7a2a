// Fuzz target: the policy-list parser behind every `--policies` flag and the
// Python `policies=` argument (`PolicyRegistry::Resolve`, sim/policy_registry.hpp):
// comma-separated names, "all", "default", "max(a,b)" names and knob-tuned
// variants such as "track+fleet+damped[fleet_level=0.95,cpu_level=0.85]".
//
// Input: the list text.
//
// Invariants checked beyond "no crash, no leak, no undefined behaviour":
//  - a refusal is InvalidArgument with a message;
//  - a resolved list is non-empty, has no policy twice, and every entry has a
//    name and a runner;
//  - resolving the same text again gives the same entries (tuned variants are
//    kept, not rebuilt), and each entry's own name resolves to itself.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "foresight/sim/policy_registry.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Long lists only repeat what short ones exercise, and every tuned variant
  // resolved stays in the registry for the process's life.
  if (size > 512) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const foresight::PolicyRegistry& registry = foresight::PolicyRegistry::Global();
  absl::StatusOr<std::vector<const foresight::PolicyInfo*>> list = registry.Resolve(text);
  if (!list.ok()) {
    FUZZ_CHECK(list.status().code() == absl::StatusCode::kInvalidArgument &&
                   !list.status().message().empty(),
               "not an input error: %s", list.status().ToString().c_str());
    return 0;
  }
  FUZZ_CHECK(!list->empty(), "'%s' resolved to no policy", std::string(text).c_str());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const foresight::PolicyInfo* p = (*list)[i];
    FUZZ_CHECK(p != nullptr && !p->name.empty() && p->run, "entry %zu of '%s' is empty", i,
               std::string(text).c_str());
    FUZZ_CHECK(std::count(list->begin(), list->end(), p) == 1, "'%s' lists '%s' twice",
               std::string(text).c_str(), p->name.c_str());
    absl::StatusOr<std::vector<const foresight::PolicyInfo*>> alone = registry.Resolve(p->name);
    FUZZ_CHECK(alone.ok() && alone->size() == 1 && (*alone)[0] == p,
               "'%s' does not resolve to itself", p->name.c_str());
  }
  absl::StatusOr<std::vector<const foresight::PolicyInfo*>> again = registry.Resolve(text);
  FUZZ_CHECK(again.ok() && *again == *list, "'%s' resolved differently twice",
             std::string(text).c_str());
  return 0;
}
