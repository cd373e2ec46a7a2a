// -----------------------------------------------------------------------------
// File: policy_registry.hpp
// -----------------------------------------------------------------------------
//
// The one place where runtime names ("vpa", "proactive", ...) map onto the
// static policy templates, for the CLI and the Python module. Each entry
// replays a workload with one allocator (see `Replay`). Entries register
// themselves from src/sim/policies_*.cpp:
//
//   FORESIGHT_REGISTER_POLICY(kVpa, "vpa", "Kubernetes VPA recommender (reactive)",
//       [](const Workload& w, const ReplayOptions& o, ReplayRecorder* rec) {
//         return Replay(w, VpaStyle{}, o, rec);
//       });
//
// `--policies` lists resolve through `ResolvePolicies`: "all" is every entry,
// "default" the foundation four (vpa, hpa, proactive, oracle).
#ifndef FORESIGHT_SIM_POLICY_REGISTRY_HPP_
#define FORESIGHT_SIM_POLICY_REGISTRY_HPP_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/sim/replay.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {

using PolicyRunner = std::function<absl::StatusOr<ReplayResult>(
    const Workload&, const ReplayOptions&, ReplayRecorder*)>;

struct PolicyInfo {
  std::string name;
  std::string description;
  PolicyRunner run;
  int order = 100;  // position in listings (lower first)
};

class PolicyRegistry {
 public:
  static PolicyRegistry& Global();
  void Add(PolicyInfo info);
  const PolicyInfo* Find(std::string_view name) const;
  // All entries, in `order` then name order.
  std::vector<const PolicyInfo*> All() const;
  // Resolves a comma-separated list ("vpa,proactive", "all", "default"),
  // failing with InvalidArgumentError naming an unknown policy.
  absl::StatusOr<std::vector<const PolicyInfo*>> Resolve(std::string_view list) const;

 private:
  std::vector<PolicyInfo> entries_;
};

struct PolicyRegistrar {
  PolicyRegistrar(std::string name, std::string description, PolicyRunner run, int order = 100) {
    PolicyRegistry::Global().Add({std::move(name), std::move(description), std::move(run), order});
  }
};

#define FORESIGHT_REGISTER_POLICY(ident, ...) \
  static const ::foresight::PolicyRegistrar ident(__VA_ARGS__)

}  // namespace foresight

#endif  // FORESIGHT_SIM_POLICY_REGISTRY_HPP_
