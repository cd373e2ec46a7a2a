// -----------------------------------------------------------------------------
// File: resample.hpp
// -----------------------------------------------------------------------------
//
// `Resampler` turns a stream of irregular `TraceSample`s into a `Workload` on a
// fixed time grid. Steps are aligned to multiples of `step` since the Unix
// epoch; a sample at time t lands in step floor(t / step). Per entity, step and
// resource it keeps the mean (or the max) of the samples that fell in the step.
//
// Gaps stay gaps: a step with no sample is NaN for every resource. A step is
// present only when cpu and memory have a value (those of them the trace
// measures; if it measures neither, every measured resource); a step without
// them is dropped to NaN and counted in `TraceStats::partial_steps`. io or net
// missing at a present step hold the entity's previous value (its first one
// before any), counted in `TraceStats::held_values`: a lost network sample does
// not throw away the step's cpu and memory. Resources the trace never records
// are 0 at present steps and flagged in `LoadedTrace::measured`.
//
// Capacity: each change of an entity's provisioned size is kept as a
// `CapacityChange` (time-ordered); the first known capacity becomes the user's
// initial allocation. Entities without a known capacity start at the peak of
// their first day of present demand.
//
// Memory: per entity only the span of steps it was seen in, 40 bytes per step,
// independent of how many rows the trace has. Samples may come in any order.
#ifndef FORESIGHT_TRACE_RESAMPLE_HPP_
#define FORESIGHT_TRACE_RESAMPLE_HPP_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/sim/workload.hpp"
#include "foresight/trace/sample.hpp"

namespace foresight {

enum class Aggregation { kMean, kMax };

struct ResampleOptions {
  absl::Duration step = absl::Minutes(5);
  Aggregation aggregation = Aggregation::kMean;
  // Samples before `start` or at/after `end` are skipped (counted in stats).
  std::optional<absl::Time> start;
  std::optional<absl::Time> end;
  // Keep only the first `max_entities` entities seen (0 = all); later ones are skipped.
  std::size_t max_entities = 0;
  // Refuse to store more demand than this: 4 doubles per step from each
  // entity's first sampled step to its last (`DemandTable`).
  std::size_t max_tensor_bytes = std::size_t{16} << 30;
  // Refuse an entity whose samples span more steps than this (a corrupt timestamp).
  std::int64_t max_span_steps = 4'000'000;
  // Label stored in WorkloadUser::archetype.
  std::string archetype = "trace";
};

struct CapacityChange {
  absl::Time time;
  ResourceVector capacity;  // NaN components = unknown
};

struct TraceStats {
  std::size_t files = 0;
  std::size_t rows = 0;             // data rows read
  std::size_t samples = 0;          // samples accepted into a step
  std::size_t skipped_samples = 0;  // outside the window or beyond max_entities
  std::size_t missing_fields = 0;   // empty fields and documented invalid markers (kept
                                    // missing, never zero: Alibaba's -1 and 101 percent)
  std::size_t dropped_rows = 0;     // rows the format documents as not data: Bitbrains rows
                                    // of a de-provisioned VM, Alibaba rows without an id
  std::size_t partial_steps = 0;    // steps dropped because cpu or memory was missing
  std::size_t held_values = 0;      // io/net values held from the entity's previous step
  std::uint64_t bytes = 0;          // uncompressed bytes read
};

struct LoadedTrace {
  Workload workload;  // one host per user, sized by `RightSizingLayout` (trace/layout.hpp)
  std::vector<std::vector<CapacityChange>> capacity;  // per user, time-ordered
  PerResource<bool> measured{};                       // resources the trace records
  TraceStats stats;
};

class Resampler {
 public:
  explicit Resampler(ResampleOptions options);

  // Adds one sample. Errors (negative or non-finite usage, a corrupt or
  // out-of-range timestamp, too many samples in one step, a step that is not
  // finite and > 0) leave the resampler unchanged.
  absl::Status Add(const TraceSample& sample);

  std::size_t num_entities() const { return entities_.size(); }
  TraceStats& stats() { return stats_; }
  const ResampleOptions& options() const { return options_; }

  // Builds the workload. Fails when no sample was accepted or its demand would
  // exceed `max_tensor_bytes`. The resampler is empty afterwards.
  absl::StatusOr<LoadedTrace> Finish();

 private:
  struct Bin {
    double value[kNumResources];
    std::uint16_t count[kNumResources];
  };
  struct Entity {
    std::string name;
    std::int64_t first_step = 0;
    std::vector<Bin> bins;
    std::vector<CapacityChange> capacity;
  };

  ResampleOptions options_;
  absl::flat_hash_map<std::string, std::uint32_t> index_;
  std::vector<Entity> entities_;
  PerResource<bool> measured_{};
  TraceStats stats_;
};

// Step index of `t` on a grid of `step` anchored at the Unix epoch (floor).
std::int64_t StepIndex(absl::Time t, absl::Duration step);

}  // namespace foresight

#endif  // FORESIGHT_TRACE_RESAMPLE_HPP_
