// profile: BehaviorProfiler, ProfileSummary, behaviour classes, events,
// intents and workflow templates.
#include "absl/strings/str_cat.h"
#include "common.hpp"
#include "foresight/profile/behavior_profiler.hpp"

namespace foresight::python {
namespace {

using IntArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

Slot ToSlot(long long slot) {
  if (slot < 0 || slot >= (1LL << 24)) {  // slots are dense indices; this bounds memory
    throw py::value_error(absl::StrCat("slot ", slot, " is out of range"));
  }
  return static_cast<Slot>(slot);
}

void CheckUsage(const ResourceVector& usage, long long slot) {
  if (!IsValidAmount(usage)) {
    throw py::value_error(absl::StrCat("slot ", slot, ": usage is NaN, infinite or negative"));
  }
}

BehaviorProfilerOptions MakeOptions(int buckets, double peak_quantile, double utc_offset_hours,
                                    double active_cpu, double session_gap_minutes) {
  if (buckets < 1 || buckets > internal::kHoursPerWeek)
    throw py::value_error("buckets must be in 1..168");
  if (!(peak_quantile > 0.0 && peak_quantile < 1.0))
    throw py::value_error("peak_quantile must be in (0, 1)");
  if (!std::isfinite(utc_offset_hours) || std::abs(utc_offset_hours) > 24) {
    throw py::value_error("utc_offset_hours must be in [-24, 24]");
  }
  if (!(active_cpu >= 0.0) || !std::isfinite(active_cpu))
    throw py::value_error("active_cpu must be >= 0");
  BehaviorProfilerOptions o;
  o.buckets = buckets;
  o.peak_quantile = peak_quantile;
  o.utc_offset = absl::Seconds(utc_offset_hours * 3600.0);
  o.sessions.active_cpu = active_cpu;
  o.sessions.idle_gap = ToMinutes(session_gap_minutes, "session_gap_minutes");
  return o;
}

}  // namespace

void BindProfile(py::module_& m) {
  py::enum_<BehaviorClass>(m, "BehaviorClass")
      .value("unknown", BehaviorClass::kUnknown)
      .value("idle", BehaviorClass::kIdle)
      .value("interactive", BehaviorClass::kInteractive)
      .value("batch", BehaviorClass::kBatch)
      .value("analysis", BehaviorClass::kAnalysis)
      .value("service", BehaviorClass::kService);

  py::enum_<UserEvent>(m, "UserEvent", py::arithmetic(), "Event bit flags of a user observation")
      .value("none", kEventNone)
      .value("oom", kEventOom)
      .value("cpu_throttled", kEventCpuThrottled)
      .value("io_throttled", kEventIoThrottled)
      .value("net_throttled", kEventNetThrottled)
      .value("session_start", kEventSessionStart)
      .value("session_end", kEventSessionEnd)
      .value("app_launch", kEventAppLaunch)
      .value("preempted", kEventPreempted)
      .value("actuation_failed", kEventActuationFailed);

  py::class_<ProfileSummary>(m, "ProfileSummary",
                             "What the loop may use of a user's profile at one time")
      .def_readonly("behavior", &ProfileSummary::behavior)
      .def_readonly("confidence", &ProfileSummary::confidence)
      .def_readonly("seasonal_mean", &ProfileSummary::seasonal_mean)
      .def_readonly("seasonal_peak", &ProfileSummary::seasonal_peak)
      .def_readonly("last_app", &ProfileSummary::last_app)
      .def_readonly("likely_next_app", &ProfileSummary::likely_next_app)
      .def_readonly("next_app_probability", &ProfileSummary::next_app_probability)
      .def_readonly("expected_session_minutes", &ProfileSummary::expected_session_minutes)
      .def_readonly("in_session", &ProfileSummary::in_session)
      .def_readonly("intent", &ProfileSummary::intent)
      .def_readonly("workflow_stage", &ProfileSummary::workflow_stage)
      .def("__repr__", [](const ProfileSummary& s) {
        return absl::StrCat("ProfileSummary(behavior=", std::string(BehaviorClassName(s.behavior)),
                            ", confidence=", s.confidence, ", last_app=", s.last_app,
                            ", likely_next_app=", s.likely_next_app,
                            ", in_session=", s.in_session ? "True" : "False", ")");
      });

  py::class_<BehaviorProfiler>(
      m, "BehaviorProfiler",
      "Per-user behaviour profiles: seasonal shape, app chain, sessions, class, "
      "intent, workflow stage, and a demand prior")
      .def(py::init([](int buckets, double peak_quantile, double utc_offset_hours,
                       double active_cpu, double session_gap_minutes) {
             return BehaviorProfiler(MakeOptions(buckets, peak_quantile, utc_offset_hours,
                                                 active_cpu, session_gap_minutes));
           }),
           py::arg("buckets") = 168, py::arg("peak_quantile") = 0.9,
           py::arg("utc_offset_hours") = 0.0, py::arg("active_cpu") = 0.05,
           py::arg("session_gap_minutes") = 30.0)
      .def_property_readonly_static(
          "name", [](py::object) { return std::string(BehaviorProfiler::Name()); })
      .def(
          "observe",
          [](BehaviorProfiler& p, long long slot, py::handle time, const ResourceVector& usage,
             std::uint32_t events, int app, int intent) {
            CheckUsage(usage, slot);
            const Slot s = ToSlot(slot);
            const absl::Time t = ToTime(time);
            if (p.observed(s) && t <= p.last_time(s)) {
              throw py::value_error(absl::StrCat("slot ", slot, ": time ", absl::FormatTime(t),
                                                 " is not after the previous observation ",
                                                 absl::FormatTime(p.last_time(s))));
            }
            UserObservation o;
            o.usage = usage;
            o.events = events;
            o.app = app;
            o.intent = intent;
            p.Observe(s, t, o);
          },
          py::arg("slot"), py::arg("time"), py::arg("usage"), py::arg("events") = 0,
          py::arg("app") = -1, py::arg("intent") = -1,
          "Learns one observation (time: Unix seconds or datetime). ValueError on invalid usage or "
          "a time not after the slot's previous one.")
      .def(
          "observe_series",
          [](BehaviorProfiler& p, long long slot, const Array& times, const Array& usage,
             py::object events, py::object apps, py::object intents) {
            const Slot s = ToSlot(slot);
            if (times.ndim() != 1 || usage.ndim() != 2 || usage.shape(1) != 4 ||
                usage.shape(0) != times.shape(0)) {
              throw py::value_error("times must be (n,) and usage (n, 4)");
            }
            const py::ssize_t n = times.shape(0);
            auto opt = [n](py::object o, const char* what) -> std::optional<IntArray> {
              if (o.is_none()) return std::nullopt;
              IntArray a = IntArray::ensure(o);
              if (!a || a.ndim() != 1 || a.shape(0) != n)
                throw py::value_error(absl::StrCat(what, " must be (n,)"));
              return a;
            };
            const std::optional<IntArray> ev = opt(events, "events"), ap = opt(apps, "apps"),
                                          in = opt(intents, "intents");
            // Validate everything first so a bad row changes nothing.
            absl::Time prev = p.observed(s) ? p.last_time(s) : absl::InfinitePast();
            std::vector<absl::Time> ts(static_cast<std::size_t>(n));
            for (py::ssize_t i = 0; i < n; ++i) {
              const double sec = times.at(i);
              if (!std::isfinite(sec))
                throw py::value_error(absl::StrCat("row ", i, ": time is not finite"));
              ts[static_cast<std::size_t>(i)] = absl::UnixEpoch() + absl::Seconds(sec);
              if (ts[static_cast<std::size_t>(i)] <= prev) {
                throw py::value_error(
                    absl::StrCat("row ", i, ": time is not after the previous observation"));
              }
              prev = ts[static_cast<std::size_t>(i)];
              for (py::ssize_t r = 0; r < 4; ++r) {
                const double v = usage.at(i, r);
                if (!std::isfinite(v) || v < 0) {
                  throw py::value_error(
                      absl::StrCat("row ", i, ": usage is NaN, infinite or negative"));
                }
              }
            }
            for (py::ssize_t i = 0; i < n; ++i) {
              UserObservation o;
              o.usage =
                  MakeResources(usage.at(i, 0), usage.at(i, 1), usage.at(i, 2), usage.at(i, 3));
              if (ev) o.events = static_cast<std::uint32_t>(ev->at(i));
              if (ap) o.app = static_cast<std::int32_t>(ap->at(i));
              if (in) o.intent = static_cast<std::int32_t>(in->at(i));
              p.Observe(s, ts[static_cast<std::size_t>(i)], o);
            }
          },
          py::arg("slot"), py::arg("times"), py::arg("usage"), py::arg("events") = py::none(),
          py::arg("apps") = py::none(), py::arg("intents") = py::none(),
          "Learns a series of one slot: times (n,) Unix seconds, usage (n, 4), optional "
          "events/apps/intents (n,)")
      .def(
          "summary",
          [](const BehaviorProfiler& p, long long slot, py::handle time) {
            return p.Summary(ToSlot(slot), ToTime(time));
          },
          py::arg("slot"), py::arg("time"))
      .def(
          "expected_demand",
          [](const BehaviorProfiler& p, long long slot, py::handle at) {
            return p.ExpectedDemand(ToSlot(slot), ToTime(at));
          },
          py::arg("slot"), py::arg("at"), "Demand prior of the slot at a (future) time")
      .def(
          "expected_peak",
          [](const BehaviorProfiler& p, long long slot, py::handle at) {
            return p.ExpectedPeak(ToSlot(slot), ToTime(at));
          },
          py::arg("slot"), py::arg("at"),
          "High-quantile prior: expected demand plus the bucket's spread")
      .def(
          "expected_demand_path",
          [](const BehaviorProfiler& p, long long slot, py::handle start, double step_seconds,
             int steps) {
            if (steps < 0) throw py::value_error("steps must be >= 0");
            if (!(step_seconds > 0) || !std::isfinite(step_seconds))
              throw py::value_error("step_seconds must be > 0");
            std::vector<ResourceVector> path(static_cast<std::size_t>(steps));
            p.ExpectedDemandPath(ToSlot(slot), ToTime(start), absl::Seconds(step_seconds), path);
            py::array_t<double> a(
                {static_cast<py::ssize_t>(steps), static_cast<py::ssize_t>(kNumResources)});
            auto out = a.mutable_unchecked<2>();
            for (std::size_t i = 0; i < path.size(); ++i) {
              for (std::size_t r = 0; r < kNumResources; ++r) {
                out(static_cast<py::ssize_t>(i), static_cast<py::ssize_t>(r)) = path[i].values[r];
              }
            }
            return a;
          },
          py::arg("slot"), py::arg("start"), py::arg("step_seconds"), py::arg("steps"),
          "(steps, 4) array: expected demand at start + step, start + 2 step, ...")
      .def(
          "features",
          [](const BehaviorProfiler& p, long long slot) {
            const BehaviorFeatures f = p.Features(ToSlot(slot));
            py::dict d;
            d["diurnal_amplitude"] = f.diurnal_amplitude;
            d["weekday_weekend_ratio"] = f.weekday_weekend_ratio;
            d["burstiness"] = f.burstiness;
            d["duty_cycle"] = f.duty_cycle;
            d["night_fraction"] = f.night_fraction;
            d["mean_cpu"] = f.mean_cpu;
            d["samples"] = f.samples;
            return d;
          },
          py::arg("slot"))
      .def(
          "classify",
          [](const BehaviorProfiler& p, long long slot) {
            const BehaviorClassification c = p.Classify(ToSlot(slot));
            return py::make_tuple(c.behavior, c.reason);
          },
          py::arg("slot"), "(BehaviorClass, reason)")
      .def(
          "next_app",
          [](const BehaviorProfiler& p, long long slot, int from_app) {
            const AppChain::Prediction n =
                from_app < 0 ? p.apps().Next(ToSlot(slot)) : p.apps().Next(ToSlot(slot), from_app);
            return py::make_tuple(n.app, n.probability);
          },
          py::arg("slot"), py::arg("from_app") = -1, "(most likely next app, probability)")
      .def(
          "app_demand",
          [](const BehaviorProfiler& p, long long slot, int app) -> py::object {
            const std::optional<AppChain::AppStats> st = p.apps().Stats(ToSlot(slot), app);
            if (!st) return py::none();
            return py::cast(st->demand);
          },
          py::arg("slot"), py::arg("app"), "Typical demand while `app` runs, or None")
      .def(
          "register_intent",
          [](BehaviorProfiler& p, int intent, const std::string& name,
             const ResourceVector& multiplier, double duration_minutes) {
            ThrowIfError(p.RegisterIntent(intent, name, multiplier,
                                          ToMinutes(duration_minutes, "duration_minutes")));
          },
          py::arg("intent"), py::arg("name"), py::arg("multiplier"), py::arg("duration_minutes"))
      .def(
          "intent_effect",
          [](const BehaviorProfiler& p, int intent) -> py::object {
            const std::optional<IntentEffect> e = p.intents().Effect(intent);
            if (!e) return py::none();
            py::dict d;
            d["name"] = e->name;
            d["multiplier"] = e->multiplier;
            d["duration_minutes"] = absl::ToDoubleMinutes(e->duration);
            d["episodes"] = e->episodes;
            return d;
          },
          py::arg("intent"))
      .def(
          "add_workflow",
          [](BehaviorProfiler& p, const std::string& name, const py::list& stages) {
            WorkflowTemplate w{name, {}};
            for (const py::handle& h : stages) {
              const py::tuple t = py::cast<py::tuple>(h);
              if (t.size() != 3)
                throw py::value_error("a stage is (name, ResourceVector, minutes)");
              w.stages.push_back(WorkflowStage{t[0].cast<std::string>(),
                                               t[1].cast<ResourceVector>(),
                                               ToMinutes(t[2].cast<double>(), "stage minutes")});
            }
            return Unwrap(p.AddWorkflow(std::move(w)));
          },
          py::arg("name"), py::arg("stages"),
          "Adds a template [(stage, demand, minutes), ...]; returns its id")
      .def(
          "assign_workflow",
          [](BehaviorProfiler& p, long long slot, int workflow, py::handle time) {
            ThrowIfError(p.AssignWorkflow(ToSlot(slot), workflow, ToTime(time)));
          },
          py::arg("slot"), py::arg("workflow"), py::arg("time"))
      .def(
          "workflow_match",
          [](const BehaviorProfiler& p, long long slot) {
            const WorkflowMatch w = p.workflows().Match(ToSlot(slot));
            return py::make_tuple(w.workflow, w.stage);
          },
          py::arg("slot"), "(workflow id, stage), (-1, -1) when unmatched")
      .def("observed",
           [](const BehaviorProfiler& p, long long slot) { return p.observed(ToSlot(slot)); })
      .def_property_readonly("slots", &BehaviorProfiler::slots)
      .def_property_readonly("skipped", &BehaviorProfiler::skipped)
      .def_property_readonly("bytes_per_slot", &BehaviorProfiler::BytesPerSlot);
}

}  // namespace foresight::python
