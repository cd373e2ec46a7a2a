// Convenience header: the telemetry module.
#ifndef FORESIGHT_TELEMETRY_HPP_
#define FORESIGHT_TELEMETRY_HPP_

#include "foresight/telemetry/observation.hpp"
#include "foresight/telemetry/ring_buffer.hpp"
#include "foresight/telemetry/history.hpp"

#endif  // FORESIGHT_TELEMETRY_HPP_
