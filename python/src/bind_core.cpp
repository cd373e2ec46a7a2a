// core: Resource, ResourceVector, quantities.
#include <pybind11/operators.h>

#include "absl/strings/str_format.h"
#include "common.hpp"
#include "foresight/core/resources.hpp"
#include "foresight/core/units.hpp"

namespace foresight::python {
namespace {

ResourceVector FromSequence(const py::handle& seq) {
  const py::array_t<double, py::array::c_style | py::array::forcecast> a =
      py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(seq);
  if (!a || a.ndim() != 1 || a.shape(0) != static_cast<py::ssize_t>(kNumResources)) {
    throw py::value_error("a ResourceVector needs 4 values: cpu, memory, io, net");
  }
  ResourceVector v;
  for (std::size_t i = 0; i < kNumResources; ++i) v.values[i] = a.at(static_cast<py::ssize_t>(i));
  return v;
}

std::size_t CheckIndex(py::ssize_t i) {
  if (i < 0) i += static_cast<py::ssize_t>(kNumResources);
  if (i < 0 || i >= static_cast<py::ssize_t>(kNumResources))
    throw py::index_error("resource index out of range");
  return static_cast<std::size_t>(i);
}

py::array_t<double> ToNumpy(const ResourceVector& v) {
  py::array_t<double> a(static_cast<py::ssize_t>(kNumResources));
  std::copy(v.values.begin(), v.values.end(), a.mutable_data());
  return a;
}

}  // namespace

void BindCore(py::module_& m) {
  py::enum_<Resource>(m, "Resource",
                      "The four resource kinds (cpu cores, memory bytes, io and net bytes/s)")
      .value("cpu", Resource::kCpu)
      .value("memory", Resource::kMemory)
      .value("io", Resource::kIo)
      .value("net", Resource::kNet)
      .def_property_readonly("unit", [](Resource r) { return std::string(ResourceUnit(r)); });

  py::class_<ResourceVector> vec(
      m, "ResourceVector",
      "Four amounts indexed by Resource: cpu (cores), memory (bytes), io and net (bytes/s)");
  vec.def(py::init([](double cpu, double memory, double io, double net) {
            return MakeResources(cpu, memory, io, net);
          }),
          py::arg("cpu") = 0.0, py::arg("memory") = 0.0, py::arg("io") = 0.0, py::arg("net") = 0.0)
      .def(py::init([](const py::sequence& values) { return FromSequence(values); }),
           py::arg("values"), "From a length-4 sequence or array (cpu, memory, io, net)")
      .def_static("from_array", &FromSequence, py::arg("values"),
                  "From a length-4 sequence or array")
      .def_static(
          "filled", [](double v) { return ResourceVector::Filled(v); }, py::arg("value"))
      .def("__getitem__", [](const ResourceVector& v, Resource r) { return v[r]; })
      .def("__getitem__",
           [](const ResourceVector& v, py::ssize_t i) { return v.values[CheckIndex(i)]; })
      .def("__setitem__", [](ResourceVector& v, Resource r, double x) { v[r] = x; })
      .def("__setitem__",
           [](ResourceVector& v, py::ssize_t i, double x) { v.values[CheckIndex(i)] = x; })
      .def("__len__", [](const ResourceVector&) { return kNumResources; })
      .def("to_numpy", &ToNumpy)
      .def(
          "__array__", [](const ResourceVector& v, py::object /*dtype*/) { return ToNumpy(v); },
          py::arg("dtype") = py::none())
      .def("is_valid_amount", &IsValidAmount, "finite and >= 0 everywhere")
      .def(py::self + py::self)
      .def(py::self - py::self)
      .def(py::self * py::self)
      .def(py::self * double())
      .def(py::self / double())
      .def(py::self == py::self)
      .def("__repr__",
           [](const ResourceVector& v) {
             return absl::StrFormat("ResourceVector(cpu=%g, memory=%g, io=%g, net=%g)", v.cpu(),
                                    v.memory(), v.io(), v.net());
           })
      .def(py::pickle(
          [](const ResourceVector& v) {
            return py::make_tuple(v.cpu(), v.memory(), v.io(), v.net());
          },
          [](const py::tuple& t) {
            return MakeResources(t[0].cast<double>(), t[1].cast<double>(), t[2].cast<double>(),
                                 t[3].cast<double>());
          }));
  // Properties cpu, memory, io, net.
  for (Resource r : kAllResources) {
    vec.def_property(
        ResourceName(r).data(), [r](const ResourceVector& v) { return v[r]; },
        [r](ResourceVector& v, double x) { v[r] = x; });
  }
  py::implicitly_convertible<py::list, ResourceVector>();
  py::implicitly_convertible<py::tuple, ResourceVector>();
  py::implicitly_convertible<py::array, ResourceVector>();

  m.def(
      "parse_resource", [](const std::string& name) { return Unwrap(ParseResource(name)); },
      py::arg("name"), "'cpu', 'memory'/'mem', 'io'/'disk', 'net'/'network' -> Resource");
  m.def(
      "parse_quantity",
      [](const std::string& text, Resource r) { return Unwrap(ParseQuantity(text, r)); },
      py::arg("text"), py::arg("resource"),
      "Kubernetes quantity ('500m', '2Gi', '1.5G') in the resource's unit; ValueError if "
      "malformed");
  m.def("format_quantity", &FormatQuantity, py::arg("value"), py::arg("resource"),
        "Short human form: '250m' cores, '3Gi' bytes");
  m.def(
      "parse_resource_list",
      [](const std::string& text, ResourceVector defaults) {
        return Unwrap(ParseResourceList(text, defaults));
      },
      py::arg("text"), py::arg("defaults") = ResourceVector{},
      "'cpu=4,memory=16Gi' -> ResourceVector (omitted kinds from `defaults`)");
}

}  // namespace foresight::python
