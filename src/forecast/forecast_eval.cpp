// -----------------------------------------------------------------------------
// File: forecast_eval.cpp
// -----------------------------------------------------------------------------
#include "forecast_eval.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <span>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "foresight/forecast/metrics.hpp"
#include "foresight/forecast/registry.hpp"
#include "nlohmann/json.hpp"

namespace foresight {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kReference = "naive2";

// The central interval scored: [P05, P95], which every built-in method
// forecasts (M4 scored 95 % intervals; ours carry 0.05 and 0.95 by default).
constexpr double kLowLevel = 0.05, kHighLevel = 0.95;
constexpr double kIntervalAlpha = 0.1;  // 1 - (kHighLevel - kLowLevel)

// Per method and series: scores, time and whether the method failed.
struct Cell {
  double smape = 0.0, mase = 0.0, seconds = 0.0;
  double msis = 0.0;          // when `interval`
  std::size_t inside = 0;     // test values inside the interval, when `interval`
  bool interval = false;      // the method forecast both interval levels
  bool failed = false;
  bool skipped = false;
};

struct MethodForecast {
  std::vector<double> means, lower, upper;  // lower/upper empty without the levels
};

std::vector<double> NaiveForecast(std::span<const double> train, int horizon) {
  return std::vector<double>(static_cast<std::size_t>(horizon), train.empty() ? 0.0 : train.back());
}

// Fits and forecasts one series; returns the means (and the interval when the
// method forecasts both of its levels) or the failure.
absl::StatusOr<MethodForecast> FitAndForecast(const AnyForecaster& f,
                                              std::span<const double> train, int horizon) {
  absl::StatusOr<AnyForecaster::State> state = f.Fit(train);
  if (!state.ok()) return state.status();
  const Forecast fc = f.Predict(*state, horizon);
  MethodForecast out;
  out.means.assign(fc.means().begin(), fc.means().end());
  for (double v : out.means) {
    if (!std::isfinite(v)) return absl::InternalError("non-finite forecast");
  }
  const int lo = Forecast::LevelIndex(fc.levels(), kLowLevel);
  const int hi = Forecast::LevelIndex(fc.levels(), kHighLevel);
  if (lo < 0 || hi < 0) return out;
  for (int h = 1; h <= horizon; ++h) {
    const double l = fc.quantile(h, static_cast<std::size_t>(lo));
    const double u = fc.quantile(h, static_cast<std::size_t>(hi));
    if (!std::isfinite(l) || !std::isfinite(u) || l > u) return out;  // no usable interval
    out.lower.push_back(l);
    out.upper.push_back(u);
  }
  return out;
}

}  // namespace

absl::StatusOr<EvalReport> EvaluateForecasts(const ForecastEvalOptions& options,
                                             const std::vector<M4Series>& train,
                                             const std::vector<M4Series>& test,
                                             const EvalProgress& progress) {
  if (options.horizon < 1) return absl::InvalidArgumentError("--horizon must be >= 1");
  if (options.season < 1) return absl::InvalidArgumentError("--season must be >= 1");
  if (options.methods.empty()) return absl::InvalidArgumentError("no --method given");
  const ForecasterRegistry& registry = ForecasterRegistry::Default();
  const MethodConfig config{.season = options.season, .horizon = options.horizon};

  // Methods to run: the requested ones, plus naive2 as the OWA reference.
  std::vector<std::string> run = options.methods;
  for (std::size_t i = 0; i < run.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (run[i] == run[j]) return absl::InvalidArgumentError(absl::StrCat("method '", run[i], "' given twice"));
    }
  }
  const bool have_reference = registry.Contains(kReference);
  std::size_t reference = run.size();
  for (std::size_t i = 0; i < run.size(); ++i) {
    if (run[i] == kReference) reference = i;
  }
  if (have_reference && reference == run.size()) run.emplace_back(kReference);
  std::vector<AnyForecaster> methods;
  for (const std::string& name : run) {
    absl::StatusOr<AnyForecaster> f = registry.Make(name, config);
    if (!f.ok()) return f.status();
    methods.push_back(*std::move(f));
  }

  // Pair test rows with training rows by id.
  std::unordered_map<std::string, std::size_t> test_index;
  for (std::size_t i = 0; i < test.size(); ++i) test_index.emplace(test[i].id, i);
  std::vector<std::size_t> pair(train.size());
  for (std::size_t i = 0; i < train.size(); ++i) {
    auto it = test_index.find(train[i].id);
    if (it == test_index.end()) {
      return absl::InvalidArgumentError(absl::StrCat("series '", train[i].id, "' (train line ",
                                                     train[i].line, ") is missing from the test file"));
    }
    const M4Series& t = test[it->second];
    if (static_cast<int>(t.values.size()) < options.horizon) {
      return absl::InvalidArgumentError(absl::StrCat("series '", t.id, "' (test line ", t.line, ") has ",
                                                     t.values.size(), " values, fewer than --horizon ",
                                                     options.horizon));
    }
    pair[i] = it->second;
  }
  if (train.empty()) return absl::InvalidArgumentError("the training file has no series");

  const std::size_t S = train.size(), M = methods.size();
  std::vector<Cell> cells(S * M);
  std::atomic<std::size_t> next{0}, done{0};
  auto worker = [&]() {
    for (std::size_t i = next.fetch_add(1); i < S; i = next.fetch_add(1)) {
      const std::span<const double> x = train[i].values;
      const std::span<const double> y =
          std::span<const double>(test[pair[i]].values).first(static_cast<std::size_t>(options.horizon));
      const absl::StatusOr<double> scale = MaseScale(x, options.season);
      for (std::size_t m = 0; m < M; ++m) {
        Cell& cell = cells[i * M + m];
        if (!scale.ok()) {
          cell.skipped = true;
          continue;
        }
        const auto start = Clock::now();
        absl::StatusOr<MethodForecast> f = FitAndForecast(methods[m], x, options.horizon);
        cell.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        MethodForecast fc;
        if (f.ok()) {
          fc = *std::move(f);
        } else {
          cell.failed = true;
          fc.means = NaiveForecast(x, options.horizon);
        }
        const std::vector<double>& means = fc.means;
        cell.smape = *Smape(y, means);
        double err = 0.0;
        for (std::size_t h = 0; h < y.size(); ++h) err += std::abs(y[h] - means[h]);
        cell.mase = err / static_cast<double>(y.size()) / *scale;
        if (!fc.lower.empty()) {
          // The scale was checked above, and the bounds are ordered: it cannot fail.
          cell.msis = *Msis(x, y, fc.lower, fc.upper, options.season, kIntervalAlpha);
          cell.inside = IntervalHits(y, fc.lower, fc.upper);
          cell.interval = true;
        }
      }
      const std::size_t finished = done.fetch_add(1) + 1;
      if (progress) progress(finished, S);
    }
  };
  const auto start = Clock::now();
  const int threads = std::max(1, options.threads > 0 ? options.threads
                                                      : static_cast<int>(std::thread::hardware_concurrency()));
  {
    std::vector<std::jthread> pool;
    for (int t = 0; t < std::min<int>(threads, static_cast<int>(S)); ++t) pool.emplace_back(worker);
  }  // joins

  EvalReport report;
  report.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<M4Accumulator> acc(M);
  std::vector<MethodScore> scores(M);
  std::vector<double> msis_sum(M, 0.0);
  std::vector<std::size_t> inside(M, 0);
  for (std::size_t i = 0; i < S; ++i) {
    if (cells[i * M].skipped) {
      ++report.skipped;
      continue;
    }
    for (std::size_t m = 0; m < M; ++m) {
      const Cell& c = cells[i * M + m];
      acc[m].Add(c.smape, c.mase);
      scores[m].seconds += c.seconds;
      scores[m].failures += c.failed ? 1 : 0;
      if (c.interval) {
        msis_sum[m] += c.msis;
        inside[m] += c.inside;
        ++scores[m].interval_series;
      }
    }
  }
  for (std::size_t m = 0; m < options.methods.size(); ++m) {
    MethodScore& s = scores[m];
    s.method = run[m];
    s.smape = acc[m].smape();
    s.mase = acc[m].mase();
    s.series = acc[m].count();
    s.owa = have_reference ? acc[m].Owa(acc[reference]) : NAN;
    if (s.interval_series > 0) {
      const double n = static_cast<double>(s.interval_series);
      s.msis90 = msis_sum[m] / n;
      s.coverage90 = static_cast<double>(inside[m]) / (n * options.horizon);
    }
    report.methods.push_back(s);
  }
  return report;
}

std::string ReportJson(const EvalReport& report) {
  nlohmann::json methods = nlohmann::json::object();
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  for (const MethodScore& s : report.methods) {
    methods[s.method] = {{"smape", number(s.smape)}, {"mase", number(s.mase)}, {"owa", number(s.owa)},
                         {"series", s.series},       {"seconds", s.seconds},   {"failures", s.failures},
                         {"msis90", number(s.msis90)},
                         {"coverage90", number(s.coverage90)},
                         {"acd90", number(std::abs(s.coverage90 - (1 - kIntervalAlpha)))},
                         {"interval_series", s.interval_series}};
  }
  nlohmann::json doc = {{"methods", methods}, {"skipped_series", report.skipped},
                        {"wall_seconds", report.wall_seconds}};
  return doc.dump(2);
}

absl::Status RunForecastEval(const ForecastEvalOptions& options, std::ostream& out,
                             const EvalProgress& progress) {
  absl::StatusOr<std::vector<M4Series>> train = ReadM4Csv(options.train_path);
  if (!train.ok()) return train.status();
  absl::StatusOr<std::vector<M4Series>> test = ReadM4Csv(options.test_path);
  if (!test.ok()) return test.status();
  absl::StatusOr<EvalReport> report = EvaluateForecasts(options, *train, *test, progress);
  if (!report.ok()) return report.status();
  out << absl::StrFormat("%-28s %10s %10s %8s %8s %8s %8s %10s\n", "method", "sMAPE", "MASE", "OWA",
                         "MSIS90", "cov90", "series", "seconds");
  for (const MethodScore& s : report->methods) {
    out << absl::StrFormat("%-28s %10.4f %10.4f %8.4f %8.3f %8.3f %8d %10.3f%s\n", s.method, s.smape,
                           s.mase, s.owa, s.msis90, s.coverage90, s.series, s.seconds,
                           s.failures ? absl::StrCat("  (", s.failures, " failed: naive used)") : "");
  }
  if (report->skipped) out << report->skipped << " series skipped (constant training data: MASE undefined)\n";
  if (!report->methods.empty() && std::isnan(report->methods.front().owa)) {
    out << "OWA unavailable: this build has no naive2 method\n";
  }
  out << absl::StrFormat("wall time %.3f s\n", report->wall_seconds);
  if (!options.json_path.empty()) {
    std::ofstream json(options.json_path);
    if (!json) return absl::PermissionDeniedError(absl::StrCat("cannot write '", options.json_path, "'"));
    json << ReportJson(*report) << '\n';
    if (!json) return absl::DataLossError(absl::StrCat("failed writing '", options.json_path, "'"));
  }
  return absl::OkStatus();
}

}  // namespace foresight
