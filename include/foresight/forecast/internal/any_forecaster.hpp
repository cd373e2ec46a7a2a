// -----------------------------------------------------------------------------
// File: internal/any_forecaster.hpp
// -----------------------------------------------------------------------------
//
// `AnyForecaster` erases the type of a `Forecaster` so that runtime choices
// (the method registry, the runtime `Ensemble`, the CLI, Python) can hold any
// policy behind one type. It is itself a `Forecaster`: its `State` is a
// copyable, type-erased box around the wrapped policy's state.
//
//   AnyForecaster f(HoltWinters({.season = 24}));
//   absl::StatusOr<AnyForecaster::State> s = f.Fit(history);
//   Forecast out = f.Predict(*s, 48);
//
// Copies of an `AnyForecaster` share the (immutable) policy object.
#ifndef FORESIGHT_FORECAST_INTERNAL_ANY_FORECASTER_HPP_
#define FORESIGHT_FORECAST_INTERNAL_ANY_FORECASTER_HPP_

#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "foresight/forecast/forecaster.hpp"

namespace foresight {

class AnyForecaster {
 public:
  class State {
   public:
    State() = default;
    State(const State& o) : box_(o.box_ ? o.box_->Clone() : nullptr) {}
    State(State&&) noexcept = default;
    State& operator=(const State& o) {
      if (this != &o) box_ = o.box_ ? o.box_->Clone() : nullptr;
      return *this;
    }
    State& operator=(State&&) noexcept = default;
    bool empty() const { return box_ == nullptr; }

   private:
    friend class AnyForecaster;
    struct Box {
      virtual ~Box() = default;
      virtual std::unique_ptr<Box> Clone() const = 0;
    };
    template <typename S>
    struct Typed final : Box {
      explicit Typed(S s) : value(std::move(s)) {}
      std::unique_ptr<Box> Clone() const override { return std::make_unique<Typed>(value); }
      S value;
    };
    explicit State(std::unique_ptr<Box> box) : box_(std::move(box)) {}
    std::unique_ptr<Box> box_;
  };

  template <Forecaster F>
    requires(!std::same_as<std::remove_cvref_t<F>, AnyForecaster>)
  explicit AnyForecaster(F policy, std::string name = std::string(F::Name()))
      : impl_(std::make_shared<const Model<F>>(std::move(policy))), name_(std::move(name)) {}

  static std::string_view Name() { return "any"; }
  // The name of the wrapped method (registry name, or the policy's Name()).
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  absl::StatusOr<State> Fit(std::span<const double> history) const { return impl_->Fit(history); }
  // Updating an empty (default-constructed) state is a no-op.
  void Update(State& state, double y) const {
    if (!state.empty()) impl_->Update(state, y);
  }
  // Predicting from an empty state yields a cold zero forecast.
  Forecast Predict(const State& state, int horizon) const {
    if (state.empty()) return Forecast(horizon < 0 ? 0 : horizon);
    return impl_->Predict(state, horizon);
  }
  // Predict's means alone (`MeanForecaster`): the wrapped policy's
  // `PredictMeans`, so wrapping keeps its cheap path; zeros for an empty state.
  void PredictMean(const State& state, std::span<double> out) const {
    if (state.empty()) {
      std::fill(out.begin(), out.end(), 0.0);
      return;
    }
    impl_->PredictMean(state, out);
  }
  // The wrapped policy's `WarmHistoryOf` (`WarmStartForecaster`).
  int WarmHistory() const { return impl_->WarmHistory(); }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual absl::StatusOr<State> Fit(std::span<const double> history) const = 0;
    virtual void Update(State& state, double y) const = 0;
    virtual Forecast Predict(const State& state, int horizon) const = 0;
    virtual void PredictMean(const State& state, std::span<double> out) const = 0;
    virtual int WarmHistory() const = 0;
  };
  template <typename F>
  struct Model final : Concept {
    using S = typename F::State;
    explicit Model(F f) : policy(std::move(f)) {}
    absl::StatusOr<State> Fit(std::span<const double> history) const override {
      absl::StatusOr<S> s = policy.Fit(history);
      if (!s.ok()) return s.status();
      return State(std::make_unique<State::Typed<S>>(*std::move(s)));
    }
    void Update(State& state, double y) const override {
      policy.Update(static_cast<State::Typed<S>&>(*state.box_).value, y);
    }
    Forecast Predict(const State& state, int horizon) const override {
      return policy.Predict(static_cast<const State::Typed<S>&>(*state.box_).value, horizon);
    }
    void PredictMean(const State& state, std::span<double> out) const override {
      PredictMeans(policy, static_cast<const State::Typed<S>&>(*state.box_).value, out);
    }
    int WarmHistory() const override { return WarmHistoryOf(policy); }
    F policy;
  };

  std::shared_ptr<const Concept> impl_;
  std::string name_;
};
static_assert(Forecaster<AnyForecaster>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_INTERNAL_ANY_FORECASTER_HPP_
