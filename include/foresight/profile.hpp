// Convenience header: the profile module.
#ifndef FORESIGHT_PROFILE_HPP_
#define FORESIGHT_PROFILE_HPP_

#include "foresight/profile/profiler.hpp"

#endif  // FORESIGHT_PROFILE_HPP_
