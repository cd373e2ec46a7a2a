// Must not compile: a pool without lead times and capabilities.
// EXPECT: Pool
#include "foresight/pool/pool.hpp"
struct NotAPool {
  static std::string_view Name() { return "x"; }
  absl::Status Observe(absl::Time, foresight::Observation&) { return absl::OkStatus(); }
  absl::Status Apply(absl::Time, const foresight::AllocationPlan&, std::vector<absl::Status>&) {
    return absl::OkStatus();
  }
};
template <foresight::Pool P> void Use(P&) {}
void Check() { NotAPool p; Use(p); }
