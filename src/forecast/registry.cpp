// -----------------------------------------------------------------------------
// File: registry.cpp
// -----------------------------------------------------------------------------
//
// The method registry and its built-in methods (see registry.hpp).
#include "foresight/forecast/registry.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/ensemble.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/lstm.hpp"
#include "foresight/forecast/markov_chain.hpp"
#include "foresight/forecast/multi_seasonal.hpp"
#include "foresight/forecast/seasonal_naive.hpp"

namespace foresight {
namespace {

constexpr std::string_view kConformalPrefix = "conformal_";

internal::ErrorQuantiles::Options ErrorOptions(const MethodConfig& c) {
  internal::ErrorQuantiles::Options o;
  o.horizon = std::clamp(c.horizon, 1, 64);
  return o;
}

}  // namespace

ForecasterRegistry& ForecasterRegistry::Default() {
  static ForecasterRegistry* registry = [] {
    auto* r = new ForecasterRegistry();
    RegisterBuiltinForecasters(*r);
    return r;
  }();
  return *registry;
}

absl::Status ForecasterRegistry::Register(std::string name, std::string help, Factory factory) {
  if (name.empty() || std::string_view(name).starts_with(kConformalPrefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("forecaster name '", name, "' is empty or uses the reserved prefix 'conformal_'"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.contains(name)) {
    return absl::AlreadyExistsError(absl::StrCat("forecaster '", name, "' is already registered"));
  }
  entries_.emplace(std::move(name), Entry{std::move(help), std::move(factory)});
  return absl::OkStatus();
}

absl::StatusOr<AnyForecaster> ForecasterRegistry::Make(std::string_view name,
                                                       const MethodConfig& config) const {
  if (config.season < 1 || config.horizon < 1) {
    return absl::InvalidArgumentError(absl::StrCat("method '", Sv(name), "': season (", config.season,
                                                   ") and horizon (", config.horizon,
                                                   ") must be >= 1"));
  }
  if (name.starts_with(kConformalPrefix)) {
    const std::string_view base = name.substr(kConformalPrefix.size());
    absl::StatusOr<AnyForecaster> inner = Make(base, config);
    if (!inner.ok()) return inner.status();
    ConformalOptions o;
    o.horizon = config.horizon;
    return AnyForecaster(Conformal<AnyForecaster>(*std::move(inner), o), std::string(name));
  }
  Factory factory;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      std::vector<std::string> names;
      for (const auto& [n, e] : entries_) names.push_back(n);
      return absl::NotFoundError(absl::StrCat("unknown forecasting method '", Sv(name),
                                              "'; known: ", absl::StrJoin(names, ", "),
                                              " (and conformal_<name>)"));
    }
    factory = it->second.factory;
  }
  absl::StatusOr<AnyForecaster> made = factory(config);
  if (!made.ok()) return made.status();
  made->set_name(std::string(name));
  return made;
}

bool ForecasterRegistry::Contains(std::string_view name) const {
  if (name.starts_with(kConformalPrefix)) return Contains(name.substr(kConformalPrefix.size()));
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.find(name) != entries_.end();
}

std::vector<std::string> ForecasterRegistry::Names() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  for (const auto& [n, e] : entries_) names.push_back(n);
  return names;
}

std::string ForecasterRegistry::Help(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  return it == entries_.end() ? std::string() : it->second.help;
}

void RegisterBuiltinForecasters(ForecasterRegistry& r) {
  auto add = [&r](std::string name, std::string help, ForecasterRegistry::Factory f) {
    // Built-in names are distinct, so registration cannot fail.
    absl::Status s = r.Register(std::move(name), std::move(help), std::move(f));
    (void)s;
  };
  add("naive", "last value (LastValue)",
      [](const MethodConfig& c) -> absl::StatusOr<AnyForecaster> {
        return AnyForecaster(LastValue(internal::LastValueModel{}, ErrorOptions(c)));
      });
  add("snaive", "seasonal naive at lag --season (SeasonalNaive)",
      [](const MethodConfig& c) -> absl::StatusOr<AnyForecaster> {
        return AnyForecaster(SeasonalNaive(c.season, ErrorOptions(c)));
      });
  add("holt_winters", "additive damped Holt-Winters with fixed smoothing (HoltWinters)",
      [](const MethodConfig& c) -> absl::StatusOr<AnyForecaster> {
        return AnyForecaster(HoltWinters({.season = c.season}, ErrorOptions(c)));
      });
  add("multi_seasonal", "double-seasonal Holt-Winters, periods m and 7m (MultiSeasonal)",
      [](const MethodConfig& c) -> absl::StatusOr<AnyForecaster> {
        return AnyForecaster(
            MultiSeasonal({.season1 = c.season, .season2 = 7 * c.season}, ErrorOptions(c)));
      });
  add("markov", "quantile-bin Markov chain conditioned on the phase of m (MarkovChain)",
      [](const MethodConfig& c) -> absl::StatusOr<AnyForecaster> {
        return AnyForecaster(MarkovChain(
            {.states = 12, .season = c.season, .phases = std::min(c.season, 24)}));
      });
  add("lstm", "small LSTM with pinball quantile heads, trained per series (SmallLstm)",
      [](const MethodConfig& c) -> absl::StatusOr<AnyForecaster> {
        return AnyForecaster(SmallLstm(
            {.hidden = 16, .horizon = c.horizon, .season = c.season, .epochs = 20, .seed = c.seed}));
      });
  add("ensemble", "accuracy-weighted ensemble of the seasonal members (Ensemble)",
      [&r](const MethodConfig& c) -> absl::StatusOr<AnyForecaster> {
        std::vector<AnyForecaster> members;
        for (std::string_view m : {"snaive", "holt_winters", "ets", "theta", "arima"}) {
          if (!r.Contains(m)) continue;
          absl::StatusOr<AnyForecaster> f = r.Make(m, c);
          if (!f.ok()) return f.status();
          members.push_back(*std::move(f));
        }
        EnsembleOptions o;
        o.horizon = std::min(c.horizon, 24);
        o.validation = std::max(2 * c.horizon, 48);
        return AnyForecaster(Ensemble(std::move(members), o));
      });
}

}  // namespace foresight
