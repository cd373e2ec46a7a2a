// -----------------------------------------------------------------------------
// File: foresight.hpp
// -----------------------------------------------------------------------------
//
// Umbrella header: every module of foresight.
#ifndef FORESIGHT_FORESIGHT_HPP_
#define FORESIGHT_FORESIGHT_HPP_

#include "foresight/allocate.hpp"
#include "foresight/control.hpp"
#include "foresight/core.hpp"
#include "foresight/cost.hpp"
#include "foresight/forecast.hpp"
#include "foresight/pool.hpp"
#include "foresight/profile.hpp"
#include "foresight/sim.hpp"
#include "foresight/telemetry.hpp"

#endif  // FORESIGHT_FORESIGHT_HPP_
