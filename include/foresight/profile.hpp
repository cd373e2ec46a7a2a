// Convenience header: the profile module.
#ifndef FORESIGHT_PROFILE_HPP_
#define FORESIGHT_PROFILE_HPP_

#include "foresight/profile/behavior_profiler.hpp"  // app_chain, classifier, intent, session, workflow
#include "foresight/profile/profiler.hpp"

#endif  // FORESIGHT_PROFILE_HPP_
