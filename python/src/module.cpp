// The `foresight._foresight` extension module; python/foresight/__init__.py
// re-exports it as the `foresight` package.
#include "common.hpp"

PYBIND11_MODULE(_foresight, m) {
  m.doc() = "foresight: predictive allocation of CPU, memory, IO and network to users";
  foresight::python::BindCore(m);
  foresight::python::BindForecast(m);
  foresight::python::BindProfile(m);
  foresight::python::BindSim(m);
}
