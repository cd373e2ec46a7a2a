// Convenience header: the core module.
#ifndef FORESIGHT_CORE_HPP_
#define FORESIGHT_CORE_HPP_

#include "foresight/core/resources.hpp"
#include "foresight/core/units.hpp"
#include "foresight/core/user.hpp"
#include "foresight/core/status.hpp"
#include "foresight/core/absl_compat.hpp"

#endif  // FORESIGHT_CORE_HPP_
