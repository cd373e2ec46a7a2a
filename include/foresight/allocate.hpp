// Convenience header: the allocate module.
#ifndef FORESIGHT_ALLOCATE_HPP_
#define FORESIGHT_ALLOCATE_HPP_

#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/plan.hpp"
#include "foresight/allocate/vpa_style.hpp"
#include "foresight/allocate/hpa_style.hpp"
#include "foresight/allocate/quantile_target.hpp"
#include "foresight/allocate/oracle.hpp"
#include "foresight/allocate/decorators.hpp"

#endif  // FORESIGHT_ALLOCATE_HPP_
