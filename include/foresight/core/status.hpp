// -----------------------------------------------------------------------------
// File: status.hpp
// -----------------------------------------------------------------------------
//
// Status helpers used across foresight: `FORESIGHT_RETURN_IF_ERROR` and
// `FORESIGHT_ASSIGN_OR_RETURN`, after Abseil's internal macros of the same shape.
#ifndef FORESIGHT_CORE_STATUS_HPP_
#define FORESIGHT_CORE_STATUS_HPP_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define FORESIGHT_RETURN_IF_ERROR(expr)                  \
  do {                                                   \
    ::absl::Status _foresight_status = (expr);           \
    if (!_foresight_status.ok()) return _foresight_status; \
  } while (false)

#define FORESIGHT_STATUS_CONCAT_INNER_(a, b) a##b
#define FORESIGHT_STATUS_CONCAT_(a, b) FORESIGHT_STATUS_CONCAT_INNER_(a, b)

#define FORESIGHT_ASSIGN_OR_RETURN(lhs, expr) \
  FORESIGHT_ASSIGN_OR_RETURN_IMPL_(FORESIGHT_STATUS_CONCAT_(_foresight_or_, __LINE__), lhs, expr)

#define FORESIGHT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return std::move(tmp).status();         \
  lhs = std::move(tmp).value()

#endif  // FORESIGHT_CORE_STATUS_HPP_
