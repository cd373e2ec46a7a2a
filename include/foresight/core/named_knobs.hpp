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
//
// `OptionKnob<Options>` ties a knob to a numeric member of an options struct
// with the range it must lie in; `SetOptionKnob` checks a value against it and
// stores it, so a table of them is all a factory needs:
//
//   constexpr OptionKnob<HoltWintersOptions> kAlpha{
//       "alpha", "level smoothing", 0, 1, &HoltWintersOptions::alpha};
//   absl::Status s = SetOptionKnob(kAlpha, 1.5, o);  // "alpha must be in [0, 1], got 1.5"
#ifndef FORESIGHT_CORE_NAMED_KNOBS_HPP_
#define FORESIGHT_CORE_NAMED_KNOBS_HPP_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
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

// A knob that sets one member of `Options`: a double takes any number in the
// range, an int or a uint64 a whole number in it, a bool 0 or 1 (its range is
// ignored).
// `lo_open` excludes `lo` itself; an infinite `hi` leaves the top open.
template <typename Options>
struct OptionKnob {
  std::string_view name;
  std::string_view description;
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  std::variant<double Options::*, int Options::*, std::uint64_t Options::*, bool Options::*>
      member = {};
  bool lo_open = false;
};

// "in [0, 1]", "a whole number in [1, 256]", "> 0", "0 or 1": what `k` takes.
template <typename Options>
std::string OptionKnobRange(const OptionKnob<Options>& k) {
  if (std::holds_alternative<bool Options::*>(k.member)) return "0 or 1";
  const bool whole = !std::holds_alternative<double Options::*>(k.member);
  // Whole bounds in full ("1000000", not StrCat's "1e+06").
  const auto bound = [](double b) {
    return b == std::floor(b) && std::abs(b) < 1e18 ? absl::StrCat(static_cast<long long>(b))
                                                    : absl::StrCat(b);
  };
  std::string out = whole ? "a whole number " : "";
  if (std::isinf(k.hi)) return absl::StrCat(out, k.lo_open ? "> " : ">= ", bound(k.lo));
  return absl::StrCat(out, "in ", k.lo_open ? "(" : "[", bound(k.lo), ", ", bound(k.hi), "]");
}

// Stores `v` in `k`'s member of `o`, or fails naming the knob, its range and
// `v` (and leaves `o` as it was).
template <typename Options>
absl::Status SetOptionKnob(const OptionKnob<Options>& k, double v, Options& o) {
  const bool is_bool = std::holds_alternative<bool Options::*>(k.member);
  const bool whole = !std::holds_alternative<double Options::*>(k.member);
  const bool in_range = is_bool ? (v == 0.0 || v == 1.0)
                                : (std::isfinite(v) && (k.lo_open ? v > k.lo : v >= k.lo) &&
                                   v <= k.hi && (!whole || v == std::floor(v)));
  if (!in_range) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(k.name), " must be ", OptionKnobRange(k), ", got ", v));
  }
  std::visit(
      [&](auto member) {
        using Field = std::remove_reference_t<decltype(o.*member)>;
        o.*member = static_cast<Field>(v);
      },
      k.member);
  return absl::OkStatus();
}

}  // namespace foresight

#endif  // FORESIGHT_CORE_NAMED_KNOBS_HPP_
