// Must not compile: Terms returns a double, not CostTerms.
// EXPECT: CostModel
#include "foresight/cost/cost_model.hpp"
struct NotACostModel {
  static std::string_view Name() { return "x"; }
  double Terms(foresight::UserId) const { return 1.0; }
};
template <foresight::CostModel C> void Use(const C&) {}
void Check() { Use(NotACostModel{}); }
