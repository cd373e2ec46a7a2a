// -----------------------------------------------------------------------------
// File: internal/forecast_ledger.hpp
// -----------------------------------------------------------------------------
//
// `ForecastLedger` remembers the forecasts issued for steps 1..H until their
// target sample arrives, so that wrappers (Conformal, Ensemble) can score them
// out of sample. Each entry is `width` doubles (e.g. a mean and an interval,
// or one mean per ensemble member). Memory is H * H * width; `Record` and
// `Arrived` cost O(H * width). The layout mirrors internal::ErrorQuantiles'
// pending table: row = target time mod H, column = step - 1.
#ifndef FORESIGHT_FORECAST_INTERNAL_FORECAST_LEDGER_HPP_
#define FORESIGHT_FORECAST_INTERNAL_FORECAST_LEDGER_HPP_

#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace foresight::internal {

class ForecastLedger {
 public:
  ForecastLedger() = default;
  ForecastLedger(int horizon, std::size_t width)
      : horizon_(static_cast<std::size_t>(horizon < 1 ? 1 : horizon)),
        width_(width),
        cells_(horizon_ * horizon_ * width_, std::numeric_limits<double>::quiet_NaN()) {}

  std::size_t horizon() const { return horizon_; }
  std::size_t width() const { return width_; }

  // Slot for the forecast of step `step` (1-based) issued when `t` samples had
  // been seen (its target is sample index t + step - 1, 0-based).
  std::span<double> Slot(long long t, int step) {
    const std::size_t row = static_cast<std::size_t>((t + step - 1) % static_cast<long long>(horizon_));
    return std::span<double>(cells_).subspan((row * horizon_ + static_cast<std::size_t>(step - 1)) * width_,
                                             width_);
  }

  // Calls `fn(step, entry)` for every forecast that targeted sample index `t`
  // (0-based) and clears it.
  template <typename Fn>
  void Arrived(long long t, Fn&& fn) {
    const std::size_t row = static_cast<std::size_t>(t % static_cast<long long>(horizon_));
    for (std::size_t h = 0; h < horizon_; ++h) {
      std::span<double> entry =
          std::span<double>(cells_).subspan((row * horizon_ + h) * width_, width_);
      if (std::isnan(entry[0])) continue;
      fn(static_cast<int>(h) + 1, std::span<const double>(entry));
      entry[0] = std::numeric_limits<double>::quiet_NaN();
    }
  }

 private:
  std::size_t horizon_ = 1;
  std::size_t width_ = 1;
  std::vector<double> cells_;
};

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_FORECAST_LEDGER_HPP_
