// -----------------------------------------------------------------------------
// File: registry.hpp
// -----------------------------------------------------------------------------
//
// `ForecasterRegistry` is the one place where run-time method names (CLI flags,
// Python strings) map onto the static forecaster templates: a name resolves
// to a factory that builds a type-erased `AnyForecaster` from a
// `MethodConfig` (seasonal period, horizon, seed).
//
//   const ForecasterRegistry& reg = ForecasterRegistry::Default();
//   absl::StatusOr<AnyForecaster> f = reg.Make("conformal_holt_winters", {.season = 24});
//
// Built-in names (compiled in src/forecast/registry.cpp, target
// foresight::forecast_registry): naive, snaive, holt_winters, multi_seasonal,
// markov, lstm, ensemble, ensemble_arima, and "conformal_<name>" for any registered <name>
// (the `Conformal<>` decorator around it). The statistical family (naive2,
// ses, theta, ets, arima) is registered when its headers are present.
// `Names()` lists what this build has. Safe to use from many threads.
// Knobs: "name[knob=value,...]" sets a method's options, e.g.
// "ensemble[horizon=24,quantile_stride=1]", "holt_winters[alpha=0.3]",
// "conformal_ets[window=100,damped=0]" (`Knobs(name)` lists a method's with
// their defaults and ranges; every built-in method but naive and snaive has some).
#ifndef FORESIGHT_FORECAST_REGISTRY_HPP_
#define FORESIGHT_FORECAST_REGISTRY_HPP_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/forecast/internal/any_forecaster.hpp"

namespace foresight {

struct MethodConfig {
  int season = 1;           // seasonal period m (1 = none)
  int horizon = 12;         // steps the caller will ask for
  std::uint64_t seed = 42;  // for stochastic methods (lstm)
  // Knob values from "name[knob=value,...]", in the order written; `Make`
  // has checked the keys against the method's registered knobs. A factory
  // reads them with `Knob` and checks their ranges.
  std::vector<std::pair<std::string, double>> knobs = {};

  // The last value given for `key`, else `fallback`.
  double Knob(std::string_view key, double fallback) const {
    for (const auto& [k, v] : knobs) {
      if (k == key) fallback = v;
    }
    return fallback;
  }
};

// A tunable setting of a registered method (see `Make`).
struct ForecasterKnob {
  std::string name;
  std::string description;  // includes the default
};

class ForecasterRegistry {
 public:
  using Factory = std::function<absl::StatusOr<AnyForecaster>(const MethodConfig&)>;

  // The process-wide registry with every built-in method.
  static ForecasterRegistry& Default();

  // Fails with AlreadyExists for a taken name and InvalidArgument for an
  // empty name, one starting with the reserved prefix "conformal_", or a knob
  // named like one of `ConformalKnobs()`.
  // `knobs` are the settings "name[knob=value,...]" may change.
  absl::Status Register(std::string name, std::string help, Factory factory,
                        std::vector<ForecasterKnob> knobs = {});

  // Builds the named method; "conformal_<name>" wraps <name> in Conformal<>.
  // "name[knob=value,...]" (e.g. "ensemble[horizon=24,quantile_stride=6]")
  // builds it with those knobs set in `config.knobs`, and the forecaster is
  // named as written; an unknown knob, a value that is not a number, and a
  // value the method refuses are InvalidArgument errors that name them.
  absl::StatusOr<AnyForecaster> Make(std::string_view name, const MethodConfig& config) const;

  // Whether `name`'s base (without "conformal_" and "[...]") is registered.
  bool Contains(std::string_view name) const;
  std::vector<std::string> Names() const;         // sorted
  std::string Help(std::string_view name) const;  // "" when unknown
  // A method's knobs (empty when unknown; a "[...]" part is ignored); for
  // "conformal_<name>", the wrapper's (`ConformalKnobs`) and then <name>'s.
  std::vector<ForecasterKnob> Knobs(std::string_view name) const;
  // The knobs "conformal_<name>[...]" gives the Conformal<> wrapper itself:
  // window, calibration, min_residuals, tail_fraction. No method registers a
  // knob of the same name (the wrapper would take it).
  static std::vector<ForecasterKnob> ConformalKnobs();

 private:
  struct Entry {
    std::string help;
    Factory factory;
    std::vector<ForecasterKnob> knobs;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

// Registers the built-in methods into `registry` (used by Default()).
void RegisterBuiltinForecasters(ForecasterRegistry& registry);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_REGISTRY_HPP_
