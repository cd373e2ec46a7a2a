// -----------------------------------------------------------------------------
// File: internal/cgroup_parse.hpp
// -----------------------------------------------------------------------------
//
// Parsers for the kernel's cgroup files, shared by `CgroupPool` and its tests:
//
//   /proc/self/mountinfo   -> where the v2 hierarchy and each v1 controller live
//   "usage_usec 12\n..."   -> flat keyed files (cpu.stat, memory.events, oom_control)
//   "8:0 rbps=1 wbps=max"  -> nested keyed files (io.max, io.stat)
//   "8:0 Read 4096\n..."   -> v1 blkio.throttle.io_service_bytes
//   "max" / "123\n"        -> single values
//
// Every parser rejects malformed input with InvalidArgumentError naming the text.
#ifndef FORESIGHT_POOL_INTERNAL_CGROUP_PARSE_HPP_
#define FORESIGHT_POOL_INTERNAL_CGROUP_PARSE_HPP_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "foresight/core/absl_compat.hpp"

namespace foresight::internal {

// Mount points of the cgroup hierarchies, empty when not mounted.
struct CgroupMounts {
  std::string unified;  // cgroup2
  std::string cpu;      // v1 hierarchy carrying the cpu controller
  std::string cpuacct;  // v1 hierarchy carrying cpuacct (often the same as cpu)
  std::string memory;
  std::string blkio;
};

// Undoes mountinfo's octal escapes ("\040" for a space): a backslash and three
// octal digits of a byte value (at most \377). Anything else is kept as it is.
inline std::string UnescapeMountPath(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto octal = [&](std::size_t i, char max) { return s[i] >= '0' && s[i] <= max; };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(i + 1, '3') && octal(i + 2, '7') &&
        octal(i + 3, '7')) {
      out.push_back(
          static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// `sum + value`, or false when it does not fit in 64 bits.
inline bool AddCounter(std::uint64_t& sum, std::uint64_t value) {
  if (value > std::numeric_limits<std::uint64_t>::max() - sum) return false;
  sum += value;
  return true;
}

// Splits a nested keyed file's "key=value" field; false unless it has exactly
// one '=' and a key.
inline bool SplitKeyValue(absl::string_view field, absl::string_view& key,
                          absl::string_view& value) {
  const std::size_t eq = field.find('=');
  if (eq == 0 || eq == absl::string_view::npos ||
      field.find('=', eq + 1) != absl::string_view::npos) {
    return false;
  }
  key = field.substr(0, eq);
  value = field.substr(eq + 1);
  return true;
}

// Parses /proc/self/mountinfo. The first mount of each kind wins.
inline absl::StatusOr<CgroupMounts> ParseMountInfo(std::string_view text) {
  CgroupMounts mounts;
  for (absl::string_view line : absl::StrSplit(Sv(text), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    std::size_t dash = 0;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (fields.size() < 5 || dash + 3 > fields.size()) {
      return absl::InvalidArgumentError(absl::StrCat("malformed mountinfo line '", line, "'"));
    }
    const absl::string_view fstype = fields[dash + 1];
    const std::string mount_point = UnescapeMountPath(StdSv(fields[4]));
    if (fstype == "cgroup2") {
      if (mounts.unified.empty()) mounts.unified = mount_point;
      continue;
    }
    if (fstype != "cgroup") continue;
    const absl::string_view super = dash + 3 < fields.size() ? fields[dash + 3] : "";
    for (absl::string_view opt : absl::StrSplit(super, ',')) {
      std::string* slot = nullptr;
      if (opt == "cpu") slot = &mounts.cpu;
      if (opt == "cpuacct") slot = &mounts.cpuacct;
      if (opt == "memory") slot = &mounts.memory;
      if (opt == "blkio") slot = &mounts.blkio;
      if (slot != nullptr && slot->empty()) *slot = mount_point;
    }
  }
  return mounts;
}

// A single unsigned value; "max" and v1's "-1" parse as nullopt (v1's huge
// "unlimited" numbers are left to the caller). Other negative values are refused.
inline absl::StatusOr<std::optional<std::uint64_t>> ParseLimitValue(std::string_view text,
                                                                    std::string_view file) {
  const absl::string_view v = absl::StripAsciiWhitespace(Sv(text));
  if (v == "max" || v == "-1") return std::optional<std::uint64_t>();  // v1's "-1" = unlimited
  std::uint64_t value = 0;
  if (absl::StartsWith(v, "-")) {
    return absl::InvalidArgumentError(absl::StrCat("negative value '", v, "' in ", Sv(file)));
  }
  if (!absl::SimpleAtoi(v, &value)) {
    return absl::InvalidArgumentError(absl::StrCat("malformed value '", v, "' in ", Sv(file)));
  }
  return std::optional<std::uint64_t>(value);
}

// "key value" lines (cpu.stat, memory.events, memory.oom_control).
inline absl::StatusOr<absl::flat_hash_map<std::string, std::uint64_t>> ParseFlatKeyed(
    std::string_view text, std::string_view file) {
  absl::flat_hash_map<std::string, std::uint64_t> out;
  for (absl::string_view line : absl::StrSplit(Sv(text), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> kv = absl::StrSplit(line, ' ', absl::SkipEmpty());
    std::uint64_t value = 0;
    if (kv.size() != 2 || !absl::SimpleAtoi(kv[1], &value)) {
      return absl::InvalidArgumentError(absl::StrCat("malformed line '", line, "' in ", Sv(file)));
    }
    out[std::string(kv[0])] = value;
  }
  return out;
}

// The "key=value" fields of the line starting with `device` ("8:0") in a nested
// keyed file (io.max, io.stat); empty when the device has no line. "max" values
// are returned as nullopt.
inline absl::StatusOr<absl::flat_hash_map<std::string, std::optional<std::uint64_t>>>
ParseNestedKeyedLine(std::string_view text, std::string_view device, std::string_view file) {
  absl::flat_hash_map<std::string, std::optional<std::uint64_t>> out;
  for (absl::string_view line : absl::StrSplit(Sv(text), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.empty() || fields[0] != Sv(device)) continue;
    for (std::size_t i = 1; i < fields.size(); ++i) {
      absl::string_view key, text;
      std::uint64_t value = 0;
      if (!SplitKeyValue(fields[i], key, text)) {
        return absl::InvalidArgumentError(
            absl::StrCat("malformed field '", fields[i], "' in ", Sv(file)));
      }
      if (text == "max") {
        out[std::string(key)] = std::nullopt;
      } else if (absl::SimpleAtoi(text, &value)) {
        out[std::string(key)] = value;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("malformed field '", fields[i], "' in ", Sv(file)));
      }
    }
  }
  return out;
}

// Sum over all lines (or only `device`'s when not empty) of the named keys of
// a nested keyed file: io.stat's rbytes + wbytes.
inline absl::StatusOr<std::uint64_t> SumNestedKeyed(std::string_view text, std::string_view device,
                                                    std::initializer_list<std::string_view> keys,
                                                    std::string_view file) {
  std::uint64_t sum = 0;
  for (absl::string_view line : absl::StrSplit(Sv(text), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.empty() || (!device.empty() && fields[0] != Sv(device))) continue;
    for (std::size_t i = 1; i < fields.size(); ++i) {
      absl::string_view key, text;
      if (!SplitKeyValue(fields[i], key, text)) {
        return absl::InvalidArgumentError(
            absl::StrCat("malformed field '", fields[i], "' in ", Sv(file)));
      }
      for (std::string_view wanted : keys) {
        if (key != Sv(wanted)) continue;
        std::uint64_t value = 0;
        if (!absl::SimpleAtoi(text, &value)) {
          return absl::InvalidArgumentError(
              absl::StrCat("malformed field '", fields[i], "' in ", Sv(file)));
        }
        if (!AddCounter(sum, value)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "the sum of ", fields[i], " and the fields before overflows in ", Sv(file)));
        }
      }
    }
  }
  return sum;
}

// v1 blkio.throttle.io_service_bytes: the sum of the "Read" and "Write" lines of
// `device` (of every device when empty).
inline absl::StatusOr<std::uint64_t> SumBlkioServiceBytes(std::string_view text,
                                                          std::string_view device,
                                                          std::string_view file) {
  std::uint64_t sum = 0;
  for (absl::string_view line : absl::StrSplit(Sv(text), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() != 3) continue;  // "Total N" and empty-group lines
    if (!device.empty() && fields[0] != Sv(device)) continue;
    if (fields[1] != "Read" && fields[1] != "Write") continue;
    std::uint64_t value = 0;
    if (!absl::SimpleAtoi(fields[2], &value)) {
      return absl::InvalidArgumentError(absl::StrCat("malformed line '", line, "' in ", Sv(file)));
    }
    if (!AddCounter(sum, value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("the sum of '", line, "' and the lines before overflows in ", Sv(file)));
    }
  }
  return sum;
}

// v1 blkio.throttle.{read,write}_bps_device: the limit of `device`, nullopt when it has none.
inline absl::StatusOr<std::optional<std::uint64_t>> ParseBlkioDeviceLimit(std::string_view text,
                                                                          std::string_view device,
                                                                          std::string_view file) {
  for (absl::string_view line : absl::StrSplit(Sv(text), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() != 2 || fields[0] != Sv(device)) continue;
    std::uint64_t value = 0;
    if (!absl::SimpleAtoi(fields[1], &value)) {
      return absl::InvalidArgumentError(absl::StrCat("malformed line '", line, "' in ", Sv(file)));
    }
    return std::optional<std::uint64_t>(value);
  }
  return std::optional<std::uint64_t>();
}

// MemTotal of /proc/meminfo, in bytes.
inline absl::StatusOr<double> ParseMemTotal(std::string_view meminfo) {
  for (absl::string_view line : absl::StrSplit(Sv(meminfo), '\n', absl::SkipEmpty())) {
    if (!absl::ConsumePrefix(&line, "MemTotal:")) continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    std::uint64_t kib = 0;
    if (fields.empty() || !absl::SimpleAtoi(fields[0], &kib)) break;
    return static_cast<double>(kib) * 1024.0;
  }
  return absl::InvalidArgumentError("meminfo has no readable MemTotal line");
}

}  // namespace foresight::internal

#endif  // FORESIGHT_POOL_INTERNAL_CGROUP_PARSE_HPP_
