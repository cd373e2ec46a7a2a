// -----------------------------------------------------------------------------
// File: units.hpp
// -----------------------------------------------------------------------------
//
// Parsing and printing of resource quantities at the boundaries (flags, files,
// adapters), in Kubernetes' quantity notation:
//
//   ParseQuantity("500m", Resource::kCpu)      -> 0.5      (cores)
//   ParseQuantity("2Gi", Resource::kMemory)    -> 2147483648 (bytes)
//   ParseQuantity("1.5G", Resource::kMemory)   -> 1.5e9
//   ParseQuantity("100Mi", Resource::kNet)     -> 104857600 (bytes/s)
//   FormatQuantity(0.25, Resource::kCpu)       -> "250m"
//   FormatQuantity(3 << 30, Resource::kMemory) -> "3Gi"
//   ParseSpan("1.5d", "--warmup")              -> absl::Hours(36)
//
// Suffixes: m (milli), k/K, M, G, T, P, E (powers of 1000), Ki, Mi, Gi, Ti, Pi, Ei
// (powers of 1024). A bare number is in the resource's unit. Inside the library
// every amount is a plain `double` in that unit. Quantities that are negative,
// not finite or that overflow once scaled ("1e300Ei") are refused.
#ifndef FORESIGHT_CORE_UNITS_HPP_
#define FORESIGHT_CORE_UNITS_HPP_

#include <cmath>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"

namespace foresight {

inline absl::StatusOr<double> ParseQuantity(std::string_view text, Resource resource) {
  static constexpr std::pair<std::string_view, double> kSuffixes[] = {
      {"Ki", 1024.0},
      {"Mi", 1024.0 * 1024},
      {"Gi", 1024.0 * 1024 * 1024},
      {"Ti", 1024.0 * 1024 * 1024 * 1024},
      {"Pi", 1024.0 * 1024 * 1024 * 1024 * 1024},
      {"Ei", 1024.0 * 1024 * 1024 * 1024 * 1024 * 1024},
      {"m", 1e-3},
      {"k", 1e3},
      {"K", 1e3},
      {"M", 1e6},
      {"G", 1e9},
      {"T", 1e12},
      {"P", 1e15},
      {"E", 1e18},
  };
  std::string_view number = text;
  double scale = 1.0;
  for (const auto& [suffix, factor] : kSuffixes) {
    if (number.size() > suffix.size() && number.ends_with(suffix)) {
      number.remove_suffix(suffix.size());
      scale = factor;
      break;
    }
  }
  double value = 0.0;
  if (number.empty() || !absl::SimpleAtod(std::string(number), &value) || !std::isfinite(value)) {
    return absl::InvalidArgumentError(absl::StrCat("malformed ", Sv(ResourceName(resource)),
                                                   " quantity '", std::string(text), "'"));
  }
  value *= scale;
  if (!std::isfinite(value)) {  // "1e300Ei" overflows
    return absl::InvalidArgumentError(absl::StrCat(Sv(ResourceName(resource)), " quantity '",
                                                   std::string(text), "' is too large"));
  }
  if (value < 0.0) {
    return absl::InvalidArgumentError(absl::StrCat("negative ", Sv(ResourceName(resource)),
                                                   " quantity '", std::string(text), "'"));
  }
  return value;
}

// Short human form: cpu in cores or millicores, the others with binary suffixes.
inline std::string FormatQuantity(double value, Resource resource) {
  if (!std::isfinite(value)) return absl::StrCat(value);
  if (resource == Resource::kCpu) {
    if (value != 0.0 && std::abs(value) < 1.0) return absl::StrFormat("%.0fm", value * 1e3);
    return absl::StrFormat("%.3g", value);
  }
  static constexpr std::string_view kUnits[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
  int unit = 0;
  double v = value;
  while (std::abs(v) >= 1024.0 && unit < 5) {
    v /= 1024.0;
    ++unit;
  }
  return absl::StrFormat("%.3g%s", v, std::string(kUnits[unit]));
}

// Parses "cpu=4,memory=16Gi,io=200Mi,net=1G" into a vector; omitted kinds take
// `defaults`. Used by --host-capacity style flags.
inline absl::StatusOr<ResourceVector> ParseResourceList(std::string_view text,
                                                        ResourceVector defaults = {}) {
  ResourceVector out = defaults;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected kind=quantity in '", std::string(item), "'"));
    }
    absl::StatusOr<Resource> r = ParseResource(item.substr(0, eq));
    if (!r.ok()) return r.status();
    absl::StatusOr<double> q = ParseQuantity(item.substr(eq + 1), *r);
    if (!q.ok()) return q.status();
    out[*r] = *q;
  }
  return out;
}

// Parses a span of time: absl's durations ("300s", "5m", "1.5h", "90m30s")
// plus days and weeks ("1d", "0.5d", "2w"). Negative and infinite spans are
// refused ("-5m", "inf", "1e30d", which overflows), since no flag that takes a
// span means either; errors name `what` (a flag or parameter name). Used by
// --step, --warmup, --dwell and --mean-lifetime.
inline absl::StatusOr<absl::Duration> ParseSpan(std::string_view text, std::string_view what) {
  const std::string s(text);
  absl::Duration d;
  bool parsed = absl::ParseDuration(s, &d);
  if (!parsed && s.size() > 1 && (s.back() == 'd' || s.back() == 'w')) {
    double n = 0;
    if (absl::SimpleAtod(s.substr(0, s.size() - 1), &n) && !std::isnan(n)) {
      d = absl::Hours(24) * n * (s.back() == 'w' ? 7 : 1);
      parsed = true;
    }
  }
  if (!parsed) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(what), ": '", s, "' is not a duration (e.g. 300s, 5m, 1h, 1d)"));
  }
  if (d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": '", s, "' is negative"));
  }
  if (d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(what), ": '", s, "' is infinite or too long to represent"));
  }
  return d;
}

}  // namespace foresight

#endif  // FORESIGHT_CORE_UNITS_HPP_
