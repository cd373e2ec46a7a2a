// Shared loader for the R reference fixtures of the statistical forecasters
// (tests/data/forecast/*.json, made by tools/fixtures/make_forecast_fixtures.R).
#ifndef FORESIGHT_TESTS_FORECAST_STAT_FIXTURES_HPP_
#define FORESIGHT_TESTS_FORECAST_STAT_FIXTURES_HPP_

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace foresight::testing {

inline nlohmann::json LoadFixture(const std::string& name) {
  std::ifstream in(std::string(FORESIGHT_TEST_DATA_DIR) + "/forecast/" + name);
  return nlohmann::json::parse(in);
}

struct FixtureSeries {
  std::vector<double> values;
  int m = 1;
};

inline FixtureSeries LoadSeries(const std::string& name) {
  static const nlohmann::json all = LoadFixture("series.json");
  const auto& s = all.at(name);
  return {s.at("values").get<std::vector<double>>(), s.at("m").get<int>()};
}

inline double RelErr(double got, double want) {
  return std::abs(got - want) / std::max(std::abs(want), 1e-12);
}

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTS_FORECAST_STAT_FIXTURES_HPP_
