#include "foresight/sim/policy_registry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/core/named_knobs.hpp"

namespace foresight {

PolicyRegistry& PolicyRegistry::Global() {
  static PolicyRegistry* registry = new PolicyRegistry();
  return *registry;
}

PolicyRunner RunnerAtDefaults(const std::vector<PolicyKnob>& knobs, const PolicyTuner& tune) {
  std::vector<double> defaults;
  for (const PolicyKnob& k : knobs) defaults.push_back(k.default_value);
  absl::StatusOr<PolicyRunner> run = tune(defaults);
  if (!run.ok()) {
    std::fprintf(stderr, "foresight: a policy's knob defaults are rejected: %s\n",
                 run.status().ToString().c_str());
    std::abort();
  }
  return *std::move(run);
}

void PolicyRegistry::Add(PolicyInfo info) { entries_.push_back(std::move(info)); }

const PolicyInfo* PolicyRegistry::Find(std::string_view name) const {
  for (const PolicyInfo& p : entries_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<const PolicyInfo*> PolicyRegistry::All() const {
  std::vector<const PolicyInfo*> out;
  for (const PolicyInfo& p : entries_) out.push_back(&p);
  std::sort(out.begin(), out.end(), [](const PolicyInfo* a, const PolicyInfo* b) {
    return a->order != b->order ? a->order < b->order : a->name < b->name;
  });
  return out;
}

absl::StatusOr<const PolicyInfo*> PolicyRegistry::Tuned(std::string_view name) const {
  const std::size_t open = name.find('[');
  const std::string_view base_name = StdSv(absl::StripAsciiWhitespace(Sv(name.substr(0, open))));
  const PolicyInfo* base = Find(base_name);
  if (base == nullptr) return nullptr;  // the caller names the unknown policy
  auto knob_list = [&] {
    std::vector<std::string> k;
    for (const PolicyKnob& knob : base->knobs) {
      k.push_back(absl::StrCat(knob.name, "=", knob.default_value));
    }
    return k.empty() ? std::string("none") : absl::StrJoin(k, ", ");
  };
  const absl::StatusOr<NamedKnobs> parsed = ParseNamedKnobs(name, "policy");
  if (!parsed.ok() || !base->tune) {
    return absl::InvalidArgumentError(absl::StrCat(
        "policy '", Sv(name), "': write name[knob=value,...]; knobs of '", Sv(base_name), "': ",
        knob_list()));
  }
  std::vector<double> values;
  for (const PolicyKnob& knob : base->knobs) values.push_back(knob.default_value);
  for (const KnobSetting& setting : parsed->knobs) {
    auto it = std::find_if(base->knobs.begin(), base->knobs.end(),
                           [&](const PolicyKnob& k) { return k.name == setting.key; });
    if (it == base->knobs.end()) {
      return absl::InvalidArgumentError(absl::StrCat("policy '", Sv(name), "': unknown knob '",
                                                     setting.key, "' (knobs: ", knob_list(), ")"));
    }
    const absl::StatusOr<double> v = KnobValue(setting, absl::StrCat("policy '", Sv(name), "'"));
    if (!v.ok()) return v.status();
    values[static_cast<std::size_t>(it - base->knobs.begin())] = *v;
  }
  absl::StatusOr<PolicyRunner> run = base->tune(values);
  if (!run.ok()) {
    return absl::Status(run.status().code(),
                        absl::StrCat("policy '", Sv(name), "': ", run.status().message()));
  }
  std::lock_guard<std::mutex> lock(tuned_mutex_);
  for (const PolicyInfo& p : tuned_) {
    if (p.name == name) return &p;
  }
  PolicyInfo info;
  info.name = std::string(name);
  info.description = absl::StrCat(base->description, " (tuned)");
  info.run = *std::move(run);
  info.order = base->order;
  tuned_.push_back(std::move(info));
  return &tuned_.back();
}

absl::StatusOr<std::vector<const PolicyInfo*>> PolicyRegistry::Resolve(
    std::string_view list) const {
  std::vector<const PolicyInfo*> out;
  auto add = [&](const PolicyInfo* p) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  };
  // Commas inside parentheses and brackets do not split: "max(proactive,vpa)"
  // and "track+fleet+damped[fleet_level=0.95,cpu_level=0.85]" are one name.
  for (const std::string_view name : SplitNames(list)) {
    if (name == "all") {
      for (const PolicyInfo* p : All()) add(p);
    } else if (name == "default") {
      for (std::string_view n : {"vpa", "hpa", "proactive", "oracle"}) {
        if (const PolicyInfo* p = Find(n)) add(p);
      }
    } else if (const PolicyInfo* p = Find(name)) {
      add(p);
    } else if (name.find('[') != std::string_view::npos) {
      absl::StatusOr<const PolicyInfo*> tuned = Tuned(name);
      if (!tuned.ok()) return tuned.status();
      if (*tuned == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown policy '", Sv(name.substr(0, name.find('['))), "' in '",
                         Sv(name), "'"));
      }
      add(*tuned);
    } else {
      std::vector<std::string> names;
      for (const PolicyInfo* q : All()) names.push_back(q->name);
      return absl::InvalidArgumentError(absl::StrCat("unknown policy '", Sv(name),
                                                     "' (known: ", absl::StrJoin(names, ", "),
                                                     ", all, default)"));
    }
  }
  if (out.empty()) return absl::InvalidArgumentError("no policy named");
  return out;
}

}  // namespace foresight
