// Convenience header: the pool module.
#ifndef FORESIGHT_POOL_HPP_
#define FORESIGHT_POOL_HPP_

#include "foresight/pool/pool.hpp"
#include "foresight/pool/simulated_pool.hpp"

#endif  // FORESIGHT_POOL_HPP_
