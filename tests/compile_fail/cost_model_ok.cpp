// Twin of cost_model_fail.cpp that satisfies the concept.
#include "foresight/cost/cost_model.hpp"
struct ACostModel {
  static std::string_view Name() { return "x"; }
  foresight::CostTerms Terms(foresight::UserId) const { return {}; }
};
template <foresight::CostModel C> void Use(const C&) {}
void Check() { Use(ACostModel{}); }
