// -----------------------------------------------------------------------------
// File: absl_compat.hpp
// -----------------------------------------------------------------------------
//
// Debian 12's Abseil is built with its own `absl::string_view` (not an alias of
// `std::string_view`). foresight's API speaks `std::string_view`; `Sv()` hands
// one to Abseil (StrCat, status messages, SimpleAtod) without a copy.
#ifndef FORESIGHT_CORE_ABSL_COMPAT_HPP_
#define FORESIGHT_CORE_ABSL_COMPAT_HPP_

#include <cstdint>
#include <string_view>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace foresight {

inline absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view StdSv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// Integer division of durations, truncating toward zero (absl::IDivDuration
// requires a remainder pointer).
inline std::int64_t IDiv(absl::Duration num, absl::Duration den) {
  absl::Duration rem;
  return absl::IDivDuration(num, den, &rem);
}

}  // namespace foresight

#endif  // FORESIGHT_CORE_ABSL_COMPAT_HPP_
