// -----------------------------------------------------------------------------
// File: forecast_eval.hpp
// -----------------------------------------------------------------------------
//
// The core of `foresight forecast-eval`: reads M4-layout train and test CSV
// files, fits every requested method on every training series (in parallel
// over series with std::jthread), forecasts `horizon` steps and scores them
// with M4's sMAPE, MASE (seasonal-naive scale at lag `season`) and OWA
// relative to Naive2, plus the time spent fitting and forecasting, and its
// quantiles as M4 scored prediction intervals: MSIS and coverage of the
// central 90 % interval [P05, P95] (M4 used 95 %; every built-in method
// forecasts P05 and P95, not P2.5 and P97.5).
//
// Results are deterministic whatever the thread count (per-series scores are
// summed in series order). OWA needs the registry's "naive2"; it is computed
// for the reference even when not requested, and is NaN (JSON null) when the
// build has no naive2. A method that fails on a series is scored on that
// series with the naive forecast and counted in `failures`. A series whose
// MASE scale is zero (constant training data) is skipped for every method.
//
// With `rolling`, each method is instead scored by rolling origin over each
// test series (`Backtest`, forecast/backtest.hpp): fitted on the training
// series, it forecasts steps 1..horizon from every test origin, is scored on
// the test values those steps reach, and learns each test value before the
// next origin, as a host loop runs it. Per method: MASE per step ahead (the
// mean over series of that step's MAE over the series' MASE scale), the share
// of test values at or below each quantile level (all steps pooled), and the
// pinball loss per level over the MASE scale. A method that fails on a series
// is not scored there (counted in `failures`).
#ifndef FORESIGHT_SRC_FORECAST_FORECAST_EVAL_HPP_
#define FORESIGHT_SRC_FORECAST_FORECAST_EVAL_HPP_

#include <cmath>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "m4_csv.hpp"

namespace foresight {

struct ForecastEvalOptions {
  std::string train_path;
  std::string test_path;
  int horizon = 0;
  int season = 1;
  std::vector<std::string> methods;
  std::string json_path;   // empty: no JSON
  int threads = 0;         // 0: std::thread::hardware_concurrency()
  bool rolling = false;    // rolling-origin scores over the test series
  std::string per_series_path;  // empty: no per-series CSV (`PerSeriesCsv`)
};

// One method on one series: the scores the report averages over series, so
// that the series a method fails on can be found (`per_series`). Fields the
// mode does not score, or the method did not forecast, are NaN.
struct SeriesScore {
  std::string series;
  std::string method;
  bool failed = false;   // one origin: scored with the naive forecast; rolling: not scored
  double seconds = 0.0;  // fit + forecast (or backtest) time
  // One origin: sMAPE, MASE, and the [P05, P95] interval's MSIS and share of
  // test values inside it.
  double smape = NAN, mase = NAN, msis90 = NAN, coverage90 = NAN;
  // Rolling: MASE one step and `horizon` steps ahead, the share of test values
  // at or below P05, P50 and P95 (all steps), and the pinball loss over the
  // MASE scale, averaged over the levels.
  double mase_1 = NAN, mase_h = NAN, coverage05 = NAN, coverage50 = NAN, coverage95 = NAN,
         scaled_pinball = NAN;
};

// Called (from worker threads, concurrently) after each series with the number
// of series done so far and the total.
using EvalProgress = std::function<void(std::size_t done, std::size_t total)>;

struct MethodScore {
  std::string method;
  double smape = 0.0;
  double mase = 0.0;
  double owa = 0.0;        // NaN without naive2
  std::size_t series = 0;
  std::size_t failures = 0;
  double seconds = 0.0;    // fit + forecast time summed over series
  // The central 90 % interval [P05, P95]: M4's MSIS at a = 0.1 (mean over
  // series) and the share of test values inside it; NaN when the method
  // forecast those levels on no series (a failed series is not scored).
  double msis90 = NAN;
  double coverage90 = NAN;
  std::size_t interval_series = 0;
};

struct EvalReport {
  std::vector<MethodScore> methods;  // in the requested order
  std::size_t skipped = 0;           // series with a zero MASE scale
  double wall_seconds = 0.0;
  std::vector<SeriesScore> per_series;  // series in order, then the requested methods
};

// Evaluates in memory (the files already parsed).
absl::StatusOr<EvalReport> EvaluateForecasts(const ForecastEvalOptions& options,
                                             const std::vector<M4Series>& train,
                                             const std::vector<M4Series>& test,
                                             const EvalProgress& progress = {});

// Reads the files, evaluates (by rolling origin with `rolling`: EvaluateRolling,
// RollingJson), prints the table on `out` and writes the JSON
// file when asked.
absl::Status RunForecastEval(const ForecastEvalOptions& options, std::ostream& out,
                             const EvalProgress& progress = {});
// The same on series already in memory (`options.train_path` and `test_path`
// unused), such as a trace's (`TraceSeries`, trace_series.hpp).
absl::Status RunForecastEvalOn(const ForecastEvalOptions& options,
                               const std::vector<M4Series>& train,
                               const std::vector<M4Series>& test, std::ostream& out,
                               const EvalProgress& progress = {});

// The JSON document {"methods": {"<name>": {"smape", "mase", "owa", "series", "seconds",
// "failures", "msis90", "coverage90", "acd90", "interval_series"}}, ...}.
std::string ReportJson(const EvalReport& report);

// One method's rolling-origin scores (`rolling`).
struct RollingScore {
  std::string method;
  std::size_t series = 0;          // series scored
  std::size_t failures = 0;        // series the method failed on (not scored)
  double seconds = 0.0;            // fit + backtest time summed over series
  std::vector<double> levels;      // the method's quantile levels
  std::vector<long long> scored;   // per step ahead: forecasts scored, all series
  std::vector<double> mase;        // per step ahead: mean over series of MAE / scale
  std::vector<double> coverage;    // per level: share of test values at or below the quantile
  std::vector<double> pinball;     // per level: mean over series of mean pinball loss / scale
};

struct RollingReport {
  int horizon = 0;
  std::vector<RollingScore> methods;  // in the requested order
  std::size_t skipped = 0;            // series with a zero MASE scale
  double wall_seconds = 0.0;
  std::vector<SeriesScore> per_series;  // series in order, then the methods
};

absl::StatusOr<RollingReport> EvaluateRolling(const ForecastEvalOptions& options,
                                              const std::vector<M4Series>& train,
                                              const std::vector<M4Series>& test,
                                              const EvalProgress& progress = {});

// {"mode": "rolling", "horizon", "methods": {"<name>": {"series", "failures", "seconds",
// "levels", "scored_by_step", "mase_by_step", "coverage", "scaled_pinball"}},
// "skipped_series", "wall_seconds"}.
std::string RollingJson(const RollingReport& report);

// The per-series scores as CSV (libcsv quotes a series id that needs it;
// numbers have 10 significant digits; NaN is an empty field). One origin: `series,method,failed,seconds,smape,mase,
// msis90,coverage90`; rolling: `series,method,failed,seconds,mase_1,mase_h,
// coverage05,coverage50,coverage95,scaled_pinball`.
std::string PerSeriesCsv(const std::vector<SeriesScore>& rows, bool rolling);

}  // namespace foresight

#endif  // FORESIGHT_SRC_FORECAST_FORECAST_EVAL_HPP_
