// -----------------------------------------------------------------------------
// File: resources.hpp
// -----------------------------------------------------------------------------
//
// The four resource kinds foresight allocates and a small fixed-size vector over
// them. Units are fixed per kind and never mixed:
//
//   cpu     cores (1.0 = one core; Kubernetes "500m" = 0.5)
//   memory  bytes
//   io      bytes per second (block IO bandwidth)
//   net     bytes per second (network bandwidth)
//
// `PerResource<T>` is an aggregate of four `T`s indexed by `Resource`;
// `ResourceVector` is `PerResource<double>` with element-wise arithmetic.
#ifndef FORESIGHT_CORE_RESOURCES_HPP_
#define FORESIGHT_CORE_RESOURCES_HPP_

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"

namespace foresight {

enum class Resource : std::uint8_t { kCpu = 0, kMemory = 1, kIo = 2, kNet = 3 };

inline constexpr std::size_t kNumResources = 4;
inline constexpr std::array<Resource, kNumResources> kAllResources = {
    Resource::kCpu, Resource::kMemory, Resource::kIo, Resource::kNet};

constexpr std::size_t Index(Resource r) { return static_cast<std::size_t>(r); }

// Short lower-case name used in flags, JSON keys and CSV files: "cpu", "memory", "io", "net".
constexpr std::string_view ResourceName(Resource r) {
  constexpr std::array<std::string_view, kNumResources> kNames = {"cpu", "memory", "io", "net"};
  return kNames[Index(r)];
}

// The unit a value of this resource is expressed in.
constexpr std::string_view ResourceUnit(Resource r) {
  constexpr std::array<std::string_view, kNumResources> kUnits = {"cores", "bytes", "bytes/s",
                                                                   "bytes/s"};
  return kUnits[Index(r)];
}

// Parses "cpu", "memory" (or "mem"), "io" (or "disk"), "net" (or "network").
inline absl::StatusOr<Resource> ParseResource(std::string_view name) {
  if (name == "cpu") return Resource::kCpu;
  if (name == "memory" || name == "mem") return Resource::kMemory;
  if (name == "io" || name == "disk") return Resource::kIo;
  if (name == "net" || name == "network") return Resource::kNet;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown resource '", std::string(name), "' (expected cpu, memory, io or net)"));
}

// Four values of `T`, one per resource kind.
template <typename T>
struct PerResource {
  std::array<T, kNumResources> values{};

  constexpr T& operator[](Resource r) { return values[Index(r)]; }
  constexpr const T& operator[](Resource r) const { return values[Index(r)]; }
  constexpr T& cpu() { return values[0]; }
  constexpr T& memory() { return values[1]; }
  constexpr T& io() { return values[2]; }
  constexpr T& net() { return values[3]; }
  constexpr const T& cpu() const { return values[0]; }
  constexpr const T& memory() const { return values[1]; }
  constexpr const T& io() const { return values[2]; }
  constexpr const T& net() const { return values[3]; }

  static constexpr PerResource Filled(const T& v) {
    PerResource out;
    out.values.fill(v);
    return out;
  }

  friend constexpr bool operator==(const PerResource&, const PerResource&) = default;
};

// Element-wise arithmetic over `PerResource<double>`.
using ResourceVector = PerResource<double>;

inline constexpr ResourceVector MakeResources(double cpu, double memory, double io, double net) {
  return ResourceVector{{cpu, memory, io, net}};
}

#define FORESIGHT_RV_BINARY_OP(op)                                              \
  inline constexpr ResourceVector operator op(ResourceVector a, const ResourceVector& b) { \
    for (std::size_t i = 0; i < kNumResources; ++i) a.values[i] = a.values[i] op b.values[i]; \
    return a;                                                                   \
  }                                                                             \
  inline constexpr ResourceVector operator op(ResourceVector a, double s) {     \
    for (auto& v : a.values) v = v op s;                                        \
    return a;                                                                   \
  }
FORESIGHT_RV_BINARY_OP(+)
FORESIGHT_RV_BINARY_OP(-)
FORESIGHT_RV_BINARY_OP(*)
FORESIGHT_RV_BINARY_OP(/)
#undef FORESIGHT_RV_BINARY_OP

inline constexpr ResourceVector& operator+=(ResourceVector& a, const ResourceVector& b) {
  return a = a + b;
}
inline constexpr ResourceVector& operator-=(ResourceVector& a, const ResourceVector& b) {
  return a = a - b;
}

inline constexpr ResourceVector Max(ResourceVector a, const ResourceVector& b) {
  for (std::size_t i = 0; i < kNumResources; ++i) a.values[i] = std::max(a.values[i], b.values[i]);
  return a;
}
inline constexpr ResourceVector Min(ResourceVector a, const ResourceVector& b) {
  for (std::size_t i = 0; i < kNumResources; ++i) a.values[i] = std::min(a.values[i], b.values[i]);
  return a;
}

// True when every component of `a` is <= the matching one of `b` (plus `tolerance`).
inline bool AllLessEqual(const ResourceVector& a, const ResourceVector& b,
                         double tolerance = 0.0) {
  for (std::size_t i = 0; i < kNumResources; ++i) {
    if (a.values[i] > b.values[i] + tolerance) return false;
  }
  return true;
}

// True when every component is finite and >= 0: the contract for usage, demand,
// allocation and capacity values everywhere in foresight.
inline bool IsValidAmount(const ResourceVector& v) {
  for (double x : v.values) {
    if (!std::isfinite(x) || x < 0.0) return false;
  }
  return true;
}

}  // namespace foresight

#endif  // FORESIGHT_CORE_RESOURCES_HPP_
