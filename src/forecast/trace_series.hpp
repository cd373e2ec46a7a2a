// -----------------------------------------------------------------------------
// File: trace_series.hpp
// -----------------------------------------------------------------------------
//
// One resource of a loaded trace as the per-entity series `forecast-eval`
// scores (`foresight forecast-eval --trace`): how well each forecasting method
// predicts these VMs' CPU, or memory, on the trace's own step.
//
//   absl::StatusOr<LoadedTrace> t = LoadTrace("vms/", TraceFormat::kBitbrains, load);
//   absl::StatusOr<TraceSeriesSet> s =
//       TraceSeries(t->workload, t->measured, {.resource = Resource::kCpu, .test_steps = 48});
//   EvaluateForecasts(options, s->train, s->test);
//
// Each entity gives one series: its last run of present samples. A missing
// sample ends a run, since a forecaster takes no gaps and a gap is not a zero;
// the samples before the run are left out and counted. The run's last
// `test_steps` samples are its test row, which must hold every sample, and
// the rest its training row. With `max_gap` > 0 the training part goes on
// across gaps of up to that many steps, filled in linearly between the
// samples on either side (counted in `filled`). An entity whose run is
// shorter than `min_train` + `test_steps` is left out and counted. The series
// is named after the entity (`WorkloadUser::name`).
//
// Errors (InvalidArgument): `test_steps` or `min_train` under 1, `max_gap`
// negative, a resource the trace does not record, and no entity with a run
// long enough (the message gives the longest).
#ifndef FORESIGHT_SRC_FORECAST_TRACE_SERIES_HPP_
#define FORESIGHT_SRC_FORECAST_TRACE_SERIES_HPP_

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/core/resources.hpp"
#include "foresight/sim/workload.hpp"
#include "m4_csv.hpp"

namespace foresight {

struct TraceSeriesOptions {
  Resource resource = Resource::kCpu;
  int test_steps = 0;  // the test row of each series: its last samples
  int min_train = 1;   // an entity needs at least this many samples before them
  int max_gap = 0;     // gaps in the training part up to this many steps are bridged
};

struct TraceSeriesSet {
  std::vector<M4Series> train;  // one per entity kept, in the trace's entity order
  std::vector<M4Series> test;   // same ids and order
  std::size_t entities = 0;     // entities in the trace
  std::size_t too_short = 0;    // left out: last run under min_train + test_steps
  std::size_t before_gap = 0;   // present samples of kept entities before the run
  std::size_t filled = 0;       // missing steps bridged (`max_gap`)
  std::size_t longest_run = 0;  // the longest last run of any entity
};

absl::StatusOr<TraceSeriesSet> TraceSeries(const Workload& workload,
                                           const PerResource<bool>& measured,
                                           const TraceSeriesOptions& options);

}  // namespace foresight

#endif  // FORESIGHT_SRC_FORECAST_TRACE_SERIES_HPP_
