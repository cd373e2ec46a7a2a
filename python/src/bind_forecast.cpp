// forecast: Forecast, the shipped forecasters and the `make_forecaster`
// dispatcher (runtime names -> template choices behind one std::variant).
#include <charconv>
#include <iterator>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common.hpp"
#include "foresight/forecast/backtest.hpp"
#include "foresight/forecast/forecast.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/seasonal_naive.hpp"
#ifdef FORESIGHT_PYTHON_WITH_FORECAST_REGISTRY
#include "forecast_eval.hpp"
#include "foresight/core/named_knobs.hpp"
#include "foresight/forecast/registry.hpp"
#include "m4_csv.hpp"
#endif

namespace foresight::python {
namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::vector<double> ToVector(const Array& a, const char* what) {
  if (a.ndim() > 1) throw py::value_error(absl::StrCat(what, " must be one-dimensional"));
  std::vector<double> out(a.data(), a.data() + a.size());
  return out;
}

// A forecaster and the state of one series, as Python sees it: fit, update, predict.
template <typename F>
class Model {
 public:
  explicit Model(F f) : f_(std::move(f)), state_(Unwrap(f_.Fit({}))) {}

  void Fit(const Array& history) {
    const std::vector<double> y = ToVector(history, "history");
    state_ = Unwrap(f_.Fit(y));  // a failed fit leaves the previous state
    samples_ = static_cast<long long>(y.size());
  }
  void Update(const Array& values) {
    const std::vector<double> y = ToVector(values, "values");
    if (absl::Status s = internal::CheckFinite(y, F::Name()); !s.ok()) ThrowIfError(s);
    for (double v : y) f_.Update(state_, v);
    samples_ += static_cast<long long>(y.size());
  }
  Forecast Predict(int horizon) const {
    if (horizon < 1) throw py::value_error(absl::StrCat("horizon must be >= 1, got ", horizon));
    return f_.Predict(state_, horizon);
  }
  std::string Name() const {
    if constexpr (requires { f_.name(); }) {
      return f_.name();  // a registry method: its registry name
    } else {
      return std::string(F::Name());
    }
  }
  long long samples() const { return samples_; }
  // Rolling-origin scores of this forecaster on `series` (from a fresh fit;
  // the model's own state is not touched).
  BacktestResult Backtest(const Array& series, int horizon, std::size_t start) const {
    const std::vector<double> y = ToVector(series, "series");
    return Unwrap(foresight::Backtest(f_, y, {.horizon = horizon, .start = start}));
  }

 private:
  F f_;
  typename F::State state_;
  long long samples_ = 0;
};

// The three foundation forecasters with all their parameters, plus any other
// method of the forecasting module's run-time registry (type-erased there).
using AnyModel = std::variant<Model<LastValue>, Model<SeasonalNaive>, Model<HoltWinters>
#ifdef FORESIGHT_PYTHON_WITH_FORECAST_REGISTRY
                              ,
                              Model<AnyForecaster>
#endif
                              >;

// The dispatcher's result: any shipped forecaster behind one Python type.
class PyForecaster {
 public:
  explicit PyForecaster(AnyModel m) : m_(std::move(m)) {}
  void Fit(const Array& h) {
    std::visit([&](auto& m) { m.Fit(h); }, m_);
  }
  void Update(const Array& v) {
    std::visit([&](auto& m) { m.Update(v); }, m_);
  }
  Forecast Predict(int h) const {
    return std::visit([&](const auto& m) { return m.Predict(h); }, m_);
  }
  std::string Name() const {
    return std::visit([](const auto& m) { return m.Name(); }, m_);
  }
  long long samples() const {
    return std::visit([](const auto& m) { return m.samples(); }, m_);
  }
  BacktestResult Backtest(const Array& series, int horizon, std::size_t start) const {
    return std::visit([&](const auto& m) { return m.Backtest(series, horizon, start); }, m_);
  }

 private:
  AnyModel m_;
};

int CheckSeason(int season) {
  if (season < 1) throw py::value_error(absl::StrCat("season must be >= 1, got ", season));
  return season;
}

HoltWintersOptions CheckHoltWinters(HoltWintersOptions o) {
  CheckSeason(o.season);
  auto in = [](double x, double lo, double hi, bool lo_open, bool hi_open) {
    return std::isfinite(x) && (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
  };
  if (!in(o.alpha, 0, 1, true, false)) throw py::value_error("alpha must be in (0, 1]");
  if (!in(o.beta, 0, 1, false, true)) throw py::value_error("beta must be in [0, 1)");
  if (!in(o.gamma, 0, 1, false, true)) throw py::value_error("gamma must be in [0, 1)");
  if (!in(o.phi, 0, 1, true, false)) throw py::value_error("phi must be in (0, 1]");
  return o;
}

internal::ErrorQuantiles::Options ErrorOptions(int horizon, bool follow_scale) {
  if (horizon < 1) throw py::value_error("error_horizon must be >= 1");
  internal::ErrorQuantiles::Options e;
  e.horizon = horizon;
  e.follow_scale = follow_scale;
  return e;
}

std::vector<std::string> Names() {
  std::vector<std::string> names = {"naive", "seasonal_naive", "holt_winters"};
#ifdef FORESIGHT_PYTHON_WITH_FORECAST_REGISTRY
  for (const std::string& n : ForecasterRegistry::Default().Names()) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
#endif
  return names;
}

// "holt_winters", season=288 -> PyForecaster. Unknown names or parameters are ValueErrors.
PyForecaster MakeForecaster(const std::string& name, const py::kwargs& kwargs) {
  std::vector<std::string> allowed;
  auto get = [&](const char* key, auto fallback) {
    allowed.push_back(key);
    using T = decltype(fallback);
    if (!kwargs.contains(key)) return fallback;
    try {
      return kwargs[key].cast<T>();
    } catch (const py::cast_error&) {
      throw py::value_error(absl::StrCat("parameter '", key, "' of forecaster '", name,
                                         "' must be ",
                                         std::is_same_v<T, bool> ? "True or False"
                                         : std::is_integral_v<T> ? "an integer"
                                                                 : "a number"));
    }
  };
  auto check_unknown = [&] {
    for (const auto& item : kwargs) {
      const std::string key = py::str(item.first);
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
        throw py::value_error(absl::StrCat("unknown parameter '", key, "' for forecaster '", name,
                                           "' (expected: ", list.empty() ? "none" : list, ")"));
      }
    }
  };
  if (name == "naive" || name == "last_value") {
    const int error_horizon = get("error_horizon", 12);
    const bool follow_scale = get("follow_scale", true);
    check_unknown();
    return PyForecaster(Model<LastValue>(
        LastValue(internal::LastValueModel{}, ErrorOptions(error_horizon, follow_scale))));
  }
  if (name == "snaive" || name == "seasonal_naive") {
    const int season = get("season", 24);
    const int error_horizon = get("error_horizon", 12);
    const bool follow_scale = get("follow_scale", true);
    check_unknown();
    return PyForecaster(Model<SeasonalNaive>(
        SeasonalNaive(CheckSeason(season), ErrorOptions(error_horizon, follow_scale))));
  }
  if (name == "holt_winters" || name == "hw") {
    HoltWintersOptions o;
    o.season = get("season", o.season);
    o.alpha = get("alpha", o.alpha);
    o.beta = get("beta", o.beta);
    o.gamma = get("gamma", o.gamma);
    o.phi = get("phi", o.phi);
    const int error_horizon = get("error_horizon", 12);
    const bool follow_scale = get("follow_scale", true);
    check_unknown();
    return PyForecaster(Model<HoltWinters>(
        HoltWinters(CheckHoltWinters(o), ErrorOptions(error_horizon, follow_scale))));
  }
#ifdef FORESIGHT_PYTHON_WITH_FORECAST_REGISTRY
  const ForecasterRegistry& registry = ForecasterRegistry::Default();
  if (registry.Contains(name) || name.starts_with("conformal_")) {
    MethodConfig config;
    config.season = get("season", config.season);
    config.horizon = get("horizon", config.horizon);
    config.seed = get("seed", config.seed);
    // The method's knobs as keyword arguments: make_forecaster("ets",
    // damped=0) is "ets[damped=0]" (after any knobs already in the name).
    // season, horizon and seed are the config's: the ensembles' horizon knob
    // is set in the name, "ensemble[horizon=24]".
    std::vector<std::string> settings;
    const std::size_t open = name.find('[');
    for (const ForecasterKnob& k : registry.Knobs(name.substr(0, open))) {
      if (k.name == "season" || k.name == "horizon" || k.name == "seed") continue;
      if (!kwargs.contains(k.name)) {
        allowed.push_back(k.name);
        continue;
      }
      // The shortest text that reads back as the same double.
      char text[32];
      const double v = get(k.name.c_str(), 0.0);
      const std::to_chars_result r = std::to_chars(std::begin(text), std::end(text), v);
      settings.push_back(absl::StrCat(k.name, "=", std::string(text, r.ptr)));
    }
    check_unknown();
    CheckSeason(config.season);
    if (config.horizon < 1) throw py::value_error("horizon must be >= 1");
    std::string full = name;
    if (!settings.empty()) {
      const std::string joined = absl::StrJoin(settings, ",");
      full = open == std::string::npos
                 ? absl::StrCat(name, "[", joined, "]")
                 : absl::StrCat(name.substr(0, name.size() - 1), name.size() - open > 2 ? "," : "",
                                joined, "]");
    }
    return PyForecaster(Model<AnyForecaster>(Unwrap(registry.Make(full, config))));
  }
#endif
  throw py::value_error(absl::StrCat("unknown forecaster '", name,
                                     "' (expected one of: ", absl::StrJoin(Names(), ", "), ")"));
}

#ifdef FORESIGHT_PYTHON_WITH_FORECAST_REGISTRY
// `foresight forecast-eval` on series in memory: {id: values} for training and
// test. Returns the report's JSON and the per-series CSV (`PerSeriesCsv`);
// foresight.forecast_eval parses both.
std::pair<std::string, std::string> ForecastEvalJson(const py::dict& train, const py::dict& test,
                                                     const std::vector<std::string>& methods,
                                                     int horizon, int season, bool rolling,
                                                     int threads) {
  auto series = [](const py::dict& d, const char* what) {
    std::vector<M4Series> out;
    for (const auto& [key, value] : d) {
      M4Series& x = out.emplace_back();
      x.id = py::str(key);
      x.values = ToVector(value.cast<Array>(), what);
    }
    return out;
  };
  const std::vector<M4Series> x = series(train, "train values");
  const std::vector<M4Series> y = series(test, "test values");
  // Each entry may be a list, "naive,ensemble[horizon=24,power=1]": split
  // as --method is, on the commas outside brackets.
  std::vector<std::string> names;
  for (const std::string& m : methods) {
    for (std::string_view name : SplitNames(m)) names.emplace_back(name);
  }
  const ForecastEvalOptions o{.train_path = "",
                              .test_path = "",
                              .horizon = horizon,
                              .season = season,
                              .methods = names,
                              .json_path = "",
                              .threads = threads,
                              .rolling = rolling,
                              .per_series_path = ""};
  py::gil_scoped_release release;
  if (rolling) {
    RollingReport r = Unwrap(EvaluateRolling(o, x, y));
    return {RollingJson(r), PerSeriesCsv(r.per_series, true)};
  }
  EvalReport r = Unwrap(EvaluateForecasts(o, x, y));
  return {ReportJson(r), PerSeriesCsv(r.per_series, false)};
}
#endif

py::array_t<double> ToArray(std::span<const double> v) {
  py::array_t<double> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

// A horizon x levels array from BacktestResult's row-major scores.
py::array_t<double> StepByLevel(const std::vector<double>& v, int horizon, std::size_t levels) {
  py::array_t<double> a({static_cast<py::ssize_t>(horizon), static_cast<py::ssize_t>(levels)});
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

py::dict BacktestDict(const BacktestResult& r) {
  py::dict d;
  d["levels"] = ToArray(r.levels);
  py::array_t<long long> scored(static_cast<py::ssize_t>(r.scored.size()));
  std::copy(r.scored.begin(), r.scored.end(), scored.mutable_data());
  d["scored"] = scored;
  d["mae"] = ToArray(r.mae);
  d["rmse"] = ToArray(r.rmse);
  d["coverage"] = StepByLevel(r.coverage, r.horizon, r.levels.size());
  d["pinball"] = StepByLevel(r.pinball, r.horizon, r.levels.size());
  return d;
}

template <typename M, typename Cls>
void BindModelMethods(Cls& cls) {
  cls.def(
         "fit",
         [](M& m, const Array& h) -> M& {
           m.Fit(h);
           return m;
         },
         py::arg("history"), py::return_value_policy::reference_internal,
         "Fits on a 1-D history (replaces the state); returns self. ValueError on NaN/inf.")
      .def(
          "update",
          [](M& m, const Array& v) -> M& {
            m.Update(v);
            return m;
          },
          py::arg("values"), py::return_value_policy::reference_internal,
          "Appends one value or a 1-D array; returns self")
      .def("predict", &M::Predict, py::arg("horizon"), "Forecast of steps 1..horizon")
      .def(
          "backtest",
          [](const M& m, const Array& series, int horizon, long long start) {
            if (start < 0) throw py::value_error(absl::StrCat("start must be >= 0, got ", start));
            return BacktestDict(m.Backtest(series, horizon, static_cast<std::size_t>(start)));
          },
          py::arg("series"), py::arg("horizon") = 1, py::arg("start") = 0,
          "Rolling-origin scores on a 1-D series, from a fresh fit of its first `start` values:\n"
          "at each later origin, steps 1..horizon are forecast, scored, then the value learnt.\n"
          "Returns a dict: levels, scored (per step), mae and rmse (per step), coverage and\n"
          "pinball (steps x levels: share of values at or below each quantile, mean pinball\n"
          "loss). The model's own state is not touched. ValueError on NaN/inf or bad args.")
      .def_property_readonly("name", &M::Name)
      .def_property_readonly("samples", &M::samples, "samples learnt since the last fit");
}

}  // namespace

void BindForecast(py::module_& m) {
  py::class_<Forecast>(m, "Forecast", "Mean and quantiles for steps 1..horizon, plus a confidence")
      .def_property_readonly("horizon", &Forecast::horizon)
      .def_property_readonly("levels", [](const Forecast& f) { return ToArray(f.levels()); })
      .def_property_readonly("mean", [](const Forecast& f) { return ToArray(f.means()); })
      .def_property_readonly(
          "quantiles",
          [](const Forecast& f) {
            py::array_t<double> a(
                {static_cast<py::ssize_t>(f.horizon()), static_cast<py::ssize_t>(f.num_levels())});
            auto out = a.mutable_unchecked<2>();
            for (int s = 1; s <= f.horizon(); ++s) {
              std::span<const double> q = f.quantiles(s);
              for (std::size_t k = 0; k < q.size(); ++k)
                out(s - 1, static_cast<py::ssize_t>(k)) = q[k];
            }
            return a;
          },
          "horizon x levels array")
      .def_property_readonly("confidence", &Forecast::confidence)
      .def(
          "quantile",
          [](const Forecast& f, int step, double p) {
            if (step < 1 || step > f.horizon()) throw py::index_error("step must be in 1..horizon");
            if (!(p >= 0.0 && p <= 1.0)) throw py::value_error("p must be in [0, 1]");
            return f.Quantile(step, p);
          },
          py::arg("step"), py::arg("p"), "Interpolated quantile at probability p of a 1-based step")
      .def("__repr__", [](const Forecast& f) {
        return absl::StrCat("Forecast(horizon=", f.horizon(), ", confidence=", f.confidence(), ")");
      });

  py::class_<Model<LastValue>> last(m, "LastValue",
                                    "Naive forecaster: every step is the latest value");
  last.def(py::init([](int error_horizon, bool follow_scale) {
             return Model<LastValue>(
                 LastValue(internal::LastValueModel{}, ErrorOptions(error_horizon, follow_scale)));
           }),
           py::arg("error_horizon") = 12, py::arg("follow_scale") = true);
  BindModelMethods<Model<LastValue>>(last);

  py::class_<Model<SeasonalNaive>> snaive(m, "SeasonalNaive", "The value one season earlier");
  snaive.def(py::init([](int season, int error_horizon, bool follow_scale) {
               return Model<SeasonalNaive>(
                   SeasonalNaive(CheckSeason(season), ErrorOptions(error_horizon, follow_scale)));
             }),
             py::arg("season") = 24, py::arg("error_horizon") = 12, py::arg("follow_scale") = true);
  BindModelMethods<Model<SeasonalNaive>>(snaive);

  py::class_<Model<HoltWinters>> hw(m, "HoltWinters", "Additive Holt-Winters with damped trend");
  hw.def(py::init([](int season, double alpha, double beta, double gamma, double phi,
                     int error_horizon, bool follow_scale) {
           HoltWintersOptions o{season, alpha, beta, gamma, phi};
           return Model<HoltWinters>(
               HoltWinters(CheckHoltWinters(o), ErrorOptions(error_horizon, follow_scale)));
         }),
         py::arg("season") = 24, py::arg("alpha") = 0.2, py::arg("beta") = 0.01,
         py::arg("gamma") = 0.25, py::arg("phi") = 0.98, py::arg("error_horizon") = 12,
         py::arg("follow_scale") = true);
  BindModelMethods<Model<HoltWinters>>(hw);

  py::class_<PyForecaster> any(m, "Forecaster",
                               "Any shipped forecaster, chosen by name (make_forecaster)");
  BindModelMethods<PyForecaster>(any);

  m.def("make_forecaster", &MakeForecaster, py::arg("name"),
        "make_forecaster('holt_winters', season=288, alpha=0.2, ...) -> Forecaster.\n"
        "Names: naive (last_value), seasonal_naive (snaive), holt_winters (hw) with their own\n"
        "parameters, error_horizon and follow_scale; any other name of the forecasting module's\n"
        "registry (arima, ets, markov, lstm, ensemble, conformal_<name>, ...) with season,\n"
        "horizon, seed and the method's knobs (forecaster_knobs(name)), as keyword arguments\n"
        "or in the name: make_forecaster('ets', damped=0) is make_forecaster('ets[damped=0]').");
  m.def("forecaster_names", &Names, "Names accepted by make_forecaster");
#ifdef FORESIGHT_PYTHON_WITH_FORECAST_REGISTRY
  m.def(
      "forecaster_knobs",
      [](const std::string& name) {
        py::dict out;
        for (const ForecasterKnob& k : ForecasterRegistry::Default().Knobs(name)) {
          out[py::str(k.name)] = k.description;
        }
        return out;
      },
      py::arg("name"),
      "forecaster_knobs('ets') -> {knob: 'what it does (default); its range'}: the knobs\n"
      "make_forecaster takes as keyword arguments or in the name, 'ets[damped=0]'.");
#endif
#ifdef FORESIGHT_PYTHON_WITH_FORECAST_REGISTRY
  m.def("_forecast_eval_json", &ForecastEvalJson, py::arg("train"), py::arg("test"),
        py::arg("methods"), py::arg("horizon"), py::arg("season"), py::arg("rolling"),
        py::arg("threads"));
  m.attr("has_forecast_eval") = true;
#else
  m.attr("has_forecast_eval") = false;
#endif
}

}  // namespace foresight::python
