// Fuzz target: reading forecaster checkpoints (`LoadForecasterCheckpoint`,
// pool/checkpoint.hpp), the JSON a restarted controller trusts to resume.
//
// Input: byte 0 picks the forecaster (LastValue; SeasonalNaive and
// HoltWinters with a season of 4); the rest is the checkpoint text.
//
// Invariants checked beyond "no crash, no leak, no undefined behaviour":
//  - a refusal is InvalidArgument with a message;
//  - a loaded checkpoint saves again (every state it accepted is one it can
//    write) and that document loads to the same states;
//  - every loaded state is usable: 20 updates and a 3-step forecast after
//    each, with no NaN and quantiles that do not decrease in the level. (A
//    state whose level is near DBL_MAX is finite JSON and may forecast
//    +inf, which the allocators clamp to a user's maximum; NaN would not be.)
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/seasonal_naive.hpp"
#include "foresight/pool/checkpoint.hpp"
#include "fuzz_check.hpp"

namespace {

template <typename F>
void Check(const F& f, std::string_view text) {
  using State = typename F::State;
  absl::StatusOr<std::vector<foresight::StateEntry<State>>> loaded =
      foresight::LoadForecasterCheckpoint(f, text);
  if (!loaded.ok()) {
    FUZZ_CHECK(loaded.status().code() == absl::StatusCode::kInvalidArgument &&
                   !loaded.status().message().empty(),
               "not an input error: %s", loaded.status().ToString().c_str());
    return;
  }
  absl::StatusOr<std::string> saved = foresight::SaveForecasterCheckpoint(
      f, std::span<const foresight::StateEntry<State>>(*loaded), absl::UnixEpoch());
  FUZZ_CHECK(saved.ok(), "a loaded checkpoint does not save: %s",
             saved.status().ToString().c_str());
  absl::StatusOr<std::vector<foresight::StateEntry<State>>> again =
      foresight::LoadForecasterCheckpoint(f, *saved);
  FUZZ_CHECK(again.ok(), "a saved checkpoint does not load: %s",
             again.status().ToString().c_str());
  FUZZ_CHECK(again->size() == loaded->size(), "%zu entries became %zu", loaded->size(),
             again->size());
  absl::StatusOr<std::string> resaved = foresight::SaveForecasterCheckpoint(
      f, std::span<const foresight::StateEntry<State>>(*again), absl::UnixEpoch());
  FUZZ_CHECK(resaved.ok() && *resaved == *saved, "the round trip changed the document");

  for (foresight::StateEntry<State>& e : *loaded) {
    for (int i = 0; i < 20; ++i) {
      f.Update(e.state, 1.0 + 0.5 * (i % 3));
      const foresight::Forecast fc = f.Predict(e.state, 3);
      for (int h = 1; h <= fc.horizon(); ++h) {
        FUZZ_CHECK(!std::isnan(fc.mean(h)), "mean %g at step %d after %d updates", fc.mean(h),
                   h, i + 1);
        const std::span<const double> q = fc.quantiles(h);
        for (std::size_t k = 0; k < q.size(); ++k) {
          FUZZ_CHECK(!std::isnan(q[k]), "quantile %zu is %g at step %d", k, q[k], h);
          FUZZ_CHECK(k == 0 || q[k - 1] <= q[k], "quantiles decrease at step %d level %zu", h, k);
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      Check(foresight::LastValue(), text);
      break;
    case 1:
      Check(foresight::SeasonalNaive(4), text);
      break;
    default: {
      foresight::HoltWintersOptions o;
      o.season = 4;
      Check(foresight::HoltWinters(o), text);
      break;
    }
  }
  return 0;
}
