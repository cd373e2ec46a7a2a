// -----------------------------------------------------------------------------
// File: libvirt_pool.cpp
// -----------------------------------------------------------------------------
#include "foresight/pool/libvirt_pool.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "foresight/core/status.hpp"
#include "foresight/core/units.hpp"
#include "foresight/pool/internal/adapter_common.hpp"

namespace foresight {
namespace {

void Quiet(void* /*user_data*/, virErrorPtr /*error*/) {}

// The calling thread's last libvirt error as a Status: "<what>: <message> (libvirt error N)".
absl::Status LastError(std::string_view what) {
  virErrorPtr e = virGetLastError();
  const int code = e != nullptr ? e->code : VIR_ERR_INTERNAL_ERROR;
  const char* message = e != nullptr && e->message != nullptr ? e->message : "unknown error";
  absl::StatusCode sc = absl::StatusCode::kInternal;
  switch (code) {
    case VIR_ERR_NO_SUPPORT:
    case VIR_ERR_OPERATION_UNSUPPORTED:
    case VIR_ERR_ARGUMENT_UNSUPPORTED:
      sc = absl::StatusCode::kUnimplemented;
      break;
    case VIR_ERR_INVALID_ARG:
    case VIR_ERR_CONFIG_UNSUPPORTED:
      sc = absl::StatusCode::kInvalidArgument;
      break;
    case VIR_ERR_NO_DOMAIN:
      sc = absl::StatusCode::kNotFound;
      break;
    case VIR_ERR_OPERATION_INVALID:
      sc = absl::StatusCode::kFailedPrecondition;
      break;
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_OPERATION_TIMEOUT:
      sc = absl::StatusCode::kUnavailable;
      break;
    default:
      break;
  }
  absl::Status s(sc, absl::StrCat(Sv(what), ": ", message, " (libvirt error ", code, ")"));
  virResetLastError();
  return s;
}

// Owns an array of typed parameters filled by a virDomainGet*Parameters call.
struct TypedParams {
  virTypedParameterPtr params = nullptr;
  int count = 0;
  int capacity = 0;
  ~TypedParams() {
    if (params != nullptr) virTypedParamsFree(params, count);
  }
  std::optional<unsigned long long> ULLong(const char* name) const {
    unsigned long long v = 0;
    if (virTypedParamsGetULLong(params, count, name, &v) == 1) return v;
    return std::nullopt;
  }
  std::optional<unsigned int> UInt(const char* name) const {
    unsigned int v = 0;
    if (virTypedParamsGetUInt(params, count, name, &v) == 1) return v;
    return std::nullopt;
  }
};

absl::Status GetBlockIoTune(virDomainPtr dom, const std::string& disk, TypedParams& out) {
  int n = 0;
  if (virDomainGetBlockIoTune(dom, disk.c_str(), nullptr, &n, VIR_DOMAIN_AFFECT_LIVE) < 0) {
    return LastError(absl::StrCat("virDomainGetBlockIoTune(", disk, ")"));
  }
  out.params = static_cast<virTypedParameterPtr>(std::calloc(std::max(n, 1), sizeof(*out.params)));
  if (virDomainGetBlockIoTune(dom, disk.c_str(), out.params, &n, VIR_DOMAIN_AFFECT_LIVE) < 0) {
    return LastError(absl::StrCat("virDomainGetBlockIoTune(", disk, ")"));
  }
  out.count = n;
  return absl::OkStatus();
}

absl::Status GetInterfaceParameters(virDomainPtr dom, const std::string& iface, TypedParams& out) {
  int n = 0;
  if (virDomainGetInterfaceParameters(dom, iface.c_str(), nullptr, &n, VIR_DOMAIN_AFFECT_LIVE) <
      0) {
    return LastError(absl::StrCat("virDomainGetInterfaceParameters(", iface, ")"));
  }
  out.params = static_cast<virTypedParameterPtr>(std::calloc(std::max(n, 1), sizeof(*out.params)));
  if (virDomainGetInterfaceParameters(dom, iface.c_str(), out.params, &n, VIR_DOMAIN_AFFECT_LIVE) <
      0) {
    return LastError(absl::StrCat("virDomainGetInterfaceParameters(", iface, ")"));
  }
  out.count = n;
  return absl::OkStatus();
}

}  // namespace

struct LibvirtPool::Impl {
  struct Counters {
    std::uint64_t cpu_ns = 0;
    std::uint64_t io_bytes = 0;
    std::uint64_t net_bytes = 0;
    double memory_bytes = 0.0;
  };
  struct Domain {
    UserId id;
    std::string name;
    virDomainPtr dom = nullptr;
    std::string disk;
    std::string iface;
    // Why io / net moves cannot be applied to this domain (empty when they can).
    std::string io_reason;
    std::string net_reason;
    Counters last;
    bool has_last = false;
    std::uint32_t pending_events = kEventNone;
  };

  LibvirtPoolOptions options;
  virConnectPtr conn = nullptr;
  bool can_migrate = false;
  std::vector<Domain> domains;
  std::vector<UserId> removed;  // since the last Observe: reported deleted there
  bool has_last_time = false;
  absl::Time last_time;

  ~Impl() {
    for (Domain& d : domains) virDomainFree(d.dom);
    if (conn != nullptr) virConnectClose(conn);
  }

  Domain* Find(UserId id) {
    for (Domain& d : domains) {
      if (d.id == id) return &d;
    }
    return nullptr;
  }

  // 1 running (or paused), 0 shut off, error when libvirt cannot tell.
  absl::StatusOr<bool> Active(const Domain& d) const {
    const int active = virDomainIsActive(d.dom);
    if (active < 0) return LastError(absl::StrCat("virDomainIsActive(", d.name, ")"));
    return active == 1;
  }

  std::string Describe(const Domain& d) const {
    return absl::StrCat(ToString(d.id), " (domain ", d.name, ")");
  }

  absl::StatusOr<double> ReadLimit(const Domain& d, Resource r) const {
    const double cap = options.capacity[r];
    switch (r) {
      case Resource::kCpu: {
        const int n = virDomainGetVcpusFlags(d.dom, VIR_DOMAIN_AFFECT_LIVE);
        if (n < 0) return LastError(absl::StrCat("virDomainGetVcpusFlags(", d.name, ")"));
        return std::min(static_cast<double>(n), cap);
      }
      case Resource::kMemory: {
        virDomainInfo info;
        if (virDomainGetInfo(d.dom, &info) < 0) {
          return LastError(absl::StrCat("virDomainGetInfo(", d.name, ")"));
        }
        return std::min(static_cast<double>(info.memory) * 1024.0, cap);
      }
      case Resource::kIo: {
        if (d.disk.empty() || !d.io_reason.empty()) return cap;
        TypedParams p;
        FORESIGHT_RETURN_IF_ERROR(GetBlockIoTune(d.dom, d.disk, p));
        const unsigned long long total =
            p.ULLong(VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC).value_or(0);
        return total == 0 ? cap : std::min(static_cast<double>(total), cap);
      }
      case Resource::kNet: {
        if (d.iface.empty() || !d.net_reason.empty()) return cap;
        TypedParams p;
        FORESIGHT_RETURN_IF_ERROR(GetInterfaceParameters(d.dom, d.iface, p));
        double limit = cap;
        for (const char* key :
             {VIR_DOMAIN_BANDWIDTH_IN_AVERAGE, VIR_DOMAIN_BANDWIDTH_OUT_AVERAGE}) {
          const unsigned int kib = p.UInt(key).value_or(0);
          if (kib != 0) limit = std::min(limit, kib * 1024.0);
        }
        return limit;
      }
    }
    return cap;
  }

  absl::StatusOr<ResourceVector> ReadLimits(const Domain& d) const {
    ResourceVector out;
    for (Resource r : kAllResources) {
      FORESIGHT_ASSIGN_OR_RETURN(out[r], ReadLimit(d, r));
    }
    return out;
  }

  absl::StatusOr<Counters> ReadCounters(const Domain& d) const {
    Counters c;
    virDomainInfo info;
    if (virDomainGetInfo(d.dom, &info) < 0) {
      return LastError(absl::StrCat("virDomainGetInfo(", d.name, ")"));
    }
    c.cpu_ns = info.cpuTime;
    c.memory_bytes = static_cast<double>(info.memory) * 1024.0;
    virDomainMemoryStatStruct stats[VIR_DOMAIN_MEMORY_STAT_NR];
    const int n = virDomainMemoryStats(d.dom, stats, VIR_DOMAIN_MEMORY_STAT_NR, 0);
    if (n > 0) {
      std::optional<unsigned long long> available, unused, rss;
      for (int i = 0; i < n; ++i) {
        if (stats[i].tag == VIR_DOMAIN_MEMORY_STAT_AVAILABLE) available = stats[i].val;
        if (stats[i].tag == VIR_DOMAIN_MEMORY_STAT_UNUSED) unused = stats[i].val;
        if (stats[i].tag == VIR_DOMAIN_MEMORY_STAT_RSS) rss = stats[i].val;
      }
      if (available && unused && *available >= *unused) {
        c.memory_bytes = static_cast<double>(*available - *unused) * 1024.0;
      } else if (rss) {
        c.memory_bytes = static_cast<double>(*rss) * 1024.0;
      }
    } else {
      virResetLastError();  // no balloon statistics: fall back to the balloon size
    }
    if (!d.disk.empty()) {
      virDomainBlockStatsStruct bs;
      if (virDomainBlockStats(d.dom, d.disk.c_str(), &bs, sizeof(bs)) < 0) {
        return LastError(absl::StrCat("virDomainBlockStats(", d.name, ", ", d.disk, ")"));
      }
      c.io_bytes =
          static_cast<std::uint64_t>(std::max(0LL, bs.rd_bytes) + std::max(0LL, bs.wr_bytes));
    }
    if (!d.iface.empty()) {
      virDomainInterfaceStatsStruct is;
      if (virDomainInterfaceStats(d.dom, d.iface.c_str(), &is, sizeof(is)) < 0) {
        return LastError(absl::StrCat("virDomainInterfaceStats(", d.name, ", ", d.iface, ")"));
      }
      c.net_bytes =
          static_cast<std::uint64_t>(std::max(0LL, is.rx_bytes) + std::max(0LL, is.tx_bytes));
    }
    return c;
  }

  // The value a move to `to` will actually set (whole vCPUs, KiB, bytes/s, KiB/s).
  static double Rounded(Resource r, double to) {
    switch (r) {
      case Resource::kCpu:
        return std::max(1.0, std::floor(to + 1e-9));
      case Resource::kMemory:
        return std::floor(to / 1024.0) * 1024.0;
      case Resource::kIo:
        return std::max(1.0, std::floor(to));
      case Resource::kNet:
        return std::max(1.0, std::floor(to / 1024.0)) * 1024.0;
    }
    return to;
  }

  absl::Status Set(const Domain& d, Resource r, double value) {
    const unsigned int flags = VIR_DOMAIN_AFFECT_LIVE;
    switch (r) {
      case Resource::kCpu:
        if (virDomainSetVcpusFlags(d.dom, static_cast<unsigned int>(value), flags) < 0) {
          return LastError(absl::StrCat("virDomainSetVcpusFlags(", d.name, ", ", value, ")"));
        }
        return absl::OkStatus();
      case Resource::kMemory:
        if (const auto kib = static_cast<unsigned long>(value / 1024.0);
            virDomainSetMemoryFlags(d.dom, kib, flags) < 0) {
          return LastError(absl::StrCat("virDomainSetMemoryFlags(", d.name, ", ", kib, " KiB)"));
        }
        return absl::OkStatus();
      case Resource::kIo: {
        // total_bytes_sec_max (the burst ceiling) is set to the same rate: the
        // test driver refuses a rate above an unset (0) maximum.
        TypedParams p;
        const auto bps = static_cast<unsigned long long>(value);
        if (virTypedParamsAddULLong(&p.params, &p.count, &p.capacity,
                                    VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC, bps) < 0 ||
            virTypedParamsAddULLong(&p.params, &p.count, &p.capacity,
                                    VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC_MAX, bps) < 0) {
          return LastError("virTypedParamsAddULLong");
        }
        if (virDomainSetBlockIoTune(d.dom, d.disk.c_str(), p.params, p.count, flags) < 0) {
          return LastError(absl::StrCat("virDomainSetBlockIoTune(", d.name, ", ", d.disk, ")"));
        }
        return absl::OkStatus();
      }
      case Resource::kNet: {
        TypedParams p;
        const auto kib = static_cast<unsigned int>(value / 1024.0);
        if (virTypedParamsAddUInt(&p.params, &p.count, &p.capacity, VIR_DOMAIN_BANDWIDTH_IN_AVERAGE,
                                  kib) < 0 ||
            virTypedParamsAddUInt(&p.params, &p.count, &p.capacity,
                                  VIR_DOMAIN_BANDWIDTH_OUT_AVERAGE, kib) < 0) {
          return LastError("virTypedParamsAddUInt");
        }
        if (virDomainSetInterfaceParameters(d.dom, d.iface.c_str(), p.params, p.count, flags) < 0) {
          return LastError(
              absl::StrCat("virDomainSetInterfaceParameters(", d.name, ", ", d.iface, ")"));
        }
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }

  // Why moves of `r` cannot be applied to `d`, empty when they can.
  std::string Unsupported(const Domain& d, Resource r) const {
    if (r == Resource::kIo) {
      if (d.disk.empty()) return absl::StrCat("no disk was named for domain ", d.name);
      return d.io_reason;
    }
    if (r == Resource::kNet) {
      if (d.iface.empty()) return absl::StrCat("no interface was named for domain ", d.name);
      return d.net_reason;
    }
    return "";
  }
};

LibvirtPool::LibvirtPool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LibvirtPool::LibvirtPool(LibvirtPool&&) noexcept = default;
LibvirtPool& LibvirtPool::operator=(LibvirtPool&&) noexcept = default;
LibvirtPool::~LibvirtPool() = default;

absl::StatusOr<LibvirtPool> LibvirtPool::Open(LibvirtPoolOptions options) {
  if (options.uri.empty()) return absl::InvalidArgumentError("LibvirtPool needs a connection uri");
  if (!IsValidAmount(options.capacity)) {
    return absl::InvalidArgumentError("capacity is NaN, infinite or negative");
  }
  for (Resource r : kAllResources) {
    if (options.lead_time[r] < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("lead time of ", Sv(ResourceName(r)), " is negative"));
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->conn = virConnectOpen(impl->options.uri.c_str());
  if (impl->conn == nullptr) {
    return LastError(absl::StrCat("virConnectOpen(", impl->options.uri, ")"));
  }
  virConnSetErrorFunc(impl->conn, nullptr, Quiet);
  virNodeInfo node;
  if (virNodeGetInfo(impl->conn, &node) < 0) return LastError("virNodeGetInfo");
  ResourceVector& cap = impl->options.capacity;
  if (cap.cpu() <= 0.0) cap.cpu() = node.cpus;
  if (cap.memory() <= 0.0) cap.memory() = static_cast<double>(node.memory) * 1024.0;
  if (char* caps = virConnectGetCapabilities(impl->conn); caps != nullptr) {
    impl->can_migrate = std::strstr(caps, "<migration_features>") != nullptr;
    std::free(caps);
  } else {
    virResetLastError();
  }
  return LibvirtPool(std::move(impl));
}

absl::Status LibvirtPool::AddDomain(UserId id, std::string_view name, std::string_view disk,
                                    std::string_view interface) {
  for (const Impl::Domain& d : impl_->domains) {
    if (d.id == id || d.name == name) {
      return absl::AlreadyExistsError(absl::StrCat(ToString(id), " (domain ", Sv(name),
                                                   ") clashes with managed ", impl_->Describe(d)));
    }
  }
  Impl::Domain d;
  d.id = id;
  d.name = std::string(name);
  d.disk = std::string(disk);
  d.iface = std::string(interface);
  d.dom = virDomainLookupByName(impl_->conn, d.name.c_str());
  if (d.dom == nullptr) return LastError(absl::StrCat("virDomainLookupByName(", d.name, ")"));
  // From here `d` owns a reference; a failure below must free it.
  auto fail = [&](absl::Status s) {
    virDomainFree(d.dom);
    return s;
  };
  if (!d.disk.empty()) {
    virDomainBlockStatsStruct bs;
    if (virDomainBlockStats(d.dom, d.disk.c_str(), &bs, sizeof(bs)) < 0) {
      absl::Status s = LastError(absl::StrCat("disk ", d.disk, " of domain ", d.name));
      return fail(absl::NotFoundError(s.message()));
    }
    TypedParams p;
    if (absl::Status s = GetBlockIoTune(d.dom, d.disk, p); !s.ok())
      d.io_reason = std::string(s.message());
  }
  if (!d.iface.empty()) {
    virDomainInterfaceStatsStruct is;
    if (virDomainInterfaceStats(d.dom, d.iface.c_str(), &is, sizeof(is)) < 0) {
      absl::Status s = LastError(absl::StrCat("interface ", d.iface, " of domain ", d.name));
      return fail(absl::NotFoundError(s.message()));
    }
    TypedParams p;
    if (absl::Status s = GetInterfaceParameters(d.dom, d.iface, p); !s.ok()) {
      d.net_reason = std::string(s.message());
    }
  }
  impl_->domains.push_back(std::move(d));
  return absl::OkStatus();
}

absl::Status LibvirtPool::RemoveDomain(UserId id) {
  auto& domains = impl_->domains;
  auto it = std::find_if(domains.begin(), domains.end(),
                         [&](const Impl::Domain& d) { return d.id == id; });
  if (it == domains.end())
    return absl::NotFoundError(absl::StrCat(ToString(id), " is not managed"));
  virDomainFree(it->dom);
  domains.erase(it);
  impl_->removed.push_back(id);
  return absl::OkStatus();
}

absl::Duration LibvirtPool::LeadTime(Resource r) const { return impl_->options.lead_time[r]; }

PoolCapabilities LibvirtPool::capabilities() const {
  PoolCapabilities c;
  c.can_migrate = impl_->can_migrate;
  return c;
}

const ResourceVector& LibvirtPool::capacity() const { return impl_->options.capacity; }

absl::StatusOr<ResourceVector> LibvirtPool::ReadLimits(UserId id) const {
  const Impl::Domain* d = impl_->Find(id);
  if (d == nullptr) return absl::NotFoundError(absl::StrCat(ToString(id), " is not managed"));
  FORESIGHT_ASSIGN_OR_RETURN(const bool active, impl_->Active(*d));
  if (!active) {
    return absl::FailedPreconditionError(absl::StrCat(impl_->Describe(*d), " is not running"));
  }
  return impl_->ReadLimits(*d);
}

absl::Status LibvirtPool::Observe(absl::Time now, Observation& out) {
  Impl& s = *impl_;
  FORESIGHT_RETURN_IF_ERROR(internal::CheckObserveTime(s.has_last_time, s.last_time, now));
  std::vector<Impl::Counters> counters(s.domains.size());
  std::vector<ResourceVector> limits(s.domains.size());
  std::vector<bool> active(s.domains.size());
  for (std::size_t i = 0; i < s.domains.size(); ++i) {
    FORESIGHT_ASSIGN_OR_RETURN(active[i], s.Active(s.domains[i]));
    if (!active[i]) continue;  // shut off: not reported, holds nothing
    FORESIGHT_ASSIGN_OR_RETURN(counters[i], s.ReadCounters(s.domains[i]));
    FORESIGHT_ASSIGN_OR_RETURN(limits[i], s.ReadLimits(s.domains[i]));
  }
  const absl::Duration interval = s.has_last_time ? now - s.last_time : absl::ZeroDuration();
  const double seconds = absl::ToDoubleSeconds(interval);
  out.Clear();
  out.time = now;
  out.interval = interval;
  out.host_capacity.push_back(s.options.capacity);
  out.users.reserve(s.domains.size());
  for (std::size_t i = 0; i < s.domains.size(); ++i) {
    Impl::Domain& d = s.domains[i];
    if (!active[i]) {
      d.has_last = false;  // its counters restart with the domain
      continue;
    }
    const Impl::Counters& c = counters[i];
    UserObservation u;
    u.user = d.id;
    u.allocation = limits[i];
    u.usage.memory() = c.memory_bytes;
    if (d.has_last) {
      u.usage.cpu() = internal::CounterRate(c.cpu_ns, d.last.cpu_ns, 1e-9, seconds);
      u.usage.io() = internal::CounterRate(c.io_bytes, d.last.io_bytes, 1.0, seconds);
      u.usage.net() = internal::CounterRate(c.net_bytes, d.last.net_bytes, 1.0, seconds);
    }
    u.events = d.pending_events;
    out.users.push_back(u);
    d.last = c;
    d.has_last = true;
    d.pending_events = kEventNone;
  }
  internal::ReportRemoved(s.removed, out);
  s.has_last_time = true;
  s.last_time = now;
  return absl::OkStatus();
}

absl::Status LibvirtPool::Apply(absl::Time /*now*/, const AllocationPlan& plan,
                                std::vector<absl::Status>& results) {
  Impl& s = *impl_;
  results.assign(plan.size(), absl::OkStatus());
  std::vector<ResourceVector> current(s.domains.size());
  ResourceVector sum;
  std::vector<bool> active(s.domains.size());
  for (std::size_t i = 0; i < s.domains.size(); ++i) {
    absl::StatusOr<bool> is_active = s.Active(s.domains[i]);
    if (!is_active.ok()) {
      results.assign(plan.size(), is_active.status());
      return is_active.status();
    }
    active[i] = *is_active;
    if (!active[i]) continue;  // a shut-off domain holds nothing
    absl::StatusOr<ResourceVector> limits = s.ReadLimits(s.domains[i]);
    if (!limits.ok()) {
      results.assign(plan.size(), limits.status());
      return limits.status();
    }
    current[i] = *limits;
    sum += *limits;
  }
  for (std::size_t k = 0; k < plan.moves.size(); ++k) {
    const Move& m = plan.moves[k];
    const Resource r = m.resource;
    auto it = std::find_if(s.domains.begin(), s.domains.end(),
                           [&](const Impl::Domain& d) { return d.id == m.user; });
    if (it == s.domains.end()) {
      results[k] = absl::NotFoundError(
          absl::StrCat("move ", k, ": ", ToString(m.user), " is not managed by this LibvirtPool"));
      continue;
    }
    Impl::Domain& d = *it;
    const std::size_t i = static_cast<std::size_t>(it - s.domains.begin());
    const std::string who =
        absl::StrCat("move ", k, " (", s.Describe(d), " ", Sv(ResourceName(r)), ")");
    const double before = current[i][r];
    const double target = Impl::Rounded(r, m.to);
    if (m.kind == MoveKind::kMigrate) {
      results[k] = absl::UnimplementedError(
          absl::StrCat(who, ": LibvirtPool does not migrate (virDomainMigrate is out of scope)"));
    } else if (m.kind != MoveKind::kResize) {
      results[k] = absl::UnimplementedError(
          absl::StrCat(who, ": LibvirtPool only resizes; it cannot ", Sv(MoveKindName(m.kind))));
    } else if (!active[i]) {
      results[k] = absl::FailedPreconditionError(absl::StrCat(who, ": the domain is not running"));
    } else if (const std::string why = s.Unsupported(d, r); !why.empty()) {
      results[k] = absl::UnimplementedError(absl::StrCat(who, ": ", why));
    } else if (!std::isfinite(m.to) || m.to < 0.0) {
      results[k] = absl::InvalidArgumentError(absl::StrCat(who, ": invalid target ", m.to));
    } else if (absl::Status fits =
                   internal::CheckGrowFits(who, r, before, target, sum[r], s.options.capacity[r]);
               !fits.ok()) {
      results[k] = std::move(fits);
    } else if (absl::Status set = s.Set(d, r, target); !set.ok()) {
      absl::StatusOr<double> now = s.ReadLimit(d, r);
      std::string verdict;
      if (!now.ok()) {
        verdict = absl::StrCat("; the setting could not be re-read: ", now.status().message());
      } else if (std::abs(*now - before) <= 1e-9 * std::max(1.0, before)) {
        verdict = absl::StrCat("; left at ", FormatQuantity(before, r), " (verified)");
      } else {
        verdict =
            absl::StrCat("; now ", FormatQuantity(*now, r), ", was ", FormatQuantity(before, r));
        sum[r] += *now - before;
        current[i][r] = *now;
      }
      results[k] = absl::Status(set.code(), absl::StrCat(who, ": ", set.message(), verdict));
    } else {
      absl::StatusOr<double> after = s.ReadLimit(d, r);
      const double value = after.ok() ? *after : target;
      if (!after.ok()) results[k] = after.status();
      sum[r] += value - before;
      current[i][r] = value;
    }
    if (!results[k].ok()) d.pending_events |= kEventActuationFailed;
  }
  return absl::OkStatus();
}

}  // namespace foresight
