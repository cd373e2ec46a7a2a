// Writes the checkpoint fuzz target's seed inputs: for each forecaster the
// target builds (byte 0: 0 LastValue, 1 SeasonalNaive(4), 2 HoltWinters with
// a season of 4), the checkpoint of two states fitted to a short seasonal
// series, prefixed by that byte. fuzz/seed_corpus.py runs it:
//
//   fuzz_checkpoint_seeds <folder>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/seasonal_naive.hpp"
#include "foresight/pool/checkpoint.hpp"

namespace {

template <typename F>
bool Write(const F& f, char selector, const std::string& path) {
  std::vector<double> series;
  for (int t = 0; t < 40; ++t) series.push_back(2.0 + (t % 4) + 0.1 * (t % 7));
  std::vector<foresight::StateEntry<typename F::State>> entries;
  for (int user = 0; user < 2; ++user) {
    absl::StatusOr<typename F::State> s = f.Fit(series);
    if (!s.ok()) return false;
    entries.push_back({foresight::UserId{static_cast<std::uint64_t>(user)},
                       user == 0 ? foresight::Resource::kCpu : foresight::Resource::kMemory, *s});
  }
  absl::StatusOr<std::string> doc = foresight::SaveForecasterCheckpoint(
      f, std::span<const foresight::StateEntry<typename F::State>>(entries),
      absl::FromUnixSeconds(1'795'000'000));
  if (!doc.ok()) return false;
  std::ofstream out(path, std::ios::binary);
  out << selector << *doc;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <folder>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  foresight::HoltWintersOptions hw;
  hw.season = 4;
  const bool ok = Write(foresight::LastValue(), '\0', dir + "/last_value.json") &&
                  Write(foresight::SeasonalNaive(4), '\1', dir + "/seasonal_naive.json") &&
                  Write(foresight::HoltWinters(hw), '\2', dir + "/holt_winters.json");
  if (!ok) std::fprintf(stderr, "could not write the seeds\n");
  return ok ? 0 : 1;
}
