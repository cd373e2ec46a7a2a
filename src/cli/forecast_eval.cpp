// `foresight forecast-eval`: scores forecasting methods on M4-layout CSV files
// (sMAPE, MASE, OWA vs Naive2, MSIS and coverage of the 90 % interval,
// fit+forecast time). A thin shell over
// RunForecastEval (src/forecast/forecast_eval.hpp), which holds the logic.
//
//   foresight forecast-eval --train Hourly-train.csv --test Hourly-test.csv
//       --horizon 48 --season 24 --method naive2,snaive,ets,ensemble --json out.json
//
// With --trace and --format instead of --train and --test, the series are one
// resource of a trace, one per entity (`TraceSeries`, src/forecast/trace_series.hpp):
//
//   foresight forecast-eval --trace vms/ --format bitbrains --resource cpu --step 5m
//       --horizon 12 --season 288 --test-steps 288 --rolling --method naive,ets,ensemble
#include "forecast/forecast_eval.hpp"

#include <algorithm>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "cli/command.hpp"
#include "cli/progress.hpp"
#include "cli/trace_flags.hpp"
#include "forecast/trace_series.hpp"
#include "foresight/core/named_knobs.hpp"
#include "foresight/core/resources.hpp"
#include "foresight/forecast/registry.hpp"
#include "foresight/trace/format.hpp"

namespace foresight::cli {
namespace {

struct ForecastEvalFlags {
  ForecastEvalOptions options;
  std::string methods;
  bool list = false;
  TraceFlags trace;
  std::string resource = "cpu";
  int test_steps = 0;  // 0: --horizon
  int min_train = 0;   // 0: two seasons, at least one step
  int max_gap = 0;
};

[[noreturn]] void Fail(const absl::Status& s) {
  std::cerr << "foresight forecast-eval: " << s.message() << "\n";
  throw CLI::RuntimeError(1);
}

// --trace: the trace's entities as series of one resource.
absl::StatusOr<TraceSeriesSet> LoadTraceSeries(const ForecastEvalFlags& f) {
  absl::StatusOr<TraceFormat> format = ParseTraceFormat(f.trace.format);
  if (!format.ok()) return format.status();
  absl::StatusOr<Resource> resource = ParseResource(f.resource);
  if (!resource.ok()) return resource.status();
  absl::StatusOr<LoadOptions> load = TraceLoadOptions(f.trace);
  if (!load.ok()) return load.status();
  ProgressBar load_bar("load " + f.trace.format, 1000);
  load->progress = LoadProgressTo(load_bar);
  absl::StatusOr<LoadedTrace> trace = LoadTrace(f.trace.trace, *format, *load);
  load_bar.Finish();
  if (!trace.ok()) return trace.status();
  TraceSeriesOptions o;
  o.resource = *resource;
  o.test_steps = f.test_steps > 0 ? f.test_steps : f.options.horizon;
  o.min_train = f.min_train > 0 ? f.min_train : std::max(1, 2 * f.options.season);
  o.max_gap = f.max_gap;
  absl::StatusOr<TraceSeriesSet> series = TraceSeries(trace->workload, trace->measured, o);
  if (!series.ok()) return series.status();
  std::cout << absl::StrFormat(
      "%s, step %s: %zu of %zu entities scored, each on its last %zu+ samples in a row "
      "(training %d + test %d); %zu left out (shorter); %zu samples before those not used; "
      "%zu missing steps bridged\n",
      f.resource, absl::FormatDuration(trace->workload.step), series->train.size(),
      series->entities, static_cast<std::size_t>(o.min_train + o.test_steps), o.min_train,
      o.test_steps, series->too_short, series->before_gap, series->filled);
  return series;
}

void RunForecastEvalCommand(ForecastEvalFlags& f) {
  if (f.list) {
    const ForecasterRegistry& reg = ForecasterRegistry::Default();
    for (const std::string& name : reg.Names()) {
      std::cout << name << std::string(name.size() < 16 ? 16 - name.size() : 1, ' ')
                << reg.Help(name) << "\n";
      for (const ForecasterKnob& k : reg.Knobs(name)) {
        std::cout << "    [" << k.name << "=...] " << k.description << "\n";
      }
    }
    std::cout << "conformal_<name>  any of the above with conformal quantiles; the wrapper's "
                 "knobs, beside <name>'s own:\n";
    for (const ForecasterKnob& k : ForecasterRegistry::ConformalKnobs()) {
      std::cout << "    [" << k.name << "=...] " << k.description << "\n";
    }
    std::cout << "name[knob=value,...]  a method with knobs set, e.g. "
                 "ensemble[horizon=24,quantile_stride=1], conformal_ets[window=100,damped=0]\n";
    return;
  }
  // Commas inside "[...]" do not split: "ensemble[horizon=24,power=1]" is one.
  for (std::string_view m : SplitNames(f.methods)) f.options.methods.emplace_back(m);
  std::unique_ptr<ProgressBar> bar;
  std::once_flag once;
  const EvalProgress progress = [&](std::size_t, std::size_t total) {
    std::call_once(once, [&] { bar = std::make_unique<ProgressBar>("forecast-eval", total); });
    bar->Advance();
  };
  absl::Status s;
  if (f.trace.trace.empty()) {
    s = RunForecastEval(f.options, std::cout, progress);
  } else {
    absl::StatusOr<TraceSeriesSet> series = LoadTraceSeries(f);
    if (!series.ok()) Fail(series.status());
    s = RunForecastEvalOn(f.options, series->train, series->test, std::cout, progress);
  }
  if (bar) bar->Finish();
  if (!s.ok()) Fail(s);
}

void SetupForecastEval(CLI::App& app) {
  auto flags = std::make_shared<ForecastEvalFlags>();
  ForecastEvalOptions& o = flags->options;
  app.add_option("--train", o.train_path, "training series, M4 CSV layout (header, id, values)");
  app.add_option("--test", o.test_path, "test series (same ids), M4 CSV layout");
  app.add_option("--horizon", o.horizon, "steps to forecast and score")->check(CLI::PositiveNumber);
  app.add_option("--season", o.season, "seasonal period M (MASE lag, seasonal methods)")
      ->default_val(1)
      ->check(CLI::PositiveNumber);
  app.add_option("--method", flags->methods,
                 "comma-separated method names, name[knob=value,...] to set knobs (see --list)");
  app.add_option("--json", o.json_path, "write {\"methods\": {...}} results to this file");
  app.add_option("--per-series", o.per_series_path,
                 "also write every method's scores on every series to this CSV file");
  app.add_option("--threads", o.threads, "worker threads (default: hardware concurrency)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--rolling", o.rolling,
               "rolling origin: forecast from every test origin, learning each test value before "
               "the next (MASE per step ahead, coverage and pinball loss per quantile level)");
  app.add_flag("--list", flags->list, "list the available methods and exit");
  // A trace instead of --train and --test.
  app.add_option("--trace", flags->trace.trace,
                 "instead of --train/--test: a trace file or folder, one series per entity");
  app.add_option("--format", flags->trace.format, std::string(kTraceFormatHelp));
  app.add_option("--resource", flags->resource, "with --trace: cpu, memory, io or net")
      ->capture_default_str();
  app.add_option("--test-steps", flags->test_steps,
                 "with --trace: the last steps of each entity scored (default: --horizon)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--min-train", flags->min_train,
                 "with --trace: steps an entity needs before its test steps (default: two "
                 "seasons)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-gap", flags->max_gap,
                 "with --trace: bridge gaps of up to this many steps in the training part "
                 "(linearly); 0: a gap ends the series")
      ->check(CLI::NonNegativeNumber);
  AddTraceLoadFlags(app, flags->trace);
  app.callback([flags, &app] {
    if (!flags->list) {
      const bool trace = app.count("--trace") > 0;
      if (trace && (app.count("--train") > 0 || app.count("--test") > 0)) {
        std::cerr << "foresight forecast-eval: --trace replaces --train and --test\n";
        throw CLI::RuntimeError(2);
      }
      for (const char* trace_only : {"--format", "--resource", "--test-steps", "--min-train",
                                     "--max-gap", "--step", "--aggregate", "--entity-capacity",
                                     "--machine-capacity", "--time-origin", "--max-entities"}) {
        if (!trace && app.count(trace_only) > 0) {
          std::cerr << "foresight forecast-eval: " << trace_only << " applies with --trace only\n";
          throw CLI::RuntimeError(2);
        }
      }
      std::vector<const char*> required = {"--horizon", "--method"};
      if (trace) {
        required.push_back("--format");
      } else {
        required.insert(required.begin(), {"--train", "--test"});
      }
      for (const char* flag : required) {
        if (app.count(flag) == 0) {
          std::cerr << "foresight forecast-eval: " << flag << " is required\n";
          throw CLI::RuntimeError(2);
        }
      }
    }
    RunForecastEvalCommand(*flags);
  });
}

CommandRegistrar kForecastEval("forecast-eval",
                               "score forecasting methods on M4-layout CSV files or a trace's "
                               "entities (sMAPE, MASE, OWA, MSIS)",
                               &SetupForecastEval);

}  // namespace
}  // namespace foresight::cli
