// Fuzz target: what `CgroupPool` reads that it did not write itself. The
// kernel's files (pool/internal/cgroup_parse.hpp: /proc/self/mountinfo, flat
// and nested keyed files, v1 blkio files, single limit values, meminfo) and
// `foresight run --user NAME[:PID]` (`ParseCgroupUserSpec`).
//
// Input: the text, given to every parser; it is also used as a mount point,
// escaped as the kernel escapes it, inside a well-formed mountinfo line.
//
// Invariants checked beyond "no crash, no leak, no undefined behaviour":
//  - a refusal is InvalidArgument with a message;
//  - unescaping never lengthens a path and leaves one without '\' alone; a
//    path escaped as the kernel does (space, tab, newline, '\' as \ooo) reads
//    back as itself, both alone and as the mount point of a mountinfo line;
//  - only "max" and v1's "-1" read as unlimited; an accepted limit value
//    prints and reads back as itself;
//  - an accepted flat or nested keyed file, printed back in the kernel's
//    format, reads back to the same map;
//  - sums never wrap: the sum over every device is at least the sum over one,
//    and the sum of two keys at least the sum of one;
//  - an accepted MemTotal is finite and >= 0;
//  - an accepted user spec has a name `ValidateCgroupName` accepts and a PID
//    in [1, 2^22], and prints back to itself.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "foresight/pool/cgroup_pool.hpp"
#include "foresight/pool/internal/cgroup_parse.hpp"
#include "fuzz_check.hpp"

namespace {

namespace fi = foresight::internal;

void CheckRefusal(const absl::Status& s, std::string_view what) {
  FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument && !s.message().empty(),
             "%s: not an input error: %s", std::string(what).c_str(), s.ToString().c_str());
}

// What the kernel's seq_path() writes for a mount point: space, tab, newline
// and backslash as three octal digits.
std::string EscapeLikeKernel(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
      out += absl::StrFormat("\\%03o", static_cast<unsigned char>(c));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void CheckMountPaths(std::string_view text) {
  const std::string unescaped = fi::UnescapeMountPath(text);
  FUZZ_CHECK(unescaped.size() <= text.size(), "unescaping lengthened '%s'",
             std::string(text).c_str());
  if (text.find('\\') == std::string_view::npos) {
    FUZZ_CHECK(unescaped == text, "'%s' has no escape but changed", std::string(text).c_str());
  }
  const std::string escaped = EscapeLikeKernel(text);
  FUZZ_CHECK(fi::UnescapeMountPath(escaped) == text, "'%s' escaped as '%s' does not read back",
             std::string(text).c_str(), escaped.c_str());
  // As the mount point of a line (absolute, as the kernel's are; escaped, it
  // holds no space to split on).
  std::string point = "/";
  point.append(text);
  const std::string line =
      absl::StrCat("36 25 0:31 / /", escaped, " rw,nosuid shared:9 - cgroup2 cgroup2 rw\n",
                   "40 25 0:35 / /", escaped, " rw - cgroup cgroup rw,memory\n");
  absl::StatusOr<fi::CgroupMounts> m = fi::ParseMountInfo(line);
  FUZZ_CHECK(m.ok() && m->unified == point && m->memory == point,
             "mount point '%s' (escaped '%s') misread: %s", std::string(text).c_str(),
             escaped.c_str(), m.ok() ? m->unified.c_str() : m.status().ToString().c_str());
}

void CheckLimitValue(std::string_view text) {
  absl::StatusOr<std::optional<std::uint64_t>> v = fi::ParseLimitValue(text, "fuzz");
  if (!v.ok()) return CheckRefusal(v.status(), "ParseLimitValue");
  if (!v->has_value()) {
    const absl::string_view word = absl::StripAsciiWhitespace(foresight::Sv(text));
    FUZZ_CHECK(word == "max" || word == "-1", "'%s' read as unlimited",
               std::string(text).c_str());
    return;
  }
  absl::StatusOr<std::optional<std::uint64_t>> back =
      fi::ParseLimitValue(absl::StrCat(**v, "\n"), "fuzz");
  FUZZ_CHECK(back.ok() && *back == *v, "limit '%s' read as %llu does not read back",
             std::string(text).c_str(), static_cast<unsigned long long>(**v));
}

void CheckKeyed(std::string_view text) {
  auto flat = fi::ParseFlatKeyed(text, "cpu.stat");
  if (flat.ok()) {
    std::string printed;
    for (const auto& [k, v] : *flat) absl::StrAppend(&printed, k, " ", v, "\n");
    auto back = fi::ParseFlatKeyed(printed, "cpu.stat");
    FUZZ_CHECK(back.ok() && *back == *flat, "flat keyed '%s' printed as '%s' reads differently",
               std::string(text).c_str(), printed.c_str());
  } else {
    CheckRefusal(flat.status(), "ParseFlatKeyed");
  }
  auto nested = fi::ParseNestedKeyedLine(text, "8:0", "io.max");
  if (nested.ok()) {
    std::string printed = "8:0";
    for (const auto& [k, v] : *nested) {
      absl::StrAppend(&printed, " ", k, "=", v ? absl::StrCat(*v) : std::string("max"));
    }
    auto back = fi::ParseNestedKeyedLine(printed, "8:0", "io.max");
    FUZZ_CHECK(back.ok() && *back == *nested, "nested keyed '%s' printed as '%s' reads differently",
               std::string(text).c_str(), printed.c_str());
  } else {
    CheckRefusal(nested.status(), "ParseNestedKeyedLine");
  }
}

void CheckSums(std::string_view text) {
  auto all = fi::SumNestedKeyed(text, "", {"rbytes", "wbytes"}, "io.stat");
  auto one_device = fi::SumNestedKeyed(text, "8:0", {"rbytes", "wbytes"}, "io.stat");
  auto one_key = fi::SumNestedKeyed(text, "", {"rbytes"}, "io.stat");
  if (all.ok()) {
    FUZZ_CHECK(one_device.ok() && one_key.ok() && *all >= *one_device && *all >= *one_key,
               "io.stat '%s': a sum over more is smaller", std::string(text).c_str());
  } else {
    CheckRefusal(all.status(), "SumNestedKeyed");
  }
  auto blkio_all = fi::SumBlkioServiceBytes(text, "", "blkio.throttle.io_service_bytes");
  auto blkio_one = fi::SumBlkioServiceBytes(text, "8:0", "blkio.throttle.io_service_bytes");
  if (blkio_all.ok()) {
    FUZZ_CHECK(blkio_one.ok() && *blkio_all >= *blkio_one,
               "io_service_bytes '%s': the sum over every device is smaller",
               std::string(text).c_str());
  } else {
    CheckRefusal(blkio_all.status(), "SumBlkioServiceBytes");
  }
  auto limit = fi::ParseBlkioDeviceLimit(text, "8:0", "blkio.throttle.read_bps_device");
  if (!limit.ok()) CheckRefusal(limit.status(), "ParseBlkioDeviceLimit");
}

void CheckUserSpec(std::string_view text) {
  absl::StatusOr<foresight::CgroupUserSpec> spec = foresight::ParseCgroupUserSpec(text);
  if (!spec.ok()) return CheckRefusal(spec.status(), "ParseCgroupUserSpec");
  FUZZ_CHECK(foresight::ValidateCgroupName(spec->name).ok(), "user '%s' has a refused name",
             std::string(text).c_str());
  FUZZ_CHECK(!spec->pid || (*spec->pid >= 1 && *spec->pid <= (1 << 22)), "user '%s' has pid %d",
             std::string(text).c_str(), spec->pid.value_or(0));
  const std::string printed = spec->pid ? absl::StrCat(spec->name, ":", *spec->pid) : spec->name;
  FUZZ_CHECK(printed == text, "user '%s' prints back as '%s'", std::string(text).c_str(),
             printed.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckMountPaths(text);
  absl::StatusOr<fi::CgroupMounts> mounts = fi::ParseMountInfo(text);
  if (!mounts.ok()) CheckRefusal(mounts.status(), "ParseMountInfo");
  CheckLimitValue(text);
  CheckKeyed(text);
  CheckSums(text);
  absl::StatusOr<double> mem = fi::ParseMemTotal(text);
  if (mem.ok()) {
    FUZZ_CHECK(std::isfinite(*mem) && *mem >= 0, "MemTotal read as %g", *mem);
  } else {
    CheckRefusal(mem.status(), "ParseMemTotal");
  }
  CheckUserSpec(text);
  return 0;
}
