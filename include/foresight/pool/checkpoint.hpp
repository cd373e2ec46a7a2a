// -----------------------------------------------------------------------------
// File: checkpoint.hpp
// -----------------------------------------------------------------------------
//
// Checkpoints of fitted forecaster state, so a controller restarted on a host
// resumes with what it had learnt instead of cold forecasts. A checkpoint is a
// JSON document (nlohmann_json, target `foresight::checkpoint`):
//
//   {"format": "foresight.checkpoint", "version": 1, "forecaster": "holt_winters",
//    "saved_at": "2026-11-22T00:00:00+00:00",
//    "entries": [{"user": 3, "resource": "cpu", "state": {...}}, ...]}
//
// A forecaster is checkpointable when its `State` has the two codec functions,
// found by argument-dependent lookup in the state's namespace:
//
//   void StateToJson(nlohmann::json& out, const S& state);
//   absl::Status StateFromJson(const nlohmann::json& in, S& state);
//
// This header ships them for LastValue, SeasonalNaive and HoltWinters (and any
// `internal::PointForecaster`). Loading checks the format, version and
// forecaster name, every field's type, that counters are in range (samples
// seen in [0, 2^53], errors per cell in [0, 2^30]), numbers at most 1e100 in
// magnitude and mean absolute errors >= 0, so a loaded state indexes, divides
// and forecasts safely, that each state has the
// shape of the
// forecaster's cold state (`Fit({})`: season length, horizon, quantile levels),
// and refuses duplicate (user, resource) entries; every problem is an
// InvalidArgumentError naming the entry and field. NaN is stored as null
// where a state uses it as a marker (pending forecasts); elsewhere non-finite
// values are refused on save and on load.
#ifndef FORESIGHT_POOL_CHECKPOINT_HPP_
#define FORESIGHT_POOL_CHECKPOINT_HPP_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/status.hpp"
#include "foresight/core/user.hpp"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/internal/error_quantiles.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/seasonal_naive.hpp"
#include "nlohmann/json.hpp"

namespace foresight {

inline constexpr std::string_view kCheckpointFormat = "foresight.checkpoint";
inline constexpr int kCheckpointVersion = 1;

// One forecaster state: user `user`'s series of `resource`.
template <typename StateT>
struct StateEntry {
  UserId user;
  Resource resource = Resource::kCpu;
  StateT state;
};

namespace internal {

// Field readers: InvalidArgumentError "field 'key' is missing / is not a ...".
absl::Status ReadJsonNumber(const nlohmann::json& in, std::string_view key, double& out);
absl::Status ReadJsonInt(const nlohmann::json& in, std::string_view key, long long& out);
absl::Status ReadJsonBool(const nlohmann::json& in, std::string_view key, bool& out);
absl::Status ReadJsonString(const nlohmann::json& in, std::string_view key, std::string& out);
// `allow_nan`: null entries read as NaN (and NaN is written as null).
absl::Status ReadJsonDoubles(const nlohmann::json& in, std::string_view key,
                             std::vector<double>& out, bool allow_nan = false);
absl::Status ReadJsonInts(const nlohmann::json& in, std::string_view key, std::vector<int>& out);
nlohmann::json DoublesToJson(std::span<const double> values);
// OkStatus when `got` has the structure of `want` (same keys, array lengths
// and kinds, null standing for a number); else names the first difference.
absl::Status CheckSameShape(const nlohmann::json& want, const nlohmann::json& got,
                            std::string_view where);
// InvalidArgumentError naming the first infinite number (NaN is already null).
absl::Status CheckFiniteJson(const nlohmann::json& j, std::string_view where);

// Numbers read from a checkpoint: at most this large in magnitude. Far above
// any demand (bytes of memory, bytes/s) and far below where a forecaster's
// sums of a few state values overflow to infinity and then NaN (1.8e308).
inline constexpr double kMaxCheckpointMagnitude = 1e100;

// Counters read from a checkpoint (samples seen, errors per cell) index rings
// and divide; one that is negative or near overflow is refused, naming `key`.
// 2^53 samples is 85 billion years at 5 minutes.
inline constexpr long long kMaxCheckpointCounter = 1LL << 53;
inline absl::Status CheckCounter(std::string_view key, long long value,
                                 long long max = kMaxCheckpointCounter) {
  if (value < 0 || value > max) {
    return absl::InvalidArgumentError(absl::StrCat("field '", Sv(key), "' is ", value,
                                                   " (must be in [0, ", max, "])"));
  }
  return absl::OkStatus();
}

// --- Codecs for the foundation forecasters' states. -------------------------

inline void StateToJson(nlohmann::json& out, const LastValueModel::State& s) {
  out = {{"last", s.last}};
}
inline absl::Status StateFromJson(const nlohmann::json& in, LastValueModel::State& s) {
  return ReadJsonNumber(in, "last", s.last);
}

inline void StateToJson(nlohmann::json& out, const SeasonalNaiveModel::State& s) {
  out = {{"ring", DoublesToJson(s.ring)}, {"t", s.t}};
}
inline absl::Status StateFromJson(const nlohmann::json& in, SeasonalNaiveModel::State& s) {
  FORESIGHT_RETURN_IF_ERROR(ReadJsonDoubles(in, "ring", s.ring));
  FORESIGHT_RETURN_IF_ERROR(ReadJsonInt(in, "t", s.t));
  return CheckCounter("t", s.t);
}

inline void StateToJson(nlohmann::json& out, const HoltWintersModel::State& s) {
  out = {{"level", s.level},
         {"trend", s.trend},
         {"season", DoublesToJson(s.season)},
         {"t", s.t},
         {"started", s.started}};
}
inline absl::Status StateFromJson(const nlohmann::json& in, HoltWintersModel::State& s) {
  FORESIGHT_RETURN_IF_ERROR(ReadJsonNumber(in, "level", s.level));
  FORESIGHT_RETURN_IF_ERROR(ReadJsonNumber(in, "trend", s.trend));
  FORESIGHT_RETURN_IF_ERROR(ReadJsonDoubles(in, "season", s.season));
  FORESIGHT_RETURN_IF_ERROR(ReadJsonInt(in, "t", s.t));
  FORESIGHT_RETURN_IF_ERROR(CheckCounter("t", s.t));
  return ReadJsonBool(in, "started", s.started);
}

inline void StateToJson(nlohmann::json& out, const ErrorQuantiles::State& s) {
  out = {{"pending", DoublesToJson(s.pending)},
         {"q", DoublesToJson(s.q)},
         {"mae", DoublesToJson(s.mae)},
         {"count", s.count},
         {"t", s.t}};
}
inline absl::Status StateFromJson(const nlohmann::json& in, ErrorQuantiles::State& s) {
  FORESIGHT_RETURN_IF_ERROR(ReadJsonDoubles(in, "pending", s.pending, /*allow_nan=*/true));
  FORESIGHT_RETURN_IF_ERROR(ReadJsonDoubles(in, "q", s.q));
  FORESIGHT_RETURN_IF_ERROR(ReadJsonDoubles(in, "mae", s.mae));
  for (double m : s.mae) {
    if (!(m >= 0)) {
      return absl::InvalidArgumentError(absl::StrCat("field 'mae' holds ", m, " (must be >= 0)"));
    }
  }
  FORESIGHT_RETURN_IF_ERROR(ReadJsonInts(in, "count", s.count));
  // An int counter: far from INT_MAX, so that counting on cannot overflow.
  for (int n : s.count) FORESIGHT_RETURN_IF_ERROR(CheckCounter("count", n, 1LL << 30));
  FORESIGHT_RETURN_IF_ERROR(ReadJsonInt(in, "t", s.t));
  return CheckCounter("t", s.t);
}

// Any PointForecaster<Model>::State: {"model": ..., "errors": ...}.
template <typename S>
requires requires(const S& s) {
  s.model;
  s.errors;
}
void StateToJson(nlohmann::json& out, const S& s) {
  nlohmann::json model, errors;
  StateToJson(model, s.model);
  StateToJson(errors, s.errors);
  out = {{"model", std::move(model)}, {"errors", std::move(errors)}};
}
template <typename S>
requires requires(S& s) {
  s.model;
  s.errors;
}
absl::Status StateFromJson(const nlohmann::json& in, S& s) {
  for (const char* key : {"model", "errors"}) {
    if (!in.is_object() || !in.contains(key) || !in.at(key).is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("field '", key, "' is missing or not an object"));
    }
  }
  FORESIGHT_RETURN_IF_ERROR(StateFromJson(in.at("model"), s.model));
  return StateFromJson(in.at("errors"), s.errors);
}

}  // namespace internal

template <typename F>
concept CheckpointableForecaster = Forecaster<F> &&
    requires(nlohmann::json& out, const nlohmann::json& in, const typename F::State& cs,
             typename F::State& s) {
  StateToJson(out, cs);
  { StateFromJson(in, s) } -> std::same_as<absl::Status>;
};

// The checkpoint document of `entries`, forecaster `f`, saved at `saved_at`.
template <CheckpointableForecaster F>
absl::StatusOr<std::string> SaveForecasterCheckpoint(
    const F& /*f*/, std::span<const StateEntry<typename F::State>> entries, absl::Time saved_at) {
  nlohmann::json doc = {
      {"format", kCheckpointFormat},
      {"version", kCheckpointVersion},
      {"forecaster", F::Name()},
      {"saved_at", absl::FormatTime(absl::RFC3339_full, saved_at, absl::UTCTimeZone())},
      {"entries", nlohmann::json::array()}};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    nlohmann::json state;
    StateToJson(state, entries[i].state);
    const std::string where = absl::StrCat("entry ", i, " (", ToString(entries[i].user), " ",
                                           Sv(ResourceName(entries[i].resource)), ")");
    FORESIGHT_RETURN_IF_ERROR(internal::CheckFiniteJson(state, where));
    doc["entries"].push_back({{"user", entries[i].user.value},
                              {"resource", ResourceName(entries[i].resource)},
                              {"state", std::move(state)}});
  }
  return doc.dump(1);
}

// Reads a checkpoint written by `SaveForecasterCheckpoint` for a forecaster of
// the same name and configuration as `f` (whose cold state gives the shape).
template <CheckpointableForecaster F>
absl::StatusOr<std::vector<StateEntry<typename F::State>>> LoadForecasterCheckpoint(
    const F& f, std::string_view text) {
  const nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError("checkpoint is not a JSON object");
  }
  std::string format, name;
  if (!internal::ReadJsonString(doc, "format", format).ok() || format != kCheckpointFormat) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a foresight checkpoint (format must be '", Sv(kCheckpointFormat), "')"));
  }
  long long version = 0;
  FORESIGHT_RETURN_IF_ERROR(internal::ReadJsonInt(doc, "version", version));
  if (version != kCheckpointVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint version ", version, " is not supported (expected ", kCheckpointVersion, ")"));
  }
  FORESIGHT_RETURN_IF_ERROR(internal::ReadJsonString(doc, "forecaster", name));
  if (name != F::Name()) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint holds '", name, "' states, not '", Sv(F::Name()), "'"));
  }
  if (!doc.contains("entries") || !doc.at("entries").is_array()) {
    return absl::InvalidArgumentError("checkpoint has no 'entries' array");
  }
  absl::StatusOr<typename F::State> cold = f.Fit({});
  if (!cold.ok()) return cold.status();
  nlohmann::json shape;
  StateToJson(shape, *cold);

  std::vector<StateEntry<typename F::State>> out;
  absl::flat_hash_set<std::pair<std::uint64_t, int>> seen;
  const nlohmann::json& entries = doc.at("entries");
  out.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const nlohmann::json& e = entries[i];
    auto fail = [&](const absl::Status& s) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, ": ", s.message()));
    };
    long long user = 0;
    if (absl::Status s = internal::ReadJsonInt(e, "user", user); !s.ok()) return fail(s);
    if (user < 0) return fail(absl::InvalidArgumentError("user id is negative"));
    if (!e.contains("resource") || !e.at("resource").is_string()) {
      return fail(absl::InvalidArgumentError("field 'resource' is missing or not a string"));
    }
    absl::StatusOr<Resource> resource = ParseResource(e.at("resource").get<std::string>());
    if (!resource.ok()) return fail(resource.status());
    if (!seen.insert({static_cast<std::uint64_t>(user), static_cast<int>(*resource)}).second) {
      return fail(absl::InvalidArgumentError(
          absl::StrCat("duplicate state for user#", user, " ", Sv(ResourceName(*resource)))));
    }
    if (!e.contains("state")) return fail(absl::InvalidArgumentError("field 'state' is missing"));
    if (absl::Status s = internal::CheckSameShape(shape, e.at("state"), "state"); !s.ok()) {
      return fail(s);
    }
    StateEntry<typename F::State> entry{UserId{static_cast<std::uint64_t>(user)}, *resource, *cold};
    if (absl::Status s = StateFromJson(e.at("state"), entry.state); !s.ok()) return fail(s);
    out.push_back(std::move(entry));
  }
  return out;
}

// Writes `content` to `path` through a temporary file in the same directory
// and rename(2), so a crash never leaves a half-written checkpoint.
absl::Status WriteFileAtomically(const std::string& path, std::string_view content);
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace foresight

#endif  // FORESIGHT_POOL_CHECKPOINT_HPP_
