// sim: the built-in workload generator and the `simulate` runner (the same
// replay and JSON as `foresight simulate --json`). Only when foresight_sim is built.
#include "common.hpp"

#ifdef FORESIGHT_PYTHON_WITH_SIM
#include "absl/strings/str_join.h"
#include "foresight/sim/compare.hpp"
#include "foresight/sim/generator.hpp"
#include "foresight/sim/policy_registry.hpp"
#endif
#ifdef FORESIGHT_PYTHON_WITH_EVALUATE
#include <fstream>

#include "foresight/core/units.hpp"
#include "foresight/trace/evaluate.hpp"
#include "foresight/trace/load_options_text.hpp"
#include "nlohmann/json.hpp"
#endif

namespace foresight::python {

#ifdef FORESIGHT_PYTHON_WITH_SIM
namespace {

GeneratorOptions MakeGeneratorOptions(int users, int days, std::uint64_t seed, double step_minutes,
                                      int users_per_host, double capacity_factor) {
  GeneratorOptions g;
  g.users = users;
  g.days = days;
  g.seed = seed;
  g.step = ToMinutes(step_minutes, "step_minutes");
  g.users_per_host = users_per_host;
  g.capacity_factor = capacity_factor;
  return g;
}

std::string SimulateJson(int users, int days, std::uint64_t seed,
                         const std::vector<std::string>& policies, bool contention,
                         double capacity_factor, double failure_rate, double delay_rate,
                         int threads, bool vpa_frontier) {
  if (users < 1) throw py::value_error("users must be >= 1");
  if (days < 1) throw py::value_error("days must be >= 1");
  if (policies.empty()) throw py::value_error("policies must name at least one policy");
  const std::vector<const PolicyInfo*> resolved =
      Unwrap(PolicyRegistry::Global().Resolve(absl::StrJoin(policies, ",")));
  GeneratorOptions g;
  g.users = users;
  g.days = days;
  g.seed = seed;
  if (contention) g.users_per_host = 16;
  g.capacity_factor = capacity_factor > 0 ? capacity_factor : (contention ? 0.6 : 1.5);
  ReplayOptions options;
  options.pool.failure_rate = failure_rate;
  options.pool.delay_rate = delay_rate;
  options.pool.seed = seed;
#ifndef FORESIGHT_PYTHON_WITH_EVALUATE
  if (vpa_frontier) {
    throw std::runtime_error("vpa_frontier needs foresight built with the trace evaluator");
  }
#endif
  absl::StatusOr<std::vector<PolicyRun>> runs = absl::UnknownError("not run");
  absl::StatusOr<std::vector<PolicyMetrics>> frontier = std::vector<PolicyMetrics>{};
  {
    py::gil_scoped_release release;  // pure C++ below; policies run on worker threads
    absl::StatusOr<Workload> w = GenerateWorkload(g);
    runs = w.ok() ? RunPolicies(*w, resolved, options, threads, {}) : w.status();
#ifdef FORESIGHT_PYTHON_WITH_EVALUATE
    if (w.ok() && runs.ok() && vpa_frontier) frontier = ReplayVpaFrontier(*w, options, threads);
#endif
  }
  std::vector<PolicyMetrics> metrics;
  for (const PolicyRun& r : Unwrap(std::move(runs))) metrics.push_back(r.metrics);
#ifdef FORESIGHT_PYTHON_WITH_EVALUATE
  // The keys `foresight simulate --json` writes: vs_vpa, and with the
  // frontier vpa_frontier and vs_vpa_frontier.
  const std::vector<PolicyMetrics> tunings = Unwrap(std::move(frontier));
  return ComparisonWithVpaJson(metrics, CompareToVpa(metrics), tunings,
                               CompareToVpaFrontier(metrics, tunings), -1);
#else
  return ComparisonJson(metrics, -1);
#endif
}

#ifdef FORESIGHT_PYTHON_WITH_EVALUATE
// The loader options `foresight evaluate` builds from its flags.
LoadOptions MakeLoadOptions(const std::string& step, const std::string& aggregate,
                            const std::string& entity_capacity, const std::string& machine_capacity,
                            std::size_t max_entities) {
  return Unwrap(ParseLoadOptions({.step = step,
                                  .aggregate = aggregate,
                                  .entity_capacity = entity_capacity,
                                  .machine_capacity = machine_capacity,
                                  .time_origin = "",
                                  .max_entities = max_entities},
                                 ""));
}

Workload LoadTraceWorkload(const std::string& path, const std::string& format,
                           const std::string& step, const std::string& aggregate,
                           const std::string& entity_capacity, const std::string& machine_capacity,
                           std::size_t max_entities) {
  const TraceFormat f = Unwrap(ParseTraceFormat(format));
  const LoadOptions load =
      MakeLoadOptions(step, aggregate, entity_capacity, machine_capacity, max_entities);
  absl::StatusOr<LoadedTrace> trace = absl::UnknownError("not run");
  {
    py::gil_scoped_release release;
    trace = LoadTrace(path, f, load);
  }
  return Unwrap(std::move(trace)).workload;
}

std::string EvaluateJson(const std::string& path, const std::string& format,
                         const std::string& step, const std::string& aggregate,
                         const std::vector<std::string>& policies, const std::string& warmup,
                         int hosts, const std::string& host_capacity,
                         const std::string& entity_capacity, const std::string& machine_capacity,
                         std::size_t max_entities, int threads, const std::string& report,
                         std::size_t record, bool vpa_frontier, bool per_entity) {
  const TraceFormat f = Unwrap(ParseTraceFormat(format));
  if (!report.empty() && !report.ends_with(".html") && !report.ends_with(".htm")) {
    throw py::value_error("report must end in .html");
  }
  EvaluateOptions o;
  o.load = MakeLoadOptions(step, aggregate, entity_capacity, machine_capacity, max_entities);
  if (!policies.empty()) o.policies = absl::StrJoin(policies, ",");
  o.warmup = Unwrap(ParseSpan(warmup, "warmup"));
  if (hosts < 0) throw py::value_error("hosts must be >= 0");
  o.hosts = hosts;
  o.host_capacity = host_capacity;
  o.threads = threads;
  o.vpa_frontier = vpa_frontier;
  if (!report.empty()) o.record = record;
  absl::StatusOr<TraceEvaluation> e = absl::UnknownError("not run");
  {
    py::gil_scoped_release release;  // pure C++ below; policies run on worker threads
    e = EvaluateTrace(path, f, o);
  }
  const TraceEvaluation evaluation = Unwrap(std::move(e));
  if (!report.empty()) {
    std::ofstream out(report, std::ios::binary);
    out << EvaluationReportHtml(evaluation, o);
    if (!out) throw std::runtime_error("cannot write " + report);
  }
  if (!per_entity) return EvaluationJson(evaluation, o, -1);
  // The per-entity CSV rides along; foresight.evaluate turns it into rows.
  nlohmann::json doc = nlohmann::json::parse(EvaluationJson(evaluation, o, -1));
  doc["per_entity_csv"] = PerEntityCsv(evaluation);
  return doc.dump();
}
#endif

}  // namespace

void BindSim(py::module_& m) {
  py::class_<WorkloadUser>(m, "WorkloadUser")
      .def_property_readonly("id", [](const WorkloadUser& u) { return u.id.value; })
      .def_readonly("name", &WorkloadUser::name)
      .def_readonly("archetype", &WorkloadUser::archetype)
      .def_readonly("host", &WorkloadUser::host)
      .def_readonly("priority", &WorkloadUser::priority)
      .def_readonly("initial_allocation", &WorkloadUser::initial_allocation);

  py::class_<Workload>(m, "Workload", "Per-user demand on a fixed time grid (users x steps x 4)")
      .def_property_readonly(
          "start", [](const Workload& w) { return ToSeconds(w.start); }, "Unix seconds")
      .def_property_readonly("step_seconds",
                             [](const Workload& w) { return absl::ToDoubleSeconds(w.step); })
      .def_property_readonly("num_users", &Workload::num_users)
      .def_property_readonly("num_steps", &Workload::num_steps)
      .def_readonly("users", &Workload::users)
      .def_property_readonly(
          "times",
          [](const Workload& w) {
            py::array_t<double> a(static_cast<py::ssize_t>(w.num_steps()));
            for (std::size_t k = 0; k < w.num_steps(); ++k)
              a.mutable_at(static_cast<py::ssize_t>(k)) = ToSeconds(w.time(k));
            return a;
          },
          "Unix seconds of every step")
      .def_property_readonly(
          "demand",
          [](const Workload& w) {
            py::array_t<double> a({static_cast<py::ssize_t>(w.num_users()),
                                   static_cast<py::ssize_t>(w.num_steps()),
                                   static_cast<py::ssize_t>(kNumResources)});
            const xt::xtensor<double, 3> dense = w.demand.Dense();
            std::copy(dense.begin(), dense.end(), a.mutable_data());
            return a;
          },
          "users x steps x 4 (cpu, memory, io, net); NaN = missing")
      .def_property_readonly(
          "app",
          [](const Workload& w) {
            py::array_t<std::int32_t> a(
                {static_cast<py::ssize_t>(w.num_users()), static_cast<py::ssize_t>(w.num_steps())});
            if (w.app.size() == 0) {
              std::fill(a.mutable_data(), a.mutable_data() + a.size(), -1);
            } else {
              std::copy(w.app.begin(), w.app.end(), a.mutable_data());
            }
            return a;
          },
          "users x steps application launches, -1 if none")
      .def_property_readonly("host_capacity", [](const Workload& w) {
        py::array_t<double> a({static_cast<py::ssize_t>(w.host_capacity.size()),
                               static_cast<py::ssize_t>(kNumResources)});
        auto out = a.mutable_unchecked<2>();
        for (std::size_t h = 0; h < w.host_capacity.size(); ++h) {
          for (std::size_t r = 0; r < kNumResources; ++r)
            out(static_cast<py::ssize_t>(h), static_cast<py::ssize_t>(r)) =
                w.host_capacity[h].values[r];
        }
        return a;
      });

  m.def(
      "generate_workload",
      [](int users, int days, std::uint64_t seed, double step_minutes, int users_per_host,
         double capacity_factor) {
        const GeneratorOptions g =
            MakeGeneratorOptions(users, days, seed, step_minutes, users_per_host, capacity_factor);
        absl::StatusOr<Workload> w = absl::UnknownError("not run");
        {
          py::gil_scoped_release release;
          w = GenerateWorkload(g);
        }
        return Unwrap(std::move(w));
      },
      py::arg("users") = 40, py::arg("days") = 14, py::arg("seed") = 42,
      py::arg("step_minutes") = 5.0, py::arg("users_per_host") = 8,
      py::arg("capacity_factor") = 1.5,
      "The built-in seeded population (archetypes office, batch, analysis, service, apps)");
  m.attr("archetypes") = py::cast(std::vector<std::string>(kArchetypes.begin(), kArchetypes.end()));

  m.def(
      "policy_names",
      [] {
        std::vector<std::string> names;
        for (const PolicyInfo* p : PolicyRegistry::Global().All()) names.push_back(p->name);
        return names;
      },
      "Names accepted by simulate(policies=...)");
  m.def(
      "policy_families",
      [] {
        py::dict out;
        for (const PolicyFamily* f : PolicyRegistry::Global().Families()) {
          py::dict knobs;
          for (const PolicyKnob& k : f->knobs) knobs[py::str(k.name)] = k.default_value;
          py::dict family;
          family["argument"] = f->argument;
          family["description"] = f->description;
          family["knobs"] = knobs;
          out[py::str(f->prefix)] = family;
        }
        return out;
      },
      "Policy families: prefix -> {argument, description, knobs}; "
      "policies=['proactive(ets)[cpu_level=0.9]'] names a member");
  m.def("_simulate_json", &SimulateJson, py::arg("users"), py::arg("days"), py::arg("seed"),
        py::arg("policies"), py::arg("contention"), py::arg("capacity_factor"),
        py::arg("failure_rate"), py::arg("delay_rate"), py::arg("threads"),
        py::arg("vpa_frontier") = false);
  m.attr("has_sim") = true;
#ifdef FORESIGHT_PYTHON_WITH_EVALUATE
  m.def("load_trace", &LoadTraceWorkload, py::arg("path"), py::arg("format"),
        py::arg("step") = "300s", py::arg("aggregate") = "mean", py::arg("entity_capacity") = "",
        py::arg("machine_capacity") = "", py::arg("max_entities") = 0,
        "Loads a public trace (formats as `foresight evaluate --format`) onto a fixed step:\n"
        "a Workload with one right-sized host per entity, NaN where samples are missing.");
  m.def("_evaluate_json", &EvaluateJson, py::arg("path"), py::arg("format"), py::arg("step"),
        py::arg("aggregate"), py::arg("policies"), py::arg("warmup"), py::arg("hosts"),
        py::arg("host_capacity"), py::arg("entity_capacity"), py::arg("machine_capacity"),
        py::arg("max_entities"), py::arg("threads"), py::arg("report"), py::arg("record"),
        py::arg("vpa_frontier") = false, py::arg("per_entity") = false);
  m.attr("evaluate_default_policies") = std::string(kEvaluateDefaultPolicies);
  m.attr("has_evaluate") = true;
#else
  m.attr("has_evaluate") = false;
#endif
}

#else

void BindSim(py::module_& m) {
  m.attr("has_sim") = false;
  m.attr("has_evaluate") = false;
}

#endif

}  // namespace foresight::python
