// `foresight forecast-eval`: scores forecasting methods on M4-layout CSV files
// (sMAPE, MASE, OWA vs Naive2, MSIS and coverage of the 90 % interval,
// fit+forecast time). A thin shell over
// RunForecastEval (src/forecast/forecast_eval.hpp), which holds the logic.
//
//   foresight forecast-eval --train Hourly-train.csv --test Hourly-test.csv
//       --horizon 48 --season 24 --method naive2,snaive,ets,ensemble --json out.json
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "cli/command.hpp"
#include "cli/progress.hpp"
#include "forecast/forecast_eval.hpp"
#include "foresight/forecast/registry.hpp"

namespace foresight::cli {
namespace {

struct ForecastEvalFlags {
  ForecastEvalOptions options;
  std::string methods;
  bool list = false;
};

void RunForecastEvalCommand(ForecastEvalFlags& f) {
  if (f.list) {
    const ForecasterRegistry& reg = ForecasterRegistry::Default();
    for (const std::string& name : reg.Names()) {
      std::cout << name << std::string(name.size() < 16 ? 16 - name.size() : 1, ' ')
                << reg.Help(name) << "\n";
    }
    std::cout << "conformal_<name>  any of the above with conformal quantiles\n";
    return;
  }
  for (absl::string_view m : absl::StrSplit(f.methods, ',', absl::SkipWhitespace())) {
    f.options.methods.emplace_back(m);
  }
  std::unique_ptr<ProgressBar> bar;
  std::once_flag once;
  absl::Status s = RunForecastEval(f.options, std::cout, [&](std::size_t, std::size_t total) {
    std::call_once(once, [&] { bar = std::make_unique<ProgressBar>("forecast-eval", total); });
    bar->Advance();
  });
  if (bar) bar->Finish();
  if (!s.ok()) {
    std::cerr << "foresight forecast-eval: " << s.message() << "\n";
    throw CLI::RuntimeError(1);
  }
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
  app.add_option("--method", flags->methods, "comma-separated method names (see --list)");
  app.add_option("--json", o.json_path, "write {\"methods\": {...}} results to this file");
  app.add_option("--threads", o.threads, "worker threads (default: hardware concurrency)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--rolling", o.rolling,
               "rolling origin: forecast from every test origin, learning each test value before "
               "the next (MASE per step ahead, coverage and pinball loss per quantile level)");
  app.add_flag("--list", flags->list, "list the available methods and exit");
  app.callback([flags, &app] {
    if (!flags->list) {
      for (const char* required : {"--train", "--test", "--horizon", "--method"}) {
        if (app.count(required) == 0) {
          std::cerr << "foresight forecast-eval: " << required << " is required\n";
          throw CLI::RuntimeError(2);
        }
      }
    }
    RunForecastEvalCommand(*flags);
  });
}

CommandRegistrar kForecastEval("forecast-eval",
                               "score forecasting methods on M4-layout CSV files (sMAPE, MASE, OWA, MSIS)",
                               &SetupForecastEval);

}  // namespace
}  // namespace foresight::cli
