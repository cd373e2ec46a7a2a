// -----------------------------------------------------------------------------
// File: named_knobs.hpp
// -----------------------------------------------------------------------------
//
// The run-time name syntax shared by the policy registry (`--policies`) and the
// forecaster registry (`--method`):
//
//   SplitNames("vpa,max(proactive,vpa),ensemble[horizon=24,power=1]")
//     -> {"vpa", "max(proactive,vpa)", "ensemble[horizon=24,power=1]"}
//
// splits a list on the commas outside parentheses and brackets (whitespace
// around names stripped, empty names dropped), and
//
//   ParseNamedKnobs("ensemble[horizon=24, power=1]")
//     -> {.base = "ensemble", .bracketed = true, .knobs = {{"horizon", "24"}, {"power", "1"}}}
//
// takes a name apart into its base and its knob settings, as written (the
// caller checks the keys against its knobs and reads values with `KnobValue`).
#ifndef FORESIGHT_CORE_NAMED_KNOBS_HPP_
#define FORESIGHT_CORE_NAMED_KNOBS_HPP_

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "foresight/core/absl_compat.hpp"

namespace foresight {

inline std::vector<std::string_view> SplitNames(std::string_view list) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    std::size_t comma = 0;
    for (int depth = 0; comma < list.size(); ++comma) {
      if (list[comma] == '(' || list[comma] == '[') ++depth;
      if (list[comma] == ')' || list[comma] == ']') --depth;
      if (list[comma] == ',' && depth == 0) break;
    }
    const std::string_view name = StdSv(absl::StripAsciiWhitespace(Sv(list.substr(0, comma))));
    list = comma >= list.size() ? std::string_view() : list.substr(comma + 1);
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

struct KnobSetting {
  std::string key;
  std::string text;  // the value as written, whitespace stripped ("" when no '=')
};

struct NamedKnobs {
  std::string_view base;   // the name before '[', whitespace stripped
  bool bracketed = false;  // the name has a "[...]" part
  std::vector<KnobSetting> knobs;
};

// `what` ("policy", "method") starts the error for a '[' without a closing
// ']' at the end.
inline absl::StatusOr<NamedKnobs> ParseNamedKnobs(std::string_view name, std::string_view what) {
  NamedKnobs out;
  const std::size_t open = name.find('[');
  out.base = StdSv(absl::StripAsciiWhitespace(Sv(name.substr(0, open))));
  if (open == std::string_view::npos) return out;
  out.bracketed = true;
  if (name.back() != ']') {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(what), " '", Sv(name), "': write name[knob=value,...]"));
  }
  const std::string_view body = name.substr(open + 1, name.size() - open - 2);
  for (absl::string_view piece : absl::StrSplit(Sv(body), ',', absl::SkipWhitespace())) {
    const std::string_view item = StdSv(piece);
    const std::size_t eq = item.find('=');
    KnobSetting k;
    k.key = std::string(absl::StripAsciiWhitespace(Sv(item.substr(0, std::min(eq, item.size())))));
    if (eq != std::string_view::npos) {
      k.text = std::string(absl::StripAsciiWhitespace(Sv(item.substr(eq + 1))));
    }
    if (k.key.empty() && k.text.empty()) continue;
    out.knobs.push_back(std::move(k));
  }
  return out;
}

// The finite number `k.text` holds, or an error naming `what` ("policy
// 'vpa[...]'") and the knob.
inline absl::StatusOr<double> KnobValue(const KnobSetting& k, std::string_view what) {
  double v = 0.0;
  if (!absl::SimpleAtod(k.text, &v) || !std::isfinite(v)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(what), ": knob '", k.key, "' needs a number, got '", k.text, "'"));
  }
  return v;
}

}  // namespace foresight

#endif  // FORESIGHT_CORE_NAMED_KNOBS_HPP_
