#include "foresight/sim/policy_registry.hpp"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/ascii.h"
#include "foresight/core/absl_compat.hpp"

namespace foresight {

PolicyRegistry& PolicyRegistry::Global() {
  static PolicyRegistry* registry = new PolicyRegistry();
  return *registry;
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

absl::StatusOr<std::vector<const PolicyInfo*>> PolicyRegistry::Resolve(
    std::string_view list) const {
  std::vector<const PolicyInfo*> out;
  auto add = [&](const PolicyInfo* p) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  };
  while (!list.empty()) {
    // Split on commas outside parentheses, so "max(proactive,vpa)" is one name.
    std::size_t comma = 0;
    for (int depth = 0; comma < list.size(); ++comma) {
      if (list[comma] == '(') ++depth;
      if (list[comma] == ')') --depth;
      if (list[comma] == ',' && depth == 0) break;
    }
    std::string_view name = StdSv(absl::StripAsciiWhitespace(Sv(list.substr(0, comma))));
    list = comma >= list.size() ? std::string_view() : list.substr(comma + 1);
    if (name.empty()) continue;
    if (name == "all") {
      for (const PolicyInfo* p : All()) add(p);
    } else if (name == "default") {
      for (std::string_view n : {"vpa", "hpa", "proactive", "oracle"}) {
        if (const PolicyInfo* p = Find(n)) add(p);
      }
    } else if (const PolicyInfo* p = Find(name)) {
      add(p);
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
