// Convenience header: the cost module.
#ifndef FORESIGHT_COST_HPP_
#define FORESIGHT_COST_HPP_

#include "foresight/cost/cost_model.hpp"
#include "foresight/cost/linear_cost.hpp"

#endif  // FORESIGHT_COST_HPP_
