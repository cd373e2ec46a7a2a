// -----------------------------------------------------------------------------
// File: libvirt_pool.hpp
// -----------------------------------------------------------------------------
//
// `LibvirtPool` plays the `Pool` role for one libvirt host: each user is a
// running domain, limits are the domain's live settings.
//
//   resource  limit (Apply, VIR_DOMAIN_AFFECT_LIVE)      usage (Observe)
//   cpu       vCPUs: virDomainSetVcpusFlags             cpu time delta (virDomainGetInfo)
//   memory    balloon: virDomainSetMemoryFlags          available - unused
//                                                       (virDomainMemoryStats), else rss,
//                                                       else the balloon size
//   io        virDomainSetBlockIoTune total_bytes_sec   rd + wr bytes delta (virDomainBlockStats)
//   net       virDomainSetInterfaceParameters           rx + tx bytes delta
//             inbound/outbound average (KiB/s)          (virDomainInterfaceStats)
//
// vCPUs are whole: a cpu target is rounded down (at least 1 vCPU) and the
// capacity check uses the rounded value. io and net are managed only for the
// disk / interface named when the domain is added, and only up to the capacity
// given in the options (the node does not report one). A setting the driver
// does not support comes back as UnimplementedError carrying libvirt's message;
// one it refuses (above the domain's maximum vCPUs or memory) as the mapped
// code, after re-reading the setting to verify it is unchanged.
//
// A domain that is shut off is not reported by Observe and holds nothing;
// moves for it fail with FailedPreconditionError until it runs again (its
// usage then restarts from a first sample).
//
// Host capacity comes from virNodeGetInfo (cpus, memory) unless given.
// `capabilities().can_migrate` is true when the connection's capabilities XML
// lists migration features; migration itself (virDomainMigrate) is not done here.
//
// Observe uses per-domain calls (virDomainGetInfo, MemoryStats, BlockStats,
// InterfaceStats) rather than virConnectGetAllDomainStats, which some drivers
// (the test driver among them) answer with the domain state only.
//
// Not thread-safe: one controller drives a pool.
#ifndef FORESIGHT_POOL_LIBVIRT_POOL_HPP_
#define FORESIGHT_POOL_LIBVIRT_POOL_HPP_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "foresight/allocate/plan.hpp"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"
#include "foresight/pool/pool.hpp"
#include "foresight/telemetry/observation.hpp"

namespace foresight {

struct LibvirtPoolOptions {
  // Connection URI, e.g. "qemu:///system" or, for tests, "test:///default". Required.
  std::string uri;
  // Host capacity; zero cpu / memory are read from virNodeGetInfo. io and net
  // (bytes/s) must be given for those resources to be granted at all.
  ResourceVector capacity;
  // Actuation lead time per resource (ballooning and vCPU hotplug are not
  // instant on real guests; default 0).
  PerResource<absl::Duration> lead_time = PerResource<absl::Duration>::Filled(absl::ZeroDuration());
};

class LibvirtPool {
 public:
  static std::string_view Name() { return "libvirt"; }

  // Connects and reads the node's capacity.
  static absl::StatusOr<LibvirtPool> Open(LibvirtPoolOptions options);

  LibvirtPool(LibvirtPool&&) noexcept;
  LibvirtPool& operator=(LibvirtPool&&) noexcept;
  ~LibvirtPool();

  // Manages domain `name` as user `id`. `disk` (a target like "vda") and
  // `interface` (a target like "vnet0") enable io and net; each is checked to
  // exist. NotFoundError for unknown domains or devices, AlreadyExistsError
  // for a known id or domain.
  absl::Status AddDomain(UserId id, std::string_view name, std::string_view disk = "",
                         std::string_view interface = "");
  // Stops managing `id`; the next Observe reports it once more, flagged
  // kEventDeleted.
  absl::Status RemoveDomain(UserId id);

  absl::Status Observe(absl::Time now, Observation& out);
  absl::Status Apply(absl::Time now, const AllocationPlan& plan,
                     std::vector<absl::Status>& results);
  absl::Duration LeadTime(Resource r) const;
  PoolCapabilities capabilities() const;

  const ResourceVector& capacity() const;
  // The live settings of the domain now ("unlimited" io / net = capacity);
  // FailedPreconditionError when it is not running.
  absl::StatusOr<ResourceVector> ReadLimits(UserId id) const;

 private:
  struct Impl;
  explicit LibvirtPool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

static_assert(Pool<LibvirtPool>);

}  // namespace foresight

#endif  // FORESIGHT_POOL_LIBVIRT_POOL_HPP_
