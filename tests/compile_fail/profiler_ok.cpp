// Twin of profiler_fail.cpp that satisfies the concept.
#include "foresight/profile/profiler.hpp"
struct AProfiler {
  static std::string_view Name() { return "x"; }
  void Observe(foresight::Slot, absl::Time, const foresight::UserObservation&) {}
  foresight::ProfileSummary Summary(foresight::Slot, absl::Time) const { return {}; }
};
template <foresight::Profiler P> void Use(P&) {}
void Check() { AProfiler p; Use(p); }
