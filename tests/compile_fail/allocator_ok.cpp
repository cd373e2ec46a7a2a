// Twin of allocator_fail.cpp that satisfies the concept.
#include "foresight/allocate/allocator.hpp"
struct AnAllocator {
  static std::string_view Name() { return "x"; }
  absl::Status Plan(const foresight::AllocationRequest&, foresight::AllocationPlan&) {
    return absl::OkStatus();
  }
};
template <foresight::Allocator A> void Use(A&) {}
void Check() { AnAllocator a; Use(a); }
