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
// `--policies` lists resolve through `Resolve`: "all" is every entry,
// "default" the foundation four (vpa, hpa, proactive, oracle).
//
// An entry may have knobs (`PolicyInfo::knobs` and `tune`): then
// "name[knob=value,...]" names the entry re-built with those values (the
// others at their defaults), e.g. "track+fleet+damped[fleet_level=0.95]", so a
// user can trace a policy's trade-off on their own trace. The variant's name
// is the text as written (whitespace stripped); unknown knobs and bad values
// are errors that name them.
//
// A *family* names many policies with one argument: "proactive(<method>)"
// replays any forecasting method of the forecaster registry, e.g.
// "proactive(ets)" or "proactive(conformal_ensemble[power=2])". Families
// register through `AddFamily`; "prefix(argument)[knob=value,...]" sets the
// family's knobs. A family's policy is built when a list names it and lives as
// long as the registry, like a tuned variant.
#ifndef FORESIGHT_SIM_POLICY_REGISTRY_HPP_
#define FORESIGHT_SIM_POLICY_REGISTRY_HPP_

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/sim/replay.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {

using PolicyRunner = std::function<absl::StatusOr<ReplayResult>(
    const Workload&, const ReplayOptions&, ReplayRecorder*)>;

// A tunable number of a policy, with the value its registered entry uses.
struct PolicyKnob {
  std::string name;
  double default_value = 0.0;
  std::string description;
};

// Builds the runner for one value per knob (in the knobs' order), or fails
// naming a value out of range.
using PolicyTuner = std::function<absl::StatusOr<PolicyRunner>(const std::vector<double>&)>;

struct PolicyInfo {
  std::string name;
  std::string description;
  PolicyRunner run;
  int order = 100;  // position in listings (lower first)
  // Knobs and the runner for chosen values (one per knob, in order); empty
  // for a policy without knobs. `tune` checks the values.
  std::vector<PolicyKnob> knobs;
  PolicyTuner tune;
};

// `tune` at the knobs' defaults: the runner a policy with knobs registers, so
// its plain name and "name[]" run one code path. Aborts if the defaults are
// rejected (a programming error in the registration).
PolicyRunner RunnerAtDefaults(const std::vector<PolicyKnob>& knobs, const PolicyTuner& tune);

// Builds the runner of "prefix(argument)" for one value per knob (in the
// knobs' order), or fails naming the argument or a value it refuses.
using PolicyFamilyMaker = std::function<absl::StatusOr<PolicyRunner>(
    std::string_view argument, const std::vector<double>& values)>;

struct PolicyFamily {
  std::string prefix;       // "proactive": the family's names are "proactive(...)"
  std::string argument;     // what the argument names, for listings ("<method>")
  std::string description;  // of the family
  std::vector<PolicyKnob> knobs;
  PolicyFamilyMaker make;
  int order = 100;
};

class PolicyRegistry {
 public:
  static PolicyRegistry& Global();
  void Add(PolicyInfo info);
  const PolicyInfo* Find(std::string_view name) const;
  // All entries, in `order` then name order.
  std::vector<const PolicyInfo*> All() const;
  // Fails with InvalidArgumentError for an empty prefix, one with '(' or '['
  // in it, or one already a family's.
  absl::Status AddFamily(PolicyFamily family);
  // All families, in `order` then prefix order.
  std::vector<const PolicyFamily*> Families() const;
  // Resolves a comma-separated list ("vpa,proactive", "all", "default",
  // "track+fleet+damped[fleet_level=0.95]"), failing with InvalidArgumentError
  // naming an unknown policy, knob or value. Tuned variants live as long as
  // the registry.
  absl::StatusOr<std::vector<const PolicyInfo*>> Resolve(std::string_view list) const;

 private:
  absl::StatusOr<const PolicyInfo*> Tuned(std::string_view name) const;
  // The family member `name` names, nullptr when it names no family.
  absl::StatusOr<const PolicyInfo*> FromFamily(std::string_view name) const;
  // Keeps `info` (unless one of its name is kept already) and returns it.
  const PolicyInfo* Keep(PolicyInfo info) const;

  std::vector<PolicyInfo> entries_;
  std::vector<PolicyFamily> families_;
  mutable std::mutex tuned_mutex_;
  mutable std::deque<PolicyInfo> tuned_;  // a deque: pointers stay valid
};

// The runner of a knob-tuned allocator: replays `A` set to `options` through
// `A::set_options`, or fails with its error (naming the field) when they are
// rejected, before anything is replayed.
template <typename A, typename Options>
absl::StatusOr<PolicyRunner> OptionsRunner(Options options) {
  if (absl::Status s = A().set_options(options); !s.ok()) return s;
  return PolicyRunner([options](const Workload& w, const ReplayOptions& o,
                                ReplayRecorder* rec) -> absl::StatusOr<ReplayResult> {
    A allocator;
    if (absl::Status s = allocator.set_options(options); !s.ok()) return s;
    return Replay(w, std::move(allocator), o, rec);
  });
}

struct PolicyRegistrar {
  PolicyRegistrar(std::string name, std::string description, PolicyRunner run, int order = 100,
                  std::vector<PolicyKnob> knobs = {}, PolicyTuner tune = nullptr) {
    PolicyRegistry::Global().Add({std::move(name), std::move(description), std::move(run), order,
                                  std::move(knobs), std::move(tune)});
  }
};

#define FORESIGHT_REGISTER_POLICY(ident, ...) \
  static const ::foresight::PolicyRegistrar ident(__VA_ARGS__)

// Registers a family at static-initialisation time; aborts on a bad or taken
// prefix (a programming error in the registration).
struct PolicyFamilyRegistrar {
  explicit PolicyFamilyRegistrar(PolicyFamily family);
};

#define FORESIGHT_REGISTER_POLICY_FAMILY(ident, ...) \
  static const ::foresight::PolicyFamilyRegistrar ident(__VA_ARGS__)

}  // namespace foresight

#endif  // FORESIGHT_SIM_POLICY_REGISTRY_HPP_
