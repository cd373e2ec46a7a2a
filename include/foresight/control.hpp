// Convenience header: the control module.
#ifndef FORESIGHT_CONTROL_HPP_
#define FORESIGHT_CONTROL_HPP_

#include "foresight/control/controller.hpp"

#endif  // FORESIGHT_CONTROL_HPP_
