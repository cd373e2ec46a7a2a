// Twin of pool_fail.cpp that satisfies the concept.
#include "foresight/pool/pool.hpp"
struct APool {
  static std::string_view Name() { return "x"; }
  absl::Status Observe(absl::Time, foresight::Observation&) { return absl::OkStatus(); }
  absl::Status Apply(absl::Time, const foresight::AllocationPlan&, std::vector<absl::Status>&) {
    return absl::OkStatus();
  }
  absl::Duration LeadTime(foresight::Resource) const { return absl::ZeroDuration(); }
  foresight::PoolCapabilities capabilities() const { return {}; }
};
template <foresight::Pool P> void Use(P&) {}
void Check() { APool p; Use(p); }
