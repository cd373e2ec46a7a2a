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

namespace {

std::string KnobList(const std::vector<PolicyKnob>& knobs) {
  std::vector<std::string> k;
  for (const PolicyKnob& knob : knobs)
    k.push_back(absl::StrCat(knob.name, "=", knob.default_value));
  return k.empty() ? std::string("none") : absl::StrJoin(k, ", ");
}

// One value per knob of `knobs` (their defaults, with the settings of
// `written`, "base[knob=value,...]", applied), or an error that starts with
// "policy '<name>'" and lists the knobs of `owner`.
absl::StatusOr<std::vector<double>> KnobValues(std::string_view name, std::string_view written,
                                               std::string_view owner,
                                               const std::vector<PolicyKnob>& knobs, bool tunable) {
  const absl::StatusOr<NamedKnobs> parsed = ParseNamedKnobs(written, "policy");
  if (!parsed.ok() || !tunable) {
    return absl::InvalidArgumentError(absl::StrCat("policy '", Sv(name),
                                                   "': write name[knob=value,...]; knobs of '",
                                                   Sv(owner), "': ", KnobList(knobs)));
  }
  std::vector<double> values;
  for (const PolicyKnob& knob : knobs) values.push_back(knob.default_value);
  for (const KnobSetting& setting : parsed->knobs) {
    auto it = std::find_if(knobs.begin(), knobs.end(),
                           [&](const PolicyKnob& k) { return k.name == setting.key; });
    if (it == knobs.end()) {
      return absl::InvalidArgumentError(absl::StrCat("policy '", Sv(name), "': unknown knob '",
                                                     setting.key, "' (knobs: ", KnobList(knobs),
                                                     ")"));
    }
    const absl::StatusOr<double> v = KnobValue(setting, absl::StrCat("policy '", Sv(name), "'"));
    if (!v.ok()) return v.status();
    values[static_cast<std::size_t>(it - knobs.begin())] = *v;
  }
  return values;
}

// A runner's error, prefixed with the policy's name.
absl::Status Named(std::string_view name, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat("policy '", Sv(name), "': ", s.message()));
}

}  // namespace

const PolicyInfo* PolicyRegistry::Keep(PolicyInfo info) const {
  std::lock_guard<std::mutex> lock(tuned_mutex_);
  for (const PolicyInfo& p : tuned_) {
    if (p.name == info.name) return &p;
  }
  tuned_.push_back(std::move(info));
  return &tuned_.back();
}

absl::StatusOr<const PolicyInfo*> PolicyRegistry::Tuned(std::string_view name) const {
  const std::size_t open = name.find('[');
  const std::string_view base_name = StdSv(absl::StripAsciiWhitespace(Sv(name.substr(0, open))));
  const PolicyInfo* base = Find(base_name);
  if (base == nullptr) return nullptr;  // the caller names the unknown policy
  absl::StatusOr<std::vector<double>> values =
      KnobValues(name, name, base_name, base->knobs, static_cast<bool>(base->tune));
  if (!values.ok()) return values.status();
  absl::StatusOr<PolicyRunner> run = base->tune(*values);
  if (!run.ok()) return Named(name, run.status());
  PolicyInfo info;
  info.name = std::string(name);
  info.description = absl::StrCat(base->description, " (tuned)");
  info.run = *std::move(run);
  info.order = base->order;
  return Keep(std::move(info));
}

absl::Status PolicyRegistry::AddFamily(PolicyFamily family) {
  if (family.prefix.empty() || family.prefix.find_first_of("()[],") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("policy family prefix '", family.prefix,
                                                   "' must be non-empty, without ( ) [ ] or ,"));
  }
  for (const PolicyFamily& f : families_) {
    if (f.prefix == family.prefix) {
      return absl::AlreadyExistsError(
          absl::StrCat("policy family '", family.prefix, "' is registered already"));
    }
  }
  if (!family.make) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy family '", family.prefix, "' has no maker"));
  }
  families_.push_back(std::move(family));
  return absl::OkStatus();
}

std::vector<const PolicyFamily*> PolicyRegistry::Families() const {
  std::vector<const PolicyFamily*> out;
  for (const PolicyFamily& f : families_) out.push_back(&f);
  std::sort(out.begin(), out.end(), [](const PolicyFamily* a, const PolicyFamily* b) {
    return a->order != b->order ? a->order < b->order : a->prefix < b->prefix;
  });
  return out;
}

absl::StatusOr<const PolicyInfo*> PolicyRegistry::FromFamily(std::string_view name) const {
  const std::size_t open = name.find('(');
  if (open == std::string_view::npos) return nullptr;
  const std::string_view prefix = StdSv(absl::StripAsciiWhitespace(Sv(name.substr(0, open))));
  const PolicyFamily* family = nullptr;
  for (const PolicyFamily& f : families_) {
    if (f.prefix == prefix) family = &f;
  }
  if (family == nullptr) return nullptr;
  // The ')' that closes the first '(' (the argument may hold its own brackets).
  std::size_t close = open;
  for (int depth = 0; close < name.size(); ++close) {
    if (name[close] == '(' || name[close] == '[') ++depth;
    if (name[close] == ')' || name[close] == ']') --depth;
    if (depth == 0) break;
  }
  if (close >= name.size() || name[close] != ')') {
    return absl::InvalidArgumentError(absl::StrCat("policy '", Sv(name), "': write ",
                                                   family->prefix, "(", family->argument,
                                                   ") with one closing ')'"));
  }
  const std::string_view argument =
      StdSv(absl::StripAsciiWhitespace(Sv(name.substr(open + 1, close - open - 1))));
  if (argument.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("policy '", Sv(name), "': name the ",
                                                   family->argument, " inside ", family->prefix,
                                                   "(...)"));
  }
  const std::string_view rest = StdSv(absl::StripAsciiWhitespace(Sv(name.substr(close + 1))));
  if (!rest.empty() && rest.front() != '[') {
    return absl::InvalidArgumentError(absl::StrCat("policy '", Sv(name), "': unexpected '",
                                                   Sv(rest), "' after ", family->prefix, "(",
                                                   Sv(argument), ")"));
  }
  const std::string written = absl::StrCat(family->prefix, Sv(rest));
  absl::StatusOr<std::vector<double>> values =
      KnobValues(name, written, family->prefix, family->knobs, true);
  if (!values.ok()) return values.status();
  absl::StatusOr<PolicyRunner> run = family->make(argument, *values);
  if (!run.ok()) return Named(name, run.status());
  PolicyInfo info;
  info.name = std::string(name);
  info.description =
      absl::StrCat(family->description, " (", family->argument, " = ", Sv(argument), ")");
  info.run = *std::move(run);
  info.order = family->order;
  return Keep(std::move(info));
}

PolicyFamilyRegistrar::PolicyFamilyRegistrar(PolicyFamily family) {
  if (absl::Status s = PolicyRegistry::Global().AddFamily(std::move(family)); !s.ok()) {
    std::fprintf(stderr, "foresight: %s\n", s.ToString().c_str());
    std::abort();
  }
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
    } else if (absl::StatusOr<const PolicyInfo*> member = FromFamily(name); !member.ok()) {
      return member.status();
    } else if (*member != nullptr) {
      add(*member);
    } else if (name.find('[') != std::string_view::npos) {
      absl::StatusOr<const PolicyInfo*> tuned = Tuned(name);
      if (!tuned.ok()) return tuned.status();
      if (*tuned == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown policy '", Sv(name.substr(0, name.find('['))), "' in '", Sv(name), "'"));
      }
      add(*tuned);
    } else {
      std::vector<std::string> names;
      for (const PolicyInfo* q : All()) names.push_back(q->name);
      for (const PolicyFamily* f : Families()) {
        names.push_back(absl::StrCat(f->prefix, "(", f->argument, ")"));
      }
      return absl::InvalidArgumentError(absl::StrCat("unknown policy '", Sv(name),
                                                     "' (known: ", absl::StrJoin(names, ", "),
                                                     ", all, default)"));
    }
  }
  if (out.empty()) return absl::InvalidArgumentError("no policy named");
  return out;
}

}  // namespace foresight
