// Must not compile: Summary is missing.
// EXPECT: Profiler
#include "foresight/profile/profiler.hpp"
struct NotAProfiler {
  static std::string_view Name() { return "x"; }
  void Observe(foresight::Slot, absl::Time, const foresight::UserObservation&) {}
};
template <foresight::Profiler P> void Use(P&) {}
void Check() { NotAProfiler p; Use(p); }
