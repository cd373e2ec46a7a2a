// -----------------------------------------------------------------------------
// File: app_chain.hpp
// -----------------------------------------------------------------------------
//
// `AppChain` learns, per user slot, which application follows which (a sparse
// first-order Markov chain over `kEventAppLaunch` app ids) and what each
// application typically demands while it is the user's current application,
// and how long it stays current (dwell). A launch therefore predicts both the
// next application and the demand that follows.
//
// Memory is bounded per user: `max_transitions` (from, to, count) cells and
// `max_apps` per-app demand cells in contiguous slot-indexed arrays. When a
// table is full the cell with the smallest count is replaced and the newcomer
// inherits that count plus one (the Space-Saving rule, so frequent transitions
// are never evicted by rare ones). Counts decay by `decay` per launch so the
// chain follows changing habits.
//
// Everything here is the user's own: nothing is pooled across users, so
// `Forget(slot)` (the user was deleted, the slot goes to a new user) clears
// the slot's chain, app cells and current app in O(max_transitions + max_apps).
//
//   AppChain chain;
//   chain.Launch(slot, now, /*app=*/3);
//   chain.ObserveUsage(slot, usage);            // attributed to app 3
//   AppChain::Prediction next = chain.Next(slot);  // e.g. {app 5, p 0.8}
//
// | type   | name            | description                                 | default |
// |--------|-----------------|---------------------------------------------|---------|
// | int    | max_transitions | transition cells per user                   | 16      |
// | int    | max_apps        | per-app demand cells per user               | 8       |
// | double | decay           | count decay per launch, in [0, 1)           | 0.01    |
// | double | demand_alpha    | EW weight of a usage sample in app demand   | 0.2     |
#ifndef FORESIGHT_PROFILE_APP_CHAIN_HPP_
#define FORESIGHT_PROFILE_APP_CHAIN_HPP_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"

namespace foresight {

struct AppChainOptions {
  int max_transitions = 16;
  int max_apps = 8;
  double decay = 0.01;
  double demand_alpha = 0.2;
};

class AppChain {
 public:
  struct Prediction {
    std::int32_t app = -1;
    double probability = 0.0;
  };
  // What is known of one application of one user.
  struct AppStats {
    std::int32_t app = -1;
    double launches = 0.0;        // decayed launch count
    double samples = 0.0;         // usage samples attributed
    ResourceVector demand;        // EW mean usage while current
    double dwell_minutes = 0.0;   // EW mean time until the next launch or session end
    double error = 0.0;           // EW error of `demand` as a prediction (see RecordError)
    double baseline_error = 0.0;  // EW error of the caller's baseline meanwhile
    double errors = 0.0;          // errors recorded
  };

  AppChain() : AppChain(AppChainOptions{}) {}
  explicit AppChain(AppChainOptions options) : options_(options) {
    options_.max_transitions = std::max(options_.max_transitions, 1);
    options_.max_apps = std::max(options_.max_apps, 1);
    options_.decay = std::clamp(options_.decay, 0.0, 0.999);
  }

  const AppChainOptions& options() const { return options_; }
  std::size_t slots() const { return users_.size(); }

  void Resize(std::size_t n) {
    if (n <= slots()) return;
    users_.resize(n);
    cells_.resize(n * static_cast<std::size_t>(options_.max_transitions));
    apps_.resize(n * static_cast<std::size_t>(options_.max_apps));
  }

  // `app` was launched at `now`: counts the transition from the previous app
  // of the session, closes the previous app's dwell and makes `app` current.
  void Launch(Slot slot, absl::Time now, std::int32_t app);
  // Attributes one usage sample to the current application, if any.
  void ObserveUsage(Slot slot, const ResourceVector& usage);
  // Records how well the current app's demand (`error`) and the caller's
  // baseline (`baseline_error`) predicted the latest sample, EW with weight
  // max(alpha, 1 / n); the caller weighs the two predictors with these.
  void RecordError(Slot slot, double error, double baseline_error, double alpha);
  // The session ended at `now`: closes the current app's dwell; the next launch
  // starts a new chain (no transition from this session's last app).
  void EndSession(Slot slot, absl::Time now);

  // Drops all that is known of `slot` (chain, apps, current app), as if it
  // were never used; no-op beyond `slots()`. Arrays keep their size.
  void Forget(Slot slot);

  std::int32_t last_app(Slot slot) const { return slot < slots() ? users_[slot].last_app : -1; }
  // The application whose demand is being learnt (-1 outside an app).
  std::int32_t current_app(Slot slot) const { return slot < slots() ? users_[slot].current : -1; }
  absl::Time current_since(Slot slot) const {
    return slot < slots() ? users_[slot].since : absl::InfinitePast();
  }

  // Most likely successor of `from` and its probability (app -1 when unknown).
  Prediction Next(Slot slot, std::int32_t from) const;
  Prediction Next(Slot slot) const { return Next(slot, last_app(slot)); }
  // P(from -> to); 0 when never seen.
  double Probability(Slot slot, std::int32_t from, std::int32_t to) const;
  // Calls fn(to, probability) for every known successor of `from`.
  template <typename Fn>
  void ForEachNext(Slot slot, std::int32_t from, Fn&& fn) const;

  // Stats of `app` for this user, or nullopt when it has no cell.
  std::optional<AppStats> Stats(Slot slot, std::int32_t app) const;

  std::size_t BytesPerSlot() const {
    return sizeof(UserState) + sizeof(Cell) * static_cast<std::size_t>(options_.max_transitions) +
           sizeof(AppCell) * static_cast<std::size_t>(options_.max_apps);
  }

 private:
  struct UserState {
    std::int32_t last_app = -1;    // most recent launch (kept across sessions)
    std::int32_t chain_from = -1;  // predecessor for the next transition
    std::int32_t current = -1;     // app whose demand is learnt
    absl::Time since = absl::InfinitePast();
  };
  struct Cell {
    std::int32_t from = -1;
    std::int32_t to = -1;
    float count = 0.0f;
  };
  struct AppCell {
    std::int32_t app = -1;
    float launches = 0.0f;
    float samples = 0.0f;
    float dwell_minutes = 0.0f;
    float error = 0.0f;
    float baseline_error = 0.0f;
    float errors = 0.0f;
    float demand[kNumResources] = {};
  };

  Cell* Cells(Slot slot) {
    return &cells_[slot * static_cast<std::size_t>(options_.max_transitions)];
  }
  const Cell* Cells(Slot slot) const {
    return &cells_[slot * static_cast<std::size_t>(options_.max_transitions)];
  }
  AppCell* Apps(Slot slot) { return &apps_[slot * static_cast<std::size_t>(options_.max_apps)]; }
  const AppCell* Apps(Slot slot) const {
    return &apps_[slot * static_cast<std::size_t>(options_.max_apps)];
  }
  AppCell* FindApp(Slot slot, std::int32_t app);
  AppCell& FindOrAddApp(Slot slot, std::int32_t app);
  void CloseDwell(Slot slot, absl::Time now);

  AppChainOptions options_;
  std::vector<UserState> users_;
  std::vector<Cell> cells_;    // slot x max_transitions
  std::vector<AppCell> apps_;  // slot x max_apps
};

// ---------------------------------------------------------------------------
// Implementation.
// ---------------------------------------------------------------------------

inline AppChain::AppCell* AppChain::FindApp(Slot slot, std::int32_t app) {
  AppCell* cells = Apps(slot);
  for (int i = 0; i < options_.max_apps; ++i) {
    if (cells[i].app == app) return &cells[i];
  }
  return nullptr;
}

inline AppChain::AppCell& AppChain::FindOrAddApp(Slot slot, std::int32_t app) {
  if (AppCell* c = FindApp(slot, app)) return *c;
  AppCell* cells = Apps(slot);
  AppCell* victim = &cells[0];
  for (int i = 0; i < options_.max_apps; ++i) {
    if (cells[i].app < 0) {
      victim = &cells[i];
      break;
    }
    if (cells[i].launches < victim->launches) victim = &cells[i];
  }
  const float inherited = victim->app < 0 ? 0.0f : victim->launches;
  *victim = AppCell{};
  victim->app = app;
  victim->launches = inherited;
  return *victim;
}

inline void AppChain::CloseDwell(Slot slot, absl::Time now) {
  UserState& u = users_[slot];
  if (u.current < 0) return;
  if (AppCell* c = FindApp(slot, u.current)) {
    const double minutes = std::max(absl::ToDoubleMinutes(now - u.since), 0.0);
    const double w = std::max(options_.demand_alpha, 1.0 / std::max(1.0, double{c->launches}));
    c->dwell_minutes =
        c->dwell_minutes == 0.0f
            ? static_cast<float>(minutes)
            : static_cast<float>(c->dwell_minutes + w * (minutes - c->dwell_minutes));
  }
}

inline void AppChain::Launch(Slot slot, absl::Time now, std::int32_t app) {
  if (app < 0) return;
  Resize(static_cast<std::size_t>(slot) + 1);
  UserState& u = users_[slot];
  CloseDwell(slot, now);
  const float keep = static_cast<float>(1.0 - options_.decay);
  if (u.chain_from >= 0) {
    Cell* cells = Cells(slot);
    Cell* hit = nullptr;
    Cell* victim = &cells[0];
    for (int i = 0; i < options_.max_transitions; ++i) {
      Cell& c = cells[i];
      c.count *= keep;
      if (c.from == u.chain_from && c.to == app) hit = &c;
      if (c.from < 0) {
        if (victim->from >= 0) victim = &c;
      } else if (victim->from >= 0 && c.count < victim->count) {
        victim = &c;
      }
    }
    if (hit != nullptr) {
      hit->count += 1.0f;
    } else {
      const float inherited = victim->from < 0 ? 0.0f : victim->count;
      *victim = Cell{u.chain_from, app, inherited + 1.0f};
    }
  }
  AppCell* apps = Apps(slot);
  for (int i = 0; i < options_.max_apps; ++i) apps[i].launches *= keep;
  FindOrAddApp(slot, app).launches += 1.0f;
  u.last_app = app;
  u.chain_from = app;
  u.current = app;
  u.since = now;
}

inline void AppChain::ObserveUsage(Slot slot, const ResourceVector& usage) {
  if (slot >= slots() || users_[slot].current < 0) return;
  AppCell* c = FindApp(slot, users_[slot].current);
  if (c == nullptr) return;
  c->samples += 1.0f;
  const double w = std::max(options_.demand_alpha, 1.0 / c->samples);
  for (std::size_t r = 0; r < kNumResources; ++r) {
    c->demand[r] = static_cast<float>(c->demand[r] + w * (usage.values[r] - c->demand[r]));
  }
}

inline void AppChain::RecordError(Slot slot, double error, double baseline_error, double alpha) {
  if (slot >= slots() || users_[slot].current < 0) return;
  AppCell* c = FindApp(slot, users_[slot].current);
  if (c == nullptr) return;
  c->errors += 1.0f;
  const double w = std::max(alpha, 1.0 / c->errors);
  c->error = static_cast<float>(c->error + w * (error - c->error));
  c->baseline_error =
      static_cast<float>(c->baseline_error + w * (baseline_error - c->baseline_error));
}

inline void AppChain::EndSession(Slot slot, absl::Time now) {
  if (slot >= slots()) return;
  CloseDwell(slot, now);
  users_[slot].current = -1;
  users_[slot].chain_from = -1;
}

inline void AppChain::Forget(Slot slot) {
  if (slot >= slots()) return;
  users_[slot] = UserState{};
  std::fill_n(Cells(slot), options_.max_transitions, Cell{});
  std::fill_n(Apps(slot), options_.max_apps, AppCell{});
}

template <typename Fn>
void AppChain::ForEachNext(Slot slot, std::int32_t from, Fn&& fn) const {
  if (slot >= slots() || from < 0) return;
  const Cell* cells = Cells(slot);
  double total = 0.0;
  for (int i = 0; i < options_.max_transitions; ++i) {
    if (cells[i].from == from) total += cells[i].count;
  }
  if (total <= 0.0) return;
  for (int i = 0; i < options_.max_transitions; ++i) {
    if (cells[i].from == from) fn(cells[i].to, cells[i].count / total);
  }
}

inline AppChain::Prediction AppChain::Next(Slot slot, std::int32_t from) const {
  Prediction best;
  ForEachNext(slot, from, [&](std::int32_t to, double p) {
    if (p > best.probability || (p == best.probability && to < best.app)) best = {to, p};
  });
  return best;
}

inline double AppChain::Probability(Slot slot, std::int32_t from, std::int32_t to) const {
  double p = 0.0;
  ForEachNext(slot, from, [&](std::int32_t t, double q) {
    if (t == to) p = q;
  });
  return p;
}

inline std::optional<AppChain::AppStats> AppChain::Stats(Slot slot, std::int32_t app) const {
  if (slot >= slots() || app < 0) return std::nullopt;
  const AppCell* cells = Apps(slot);
  for (int i = 0; i < options_.max_apps; ++i) {
    if (cells[i].app != app) continue;
    AppStats s;
    s.app = app;
    s.launches = cells[i].launches;
    s.samples = cells[i].samples;
    s.dwell_minutes = cells[i].dwell_minutes;
    s.error = cells[i].error;
    s.baseline_error = cells[i].baseline_error;
    s.errors = cells[i].errors;
    for (std::size_t r = 0; r < kNumResources; ++r) s.demand.values[r] = cells[i].demand[r];
    return s;
  }
  return std::nullopt;
}

}  // namespace foresight

#endif  // FORESIGHT_PROFILE_APP_CHAIN_HPP_
