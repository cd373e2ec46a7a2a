// -----------------------------------------------------------------------------
// File: by_resource.hpp
// -----------------------------------------------------------------------------
//
// `ByResource<CpuF, MemoryF, IoF, NetF>` forecasts each resource with its own
// forecaster. Resources fail differently, so one model rarely suits them all:
// a CPU limit that is one step late only throttles and can be corrected at
// the next tick, so CPU is best *tracked* (a one-step model with a moderate
// quantile); a memory limit that is undercut once is an OOM, so memory wants
// an upper envelope with a tail margin.
//
//   absl::StatusOr<ByResource<Conformal<LastValue>, Conformal<PeakEnvelope>>> f =
//       ByResource<Conformal<LastValue>, Conformal<PeakEnvelope>>::Create(
//           Conformal<LastValue>(LastValue{}, c, kTailQuantileLevels),
//           Conformal<PeakEnvelope>(PeakEnvelope(e), c, kTailQuantileLevels));
//
// IO and network default to the CPU forecaster's type (rates, like CPU).
//
// It is a *resource-aware* forecaster (see `ResourceAwareForecaster` in
// forecaster.hpp):
// `FitFor(r, history)` fits resource r's model, and the state remembers which
// model it belongs to, so `Update` and `Predict` need no resource. The
// `Controller` calls `FitFor` when a forecaster has it. A resource-blind
// caller's `Fit` uses the CPU model.
//
// Every model must forecast the same quantile levels (the `Controller` keeps
// one table of levels for all resources); `Create` checks this and fails with
// InvalidArgumentError otherwise.
//
// Cost: a state is the chosen model's state plus a variant tag; calls cost
// what the chosen model's calls cost.
#ifndef FORESIGHT_FORECAST_BY_RESOURCE_HPP_
#define FORESIGHT_FORECAST_BY_RESOURCE_HPP_

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/core/resources.hpp"
#include "foresight/forecast/forecaster.hpp"

namespace foresight {

template <Forecaster CpuF, Forecaster MemoryF, Forecaster IoF = CpuF, Forecaster NetF = CpuF>
class ByResource {
 public:
  // Alternative k is resource k's state (the index, not the type, says which:
  // the types may repeat).
  using State = std::variant<typename CpuF::State, typename MemoryF::State, typename IoF::State,
                             typename NetF::State>;

  static absl::StatusOr<ByResource> Create(CpuF cpu, MemoryF memory, IoF io, NetF net) {
    ByResource f(std::move(cpu), std::move(memory), std::move(io), std::move(net));
    if (absl::Status s = f.CheckLevels(); !s.ok()) return s;
    return f;
  }
  // IO and network forecast with copies of the CPU forecaster.
  static absl::StatusOr<ByResource> Create(CpuF cpu, MemoryF memory)
    requires(std::same_as<IoF, CpuF> && std::same_as<NetF, CpuF>)
  {
    CpuF io = cpu, net = cpu;
    return Create(std::move(cpu), std::move(memory), std::move(io), std::move(net));
  }

  absl::StatusOr<State> FitFor(Resource r, std::span<const double> history) const {
    switch (r) {
      case Resource::kCpu: return Wrap<0>(std::get<0>(models_).Fit(history));
      case Resource::kMemory: return Wrap<1>(std::get<1>(models_).Fit(history));
      case Resource::kIo: return Wrap<2>(std::get<2>(models_).Fit(history));
      case Resource::kNet: return Wrap<3>(std::get<3>(models_).Fit(history));
    }
    return absl::InvalidArgumentError("ByResource: unknown resource");
  }
  absl::StatusOr<State> Fit(std::span<const double> history) const {
    return FitFor(Resource::kCpu, history);
  }
  void Update(State& state, double y) const {
    Dispatch(state, [y](const auto& model, auto& s) { model.Update(s, y); });
  }
  // Passes the end of a series to its resource's model (see EndSeries).
  void End(State& state) const {
    Dispatch(state, [](const auto& model, auto& s) { EndSeries(model, s); });
  }
  Forecast Predict(const State& state, int horizon) const {
    return Dispatch(state, [horizon](const auto& model, const auto& s) {
      return model.Predict(s, horizon);
    });
  }
  static std::string_view Name() { return "by_resource"; }

  const CpuF& cpu() const { return std::get<0>(models_); }
  const MemoryF& memory() const { return std::get<1>(models_); }
  const IoF& io() const { return std::get<2>(models_); }
  const NetF& net() const { return std::get<3>(models_); }

 private:
  ByResource(CpuF cpu, MemoryF memory, IoF io, NetF net)
      : models_(std::move(cpu), std::move(memory), std::move(io), std::move(net)) {}

  template <std::size_t I, typename S>
  static absl::StatusOr<State> Wrap(absl::StatusOr<S> s) {
    if (!s.ok()) return s.status();
    return State(std::in_place_index<I>, *std::move(s));
  }

  // Calls fn(model k, state as alternative k) for the state's alternative k.
  template <typename StateT, typename Fn>
  decltype(auto) Dispatch(StateT& state, Fn&& fn) const {
    switch (state.index()) {
      case 1: return fn(std::get<1>(models_), std::get<1>(state));
      case 2: return fn(std::get<2>(models_), std::get<2>(state));
      case 3: return fn(std::get<3>(models_), std::get<3>(state));
      default: return fn(std::get<0>(models_), std::get<0>(state));
    }
  }

  absl::Status CheckLevels() const {
    std::array<Forecast, kNumResources> cold;
    for (Resource r : kAllResources) {
      absl::StatusOr<State> s = FitFor(r, {});
      if (!s.ok()) return s.status();
      cold[Index(r)] = Predict(*s, 1);
    }
    for (Resource r : kAllResources) {
      std::span<const double> a = cold[0].levels(), b = cold[Index(r)].levels();
      if (!std::equal(a.begin(), a.end(), b.begin(), b.end())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "ByResource: the ", Sv(ResourceName(r)), " forecaster has ", b.size(),
            " quantile levels that differ from the cpu forecaster's ", a.size(),
            "; every resource must forecast the same levels"));
      }
    }
    return absl::OkStatus();
  }

  std::tuple<CpuF, MemoryF, IoF, NetF> models_;
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_BY_RESOURCE_HPP_
