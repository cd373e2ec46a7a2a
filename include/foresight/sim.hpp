// Convenience header: the sim module.
#ifndef FORESIGHT_SIM_HPP_
#define FORESIGHT_SIM_HPP_

#include "foresight/sim/workload.hpp"
#include "foresight/sim/generator.hpp"
#include "foresight/sim/metrics.hpp"
#include "foresight/sim/replay.hpp"

#endif  // FORESIGHT_SIM_HPP_
