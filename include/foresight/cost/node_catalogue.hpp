// -----------------------------------------------------------------------------
// File: node_catalogue.hpp
// -----------------------------------------------------------------------------
//
// The node types capacity can be bought in (seed 002's "cost models for
// different compute node types"): per type its per-resource capacity, hourly
// price, provisioning lead time, pricing (on-demand, spot, reserved), spot
// interruption rate, how many may be used, and its zone and region.
//
// Reserved nodes are paid whether used or not: their marginal price is 0 up
// to `max_count`. Spot nodes are cheap but each is interrupted with
// probability 1 - exp(-rate * hours) over a period. `Allowed` applies a
// proximity constraint (same zone, same region, anywhere).
//
//   NodeCatalogue cat;
//   FORESIGHT_RETURN_IF_ERROR(cat.Add({.name = "m5.xlarge",
//       .capacity = MakeResources(4, 16 * kGiB, 500e6, 1.25e9),
//       .price_per_hour = 0.192, .provisioning_lead = absl::Minutes(3)}));
#ifndef FORESIGHT_COST_NODE_CATALOGUE_HPP_
#define FORESIGHT_COST_NODE_CATALOGUE_HPP_

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"

namespace foresight {

enum class Pricing : std::uint8_t { kOnDemand, kSpot, kReserved };

constexpr std::string_view PricingName(Pricing p) {
  constexpr std::string_view kNames[] = {"on_demand", "spot", "reserved"};
  return kNames[static_cast<int>(p)];
}

enum class Proximity : std::uint8_t { kSameZone, kSameRegion, kAnywhere };

struct NodeType {
  std::string name;
  ResourceVector capacity;
  double price_per_hour = 0.0;
  absl::Duration provisioning_lead = absl::Minutes(5);
  Pricing pricing = Pricing::kOnDemand;
  double interruption_rate_per_hour = 0.0;  // spot only
  int max_count = -1;                       // -1 = unbounded; reserved: how many are reserved
  std::string zone;
  std::string region;
};

class NodeCatalogue {
 public:
  absl::Status Add(const NodeType& t) {
    if (t.name.empty()) return absl::InvalidArgumentError("node type needs a name");
    if (Find(t.name).ok()) {
      return absl::InvalidArgumentError(absl::StrCat("node type '", t.name, "' added twice"));
    }
    if (!IsValidAmount(t.capacity) || t.capacity == ResourceVector{}) {
      return absl::InvalidArgumentError(
          absl::StrCat("node type '", t.name, "' needs a finite, non-zero capacity"));
    }
    if (!std::isfinite(t.price_per_hour) || t.price_per_hour < 0.0) {
      return absl::InvalidArgumentError(absl::StrCat("node type '", t.name, "' has a bad price"));
    }
    if (t.provisioning_lead < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat("node type '", t.name, "' has a negative lead"));
    }
    if (!std::isfinite(t.interruption_rate_per_hour) || t.interruption_rate_per_hour < 0.0 ||
        (t.pricing != Pricing::kSpot && t.interruption_rate_per_hour > 0.0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "node type '", t.name, "': only spot nodes have a (non-negative) interruption rate"));
    }
    if (t.max_count < -1 || (t.pricing == Pricing::kReserved && t.max_count < 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("node type '", t.name, "': reserved types need max_count >= 0"));
    }
    types_.push_back(t);
    return absl::OkStatus();
  }

  const std::vector<NodeType>& types() const { return types_; }
  std::size_t size() const { return types_.size(); }
  const NodeType& operator[](std::size_t i) const { return types_[i]; }

  absl::StatusOr<std::size_t> Find(std::string_view name) const {
    for (std::size_t i = 0; i < types_.size(); ++i) {
      if (types_[i].name == name) return i;
    }
    return absl::NotFoundError(absl::StrCat("no node type '", Sv(name), "'"));
  }

  // P(a node of this type is interrupted within `period`).
  static double InterruptionProbability(const NodeType& t, absl::Duration period) {
    if (t.pricing != Pricing::kSpot) return 0.0;
    return 1.0 - std::exp(-t.interruption_rate_per_hour * absl::ToDoubleHours(period));
  }
  // Price of running one more node for an hour (0 for reserved nodes: already paid).
  static double MarginalPricePerHour(const NodeType& t) {
    return t.pricing == Pricing::kReserved ? 0.0 : t.price_per_hour;
  }
  static bool Allowed(const NodeType& t, std::string_view zone, std::string_view region,
                      Proximity proximity) {
    switch (proximity) {
      case Proximity::kSameZone:
        return t.zone == zone && (region.empty() || t.region == region);
      case Proximity::kSameRegion:
        return t.region == region;
      case Proximity::kAnywhere:
        return true;
    }
    return false;
  }

 private:
  std::vector<NodeType> types_;
};

}  // namespace foresight

#endif  // FORESIGHT_COST_NODE_CATALOGUE_HPP_
