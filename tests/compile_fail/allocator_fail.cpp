// Must not compile: Plan returns void instead of absl::Status.
// EXPECT: Allocator
#include "foresight/allocate/allocator.hpp"
struct NotAnAllocator {
  static std::string_view Name() { return "x"; }
  void Plan(const foresight::AllocationRequest&, foresight::AllocationPlan&) {}
};
template <foresight::Allocator A> void Use(A&) {}
void Check() { NotAnAllocator a; Use(a); }
