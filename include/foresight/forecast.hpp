// Convenience header: the forecast module.
#ifndef FORESIGHT_FORECAST_HPP_
#define FORESIGHT_FORECAST_HPP_

#include "foresight/forecast/forecast.hpp"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/seasonal_naive.hpp"
#include "foresight/forecast/holt_winters.hpp"

#endif  // FORESIGHT_FORECAST_HPP_
