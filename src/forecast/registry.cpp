// -----------------------------------------------------------------------------
// File: registry.cpp
// -----------------------------------------------------------------------------
//
// The method registry and its built-in methods (see registry.hpp).
#include "foresight/forecast/registry.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/core/named_knobs.hpp"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/ensemble.hpp"
#include "foresight/forecast/ewma.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/lstm.hpp"
#include "foresight/forecast/markov_chain.hpp"
#include "foresight/forecast/multi_seasonal.hpp"
#include "foresight/forecast/seasonal_naive.hpp"

// The statistical family (branch fc-stat) is registered when its headers are
// in the tree; each is built from the seasonal period through whichever of
// T({.season = m}), T(m) or T() it provides.
#if __has_include("foresight/forecast/auto_arima.hpp")
#include "foresight/forecast/auto_arima.hpp"
#define FORESIGHT_HAVE_AUTO_ARIMA 1
#endif
#if __has_include("foresight/forecast/ets.hpp")
#include "foresight/forecast/ets.hpp"
#define FORESIGHT_HAVE_ETS 1
#endif
#if __has_include("foresight/forecast/theta.hpp")
#include "foresight/forecast/theta.hpp"
#define FORESIGHT_HAVE_THETA 1
#endif
#if __has_include("foresight/forecast/naive2.hpp")
#include "foresight/forecast/naive2.hpp"
#define FORESIGHT_HAVE_NAIVE2 1
#endif
#if __has_include("foresight/forecast/ses.hpp")
#include "foresight/forecast/ses.hpp"
#define FORESIGHT_HAVE_SES 1
#endif

namespace foresight {
namespace {

constexpr std::string_view kConformalPrefix = "conformal_";

internal::ErrorQuantiles::Options ErrorOptions(const MethodConfig& c) {
  internal::ErrorQuantiles::Options o;
  o.horizon = std::max(c.horizon, 1);
  return o;
}

// Builds a policy from the seasonal period with the constructor it offers.
template <typename T>
[[maybe_unused]] absl::StatusOr<AnyForecaster> MakeSeasonal(const MethodConfig& c) {
  if constexpr (requires(int m) { T({.season = m}); }) {
    return AnyForecaster(T({.season = c.season}));
  } else if constexpr (std::is_constructible_v<T, int>) {
    return AnyForecaster(T(c.season));
  } else {
    return AnyForecaster(T());
  }
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

absl::Status ForecasterRegistry::Register(std::string name, std::string help, Factory factory,
                                          std::vector<ForecasterKnob> knobs) {
  if (name.empty() || std::string_view(name).starts_with(kConformalPrefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("forecaster name '", name, "' is empty or uses the reserved prefix 'conformal_'"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.contains(name)) {
    return absl::AlreadyExistsError(absl::StrCat("forecaster '", name, "' is already registered"));
  }
  entries_.emplace(std::move(name), Entry{std::move(help), std::move(factory), std::move(knobs)});
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
  absl::StatusOr<NamedKnobs> parsed = ParseNamedKnobs(name, "method");
  if (!parsed.ok()) return parsed.status();
  Factory factory;
  std::vector<ForecasterKnob> knobs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(parsed->base);
    if (it == entries_.end()) {
      std::vector<std::string> names;
      for (const auto& [n, e] : entries_) names.push_back(n);
      return absl::NotFoundError(absl::StrCat("unknown forecasting method '", Sv(parsed->base),
                                              "'; known: ", absl::StrJoin(names, ", "),
                                              " (and conformal_<name>)"));
    }
    factory = it->second.factory;
    knobs = it->second.knobs;
  }
  MethodConfig tuned = config;
  tuned.knobs.clear();
  const std::string what = absl::StrCat("method '", Sv(name), "'");
  for (const KnobSetting& setting : parsed->knobs) {
    auto known = std::find_if(knobs.begin(), knobs.end(),
                              [&](const ForecasterKnob& k) { return k.name == setting.key; });
    if (known == knobs.end()) {
      std::vector<std::string> names;
      for (const ForecasterKnob& k : knobs) names.push_back(k.name);
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": unknown knob '", setting.key, "' (knobs of '", Sv(parsed->base),
                       "': ", names.empty() ? "none" : absl::StrJoin(names, ", "), ")"));
    }
    absl::StatusOr<double> v = KnobValue(setting, what);
    if (!v.ok()) return v.status();
    tuned.knobs.emplace_back(setting.key, *v);
  }
  absl::StatusOr<AnyForecaster> made = factory(tuned);
  if (!made.ok() && parsed->bracketed) {
    return absl::Status(made.status().code(), absl::StrCat(what, ": ", made.status().message()));
  }
  if (!made.ok()) return made.status();
  made->set_name(std::string(name));
  return made;
}

bool ForecasterRegistry::Contains(std::string_view name) const {
  if (name.starts_with(kConformalPrefix)) return Contains(name.substr(kConformalPrefix.size()));
  const std::string_view base =
      StdSv(absl::StripAsciiWhitespace(Sv(name.substr(0, name.find('[')))));
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.find(base) != entries_.end();
}

std::vector<ForecasterKnob> ForecasterRegistry::Knobs(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  return it == entries_.end() ? std::vector<ForecasterKnob>() : it->second.knobs;
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
  auto add = [&r](std::string name, std::string help, ForecasterRegistry::Factory f,
                  std::vector<ForecasterKnob> knobs = {}) {
    // Built-in names are distinct, so registration cannot fail.
    absl::Status s = r.Register(std::move(name), std::move(help), std::move(f), std::move(knobs));
    (void)s;
  };
  add("naive", "last value (LastValue)",
      [](const MethodConfig& c) -> absl::StatusOr<AnyForecaster> {
        return AnyForecaster(LastValue(internal::LastValueModel{}, ErrorOptions(c)));
      });
  add("ewma", "exponentially weighted moving average, alpha 0.5 (Ewma)",
      [](const MethodConfig& c) -> absl::StatusOr<AnyForecaster> {
        return AnyForecaster(Ewma(Ewma::kDefaultAlpha, ErrorOptions(c)));
      });
  add("ewma_auto", "EWMA with alpha chosen per series by recent error (AdaptiveEwma)",
      [](const MethodConfig& c) -> absl::StatusOr<AnyForecaster> {
        absl::StatusOr<AdaptiveEwma> f = AdaptiveEwma::Create({}, ErrorOptions(c));
        if (!f.ok()) return f.status();
        return AnyForecaster(*std::move(f));
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
        // Five quantile heads and 10 epochs keep per-series training near
        // 50 ms on a 700-point history with a 48-step horizon.
        static constexpr double kLevels[] = {0.05, 0.25, 0.5, 0.75, 0.95};
        return AnyForecaster(SmallLstm({.hidden = 16,
                                        .horizon = c.horizon,
                                        .season = c.season,
                                        .epochs = 10,
                                        .learning_rate = 0.01,
                                        .max_train = 1000,
                                        .seed = c.seed},
                                       kLevels));
      });
#ifdef FORESIGHT_HAVE_AUTO_ARIMA
  add("arima", "automatic seasonal ARIMA, Hyndman-Khandakar stepwise (AutoArima)", &MakeSeasonal<AutoArima>);
#endif
#ifdef FORESIGHT_HAVE_ETS
  add("ets", "exponential smoothing state-space models chosen by AICc (Ets)", &MakeSeasonal<Ets>);
#endif
#ifdef FORESIGHT_HAVE_THETA
  add("theta", "Theta method on seasonally adjusted data (Theta)", &MakeSeasonal<Theta>);
#endif
#ifdef FORESIGHT_HAVE_NAIVE2
  add("naive2", "M4's Naive2: naive on classically deseasonalised data (Naive2)", &MakeSeasonal<Naive2>);
#endif
#ifdef FORESIGHT_HAVE_SES
  add("ses", "simple exponential smoothing (Ses)", &MakeSeasonal<Ses>);
#endif
  // Ensembles: "ensemble" uses the members that fit in milliseconds;
  // "ensemble_arima" adds auto-ARIMA (seconds per long seasonal series).
  ForecasterRegistry* registry = &r;
  auto ensemble = [registry](std::vector<std::string_view> names) {
    return [registry, names](const MethodConfig& c) -> absl::StatusOr<AnyForecaster> {
      MethodConfig plain = c;  // the members take none of the ensemble's knobs
      plain.knobs.clear();
      std::vector<AnyForecaster> members;
      for (std::string_view m : names) {
        if (!registry->Contains(m)) continue;
        absl::StatusOr<AnyForecaster> f = registry->Make(m, plain);
        if (!f.ok()) return f.status();
        members.push_back(*std::move(f));
      }
      EnsembleOptions o;
      // Weights per step ahead up to two days of hours; later steps take
      // step 48's. The ledgers grow with horizon², so the quantiles are
      // scored at one origin in horizon / 8: a scoring cost per update that
      // does not grow with the horizon (ensemble.md, session 27).
      o.horizon = std::min(c.horizon, 48);
      o.validation = std::max(2 * c.horizon, 48);
      // multi_seasonal's longer period: weights from a whole week of hours.
      o.cycle = 7 * c.season;
      // Knobs ("ensemble[horizon=24,quantile_stride=1,power=2]").
      const double horizon = c.Knob("horizon", o.horizon);
      if (!(horizon >= 1 && horizon <= 10'000 && horizon == std::floor(horizon))) {
        return absl::InvalidArgumentError(
            absl::StrCat("horizon must be a whole number of steps in [1, 10000], got ", horizon));
      }
      o.horizon = static_cast<int>(horizon);
      const double stride = c.Knob("quantile_stride", std::max(1, o.horizon / 8));
      if (!(stride >= 0 && stride <= 1e6 && stride == std::floor(stride))) {
        return absl::InvalidArgumentError(
            absl::StrCat("quantile_stride must be a whole number >= 0, got ", stride));
      }
      o.quantile_stride = static_cast<int>(stride);
      o.power = c.Knob("power", o.power);
      if (!(o.power > 0)) {
        return absl::InvalidArgumentError(absl::StrCat("power must be > 0, got ", o.power));
      }
      return AnyForecaster(Ensemble(std::move(members), o));
    };
  };
  const std::vector<ForecasterKnob> ensemble_knobs = {
      {"horizon", "steps ahead scored and weighted per step (default: the horizon, at most 48)"},
      {"quantile_stride",
       "score the members' quantiles at one origin in n, 0 = weigh them as the means "
       "(default: max(1, horizon / 8))"},
      {"power", "weights = error^-power (default 2)"}};
  add("ensemble",
      "accuracy-weighted ensemble of snaive, holt_winters, multi_seasonal, ets, theta (Ensemble)",
      ensemble({"snaive", "holt_winters", "multi_seasonal", "ets", "theta"}), ensemble_knobs);
  add("ensemble_arima", "the ensemble plus auto-ARIMA (Ensemble)",
      ensemble({"snaive", "holt_winters", "multi_seasonal", "ets", "theta", "arima"}),
      ensemble_knobs);
}

}  // namespace foresight
