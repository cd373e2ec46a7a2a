// -----------------------------------------------------------------------------
// File: python/src/common.hpp
// -----------------------------------------------------------------------------
//
// Shared helpers of the pybind11 module: absl::Status -> Python exceptions
// (InvalidArgument, OutOfRange, NotFound, AlreadyExists, FailedPrecondition ->
// ValueError; everything else -> RuntimeError, both with the status message),
// times (float Unix seconds or datetime) and the binders of each module part.
#ifndef FORESIGHT_PYTHON_COMMON_HPP_
#define FORESIGHT_PYTHON_COMMON_HPP_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace foresight::python {

namespace py = pybind11;

inline void ThrowIfError(const absl::Status& s) {
  if (s.ok()) return;
  const std::string msg(s.message().data(), s.message().size());
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
      throw py::value_error(msg);
    default:
      throw std::runtime_error(msg);
  }
}

template <typename T>
T Unwrap(absl::StatusOr<T> s) {
  ThrowIfError(s.status());
  return *std::move(s);
}

// A time from Python: int/float Unix seconds, or anything with .timestamp()
// (datetime; naive datetimes are local time, as in Python itself).
inline absl::Time ToTime(const py::handle& t) {
  double seconds = 0.0;
  if (py::hasattr(t, "timestamp")) {
    seconds = t.attr("timestamp")().cast<double>();
  } else {
    seconds = py::cast<double>(t);
  }
  if (!std::isfinite(seconds)) throw py::value_error("time must be finite");
  return absl::UnixEpoch() + absl::Seconds(seconds);
}

inline double ToSeconds(absl::Time t) { return absl::ToDoubleSeconds(t - absl::UnixEpoch()); }

// Minutes (Python float) -> positive finite duration, or ValueError naming `what`.
inline absl::Duration ToMinutes(double minutes, const char* what) {
  if (!std::isfinite(minutes) || minutes < 0) {
    throw py::value_error(std::string(what) + " must be a finite number of minutes >= 0");
  }
  return absl::Seconds(minutes * 60.0);
}

void BindCore(py::module_& m);
void BindForecast(py::module_& m);
void BindProfile(py::module_& m);
void BindSim(py::module_& m);

}  // namespace foresight::python

#endif  // FORESIGHT_PYTHON_COMMON_HPP_
