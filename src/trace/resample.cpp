#include "foresight/trace/resample.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/trace/layout.hpp"

namespace foresight {

namespace {

bool SameCapacity(const ResourceVector& a, const ResourceVector& b) {
  for (std::size_t i = 0; i < kNumResources; ++i) {
    const bool na = std::isnan(a.values[i]), nb = std::isnan(b.values[i]);
    if (na != nb || (!na && a.values[i] != b.values[i])) return false;
  }
  return true;
}

absl::Status CheckAmounts(const ResourceVector& v, std::string_view what) {
  for (Resource r : kAllResources) {
    const double x = v[r];
    if (std::isnan(x)) continue;
    if (!std::isfinite(x) || x < 0) {
      return absl::InvalidArgumentError(absl::StrCat(Sv(what), " of ", Sv(ResourceName(r)), " is ",
                                                     x, " (must be finite and >= 0)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::int64_t StepIndex(absl::Time t, absl::Duration step) {
  absl::Duration rem;
  std::int64_t q = absl::IDivDuration(t - absl::UnixEpoch(), step, &rem);
  if (rem < absl::ZeroDuration()) --q;
  return q;
}

Resampler::Resampler(ResampleOptions options) : options_(std::move(options)) {}

absl::Status Resampler::Add(const TraceSample& sample) {
  if (!(options_.step > absl::ZeroDuration()) || options_.step == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "resampling step ", absl::FormatDuration(options_.step), " must be finite and > 0"));
  }
  if (sample.entity.empty()) return absl::InvalidArgumentError("empty entity name");
  if (absl::Status s = CheckAmounts(sample.usage, "usage"); !s.ok()) return s;
  if (absl::Status s = CheckAmounts(sample.peak, "peak usage"); !s.ok()) return s;
  if (absl::Status s = CheckAmounts(sample.capacity, "capacity"); !s.ok()) return s;
  if ((options_.start && sample.time < *options_.start) ||
      (options_.end && sample.time >= *options_.end)) {
    ++stats_.skipped_samples;
    return absl::OkStatus();
  }
  // Infinite times (a Unix-seconds value past what absl::Time holds) and steps
  // near the int64 limits would overflow the span arithmetic below.
  constexpr std::int64_t kMaxStepIndex = std::int64_t{1} << 62;
  const std::int64_t step = sample.time == absl::InfiniteFuture() ||
                                    sample.time == absl::InfinitePast()
                                ? std::numeric_limits<std::int64_t>::max()
                                : StepIndex(sample.time, options_.step);
  if (step >= kMaxStepIndex || step <= -kMaxStepIndex) {
    return absl::InvalidArgumentError(
        absl::StrCat("time ", absl::FormatTime(absl::RFC3339_full, sample.time, absl::UTCTimeZone()),
                     " is out of range"));
  }

  Entity* entity = nullptr;
  auto it = index_.find(Sv(sample.entity));
  if (it != index_.end()) {
    entity = &entities_[it->second];
  } else {
    if (options_.max_entities != 0 && entities_.size() >= options_.max_entities) {
      ++stats_.skipped_samples;
      return absl::OkStatus();
    }
    index_.emplace(std::string(sample.entity), static_cast<std::uint32_t>(entities_.size()));
    entities_.push_back(Entity{std::string(sample.entity), step, {}, {}});
    entity = &entities_.back();
  }

  // Grow the entity's step span to cover `step`.
  Bin empty{};
  if (entity->bins.empty()) {
    entity->first_step = step;
    entity->bins.push_back(empty);
  } else if (step < entity->first_step) {
    const std::int64_t last = entity->first_step + static_cast<std::int64_t>(entity->bins.size());
    if (last - step > options_.max_span_steps) {
      return absl::InvalidArgumentError(absl::StrCat(
          "time ", absl::FormatTime(absl::RFC3339_full, sample.time, absl::UTCTimeZone()), " is ",
          last - step, " steps from entity '", Sv(sample.entity),
          "''s other samples (corrupt timestamp?)"));
    }
    entity->bins.insert(entity->bins.begin(), static_cast<std::size_t>(entity->first_step - step),
                        empty);
    entity->first_step = step;
  } else if (step >= entity->first_step + static_cast<std::int64_t>(entity->bins.size())) {
    const std::int64_t span = step - entity->first_step + 1;
    if (span > options_.max_span_steps) {
      return absl::InvalidArgumentError(absl::StrCat(
          "time ", absl::FormatTime(absl::RFC3339_full, sample.time, absl::UTCTimeZone()), " is ",
          span, " steps from entity '", Sv(sample.entity),
          "''s other samples (corrupt timestamp?)"));
    }
    entity->bins.resize(static_cast<std::size_t>(span), empty);
  }
  Bin& bin = entity->bins[static_cast<std::size_t>(step - entity->first_step)];
  for (std::size_t r = 0; r < kNumResources; ++r) {
    if (bin.count[r] == std::numeric_limits<std::uint16_t>::max() &&
        !std::isnan(sample.usage.values[r])) {
      return absl::InvalidArgumentError(absl::StrCat("more than 65535 samples of entity '",
                                                     Sv(sample.entity),
                                                     "' in one step; use a shorter step"));
    }
  }
  bool any = false;
  for (std::size_t r = 0; r < kNumResources; ++r) {
    double v = sample.usage.values[r];
    if (options_.aggregation == Aggregation::kMax && !std::isnan(sample.peak.values[r])) {
      v = sample.peak.values[r];
    }
    if (std::isnan(v)) continue;
    any = true;
    measured_.values[r] = true;
    if (options_.aggregation == Aggregation::kMean) {
      bin.value[r] += v;
    } else {
      bin.value[r] = bin.count[r] == 0 ? v : std::max(bin.value[r], v);
    }
    ++bin.count[r];
  }
  // Capacity per resource: a row may carry only some resources' capacity (long
  // CSV has one resource per row), so merge it into the last known vector.
  bool has_capacity = false;
  for (double c : sample.capacity.values) has_capacity |= !std::isnan(c);
  if (has_capacity) {
    ResourceVector merged = entity->capacity.empty() ? ResourceVector::Filled(kMissing)
                                                     : entity->capacity.back().capacity;
    for (std::size_t r = 0; r < kNumResources; ++r) {
      if (!std::isnan(sample.capacity.values[r])) merged.values[r] = sample.capacity.values[r];
    }
    if (entity->capacity.empty() || !SameCapacity(entity->capacity.back().capacity, merged)) {
      entity->capacity.push_back(CapacityChange{sample.time, merged});
    }
  }
  if (any) ++stats_.samples;
  return absl::OkStatus();
}

absl::StatusOr<LoadedTrace> Resampler::Finish() {
  if (entities_.empty()) return absl::InvalidArgumentError("the trace has no samples");
  std::int64_t first = std::numeric_limits<std::int64_t>::max();
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  for (const Entity& e : entities_) {
    first = std::min(first, e.first_step);
    last = std::max(last, e.first_step + static_cast<std::int64_t>(e.bins.size()) - 1);
  }
  const std::size_t users = entities_.size();
  const std::size_t steps = static_cast<std::size_t>(last - first + 1);
  // Each entity's demand is stored from its first sampled step to its last.
  std::vector<StepWindow> windows(users);
  double stored_steps = 0.0;
  for (std::size_t u = 0; u < users; ++u) {
    const Entity& e = entities_[u];
    if (e.bins.empty()) continue;
    const std::size_t offset = static_cast<std::size_t>(e.first_step - first);
    windows[u] = StepWindow{offset, offset + e.bins.size() - 1};
    stored_steps += static_cast<double>(e.bins.size());
  }
  const double bytes = stored_steps * kNumResources * sizeof(double);
  if (bytes > static_cast<double>(options_.max_tensor_bytes)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        users, " entities over ", steps, " steps (", stored_steps,
        " entity-steps from each one's first sample to its last) need ", bytes / (1 << 20),
        " MiB of demand, over the limit of ", options_.max_tensor_bytes >> 20,
        " MiB: use a longer step, a time window or fewer entities"));
  }

  LoadedTrace out;
  out.measured = measured_;
  Workload& w = out.workload;
  w.step = options_.step;
  w.start = absl::UnixEpoch() + options_.step * first;
  w.demand = DemandTable(steps, windows);
  const std::size_t day_steps =
      static_cast<std::size_t>(std::max<std::int64_t>(1, absl::Hours(24) / options_.step));
  // Primary resources decide whether a step is present: cpu and memory when
  // measured, else every measured resource.
  PerResource<bool> primary{};
  primary.cpu() = measured_.cpu();
  primary.memory() = measured_.memory();
  if (!primary.cpu() && !primary.memory()) primary = measured_;
  out.capacity.resize(users);
  w.users.resize(users);
  for (std::size_t u = 0; u < users; ++u) {
    Entity& e = entities_[u];
    const std::size_t offset = static_cast<std::size_t>(e.first_step - first);
    ResourceVector first_day_peak;
    std::size_t seen = 0;
    auto mean = [&](const Bin& bin, std::size_t r) {
      return options_.aggregation == Aggregation::kMean ? bin.value[r] / bin.count[r]
                                                        : bin.value[r];
    };
    // Secondary resources (io, net) missing at a step where cpu and memory are
    // present hold the entity's previous value (or its first one).
    ResourceVector held = ResourceVector::Filled(kMissing);
    for (const Bin& bin : e.bins) {
      for (std::size_t r = 0; r < kNumResources; ++r) {
        if (std::isnan(held.values[r]) && bin.count[r] > 0) held.values[r] = mean(bin, r);
      }
    }
    for (std::size_t b = 0; b < e.bins.size(); ++b) {
      const Bin& bin = e.bins[b];
      bool all = true, some = false;
      for (std::size_t r = 0; r < kNumResources; ++r) {
        if (!measured_.values[r]) continue;
        if (bin.count[r] > 0) {
          some = true;
        } else if (primary.values[r]) {
          all = false;
        }
      }
      if (!some) continue;
      bool any_primary = false;
      for (std::size_t r = 0; r < kNumResources; ++r)
        any_primary |= primary.values[r] && bin.count[r] > 0;
      if (!all || !any_primary) {
        ++stats_.partial_steps;
        continue;
      }
      for (std::size_t r = 0; r < kNumResources; ++r) {
        double v = 0.0;
        if (measured_.values[r]) {
          if (bin.count[r] > 0) {
            v = mean(bin, r);
            held.values[r] = v;
          } else {
            v = std::isnan(held.values[r]) ? 0.0 : held.values[r];
            ++stats_.held_values;
          }
        }
        w.demand.Set(u, offset + b, r, v);
        if (seen < day_steps) first_day_peak.values[r] = std::max(first_day_peak.values[r], v);
      }
      ++seen;
    }
    std::vector<Bin>().swap(e.bins);
    std::stable_sort(
        e.capacity.begin(), e.capacity.end(),
        [](const CapacityChange& a, const CapacityChange& b) { return a.time < b.time; });
    std::vector<CapacityChange> changes;
    for (const CapacityChange& c : e.capacity) {
      if (changes.empty() || !SameCapacity(changes.back().capacity, c.capacity))
        changes.push_back(c);
    }
    WorkloadUser& user = w.users[u];
    user.id = UserId{u};
    user.name = std::move(e.name);
    user.archetype = options_.archetype;
    user.host = static_cast<std::uint32_t>(u);
    // Per resource, the first capacity the trace gives, else the first-day peak.
    ResourceVector initial = ResourceVector::Filled(kMissing);
    for (const CapacityChange& c : changes) {
      for (Resource r : kAllResources) {
        if (std::isnan(initial[r])) initial[r] = c.capacity[r];
      }
    }
    for (Resource r : kAllResources) {
      if (std::isnan(initial[r])) initial[r] = first_day_peak[r];
    }
    user.initial_allocation = initial;
    out.capacity[u] = std::move(changes);
  }
  out.stats = stats_;
  entities_.clear();
  index_.clear();
  stats_ = {};
  if (absl::Status s = RightSizingLayout(w); !s.ok()) return s;
  return out;
}

}  // namespace foresight
