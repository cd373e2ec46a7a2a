// -----------------------------------------------------------------------------
// File: checkpoint.cpp
// -----------------------------------------------------------------------------
#include "foresight/pool/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <limits>

#include "foresight/pool/internal/cgroup_fs.hpp"

namespace foresight {
namespace internal {
namespace {

const nlohmann::json* Field(const nlohmann::json& in, std::string_view key) {
  if (!in.is_object()) return nullptr;
  auto it = in.find(std::string(key));
  return it == in.end() ? nullptr : &*it;
}

absl::Status Missing(std::string_view key, std::string_view kind) {
  return absl::InvalidArgumentError(
      absl::StrCat("field '", Sv(key), "' is missing or not ", Sv(kind)));
}

// `what` names the field ("'level'", "'season'[1]").
absl::Status CheckMagnitude(double value, std::string_view what) {
  if (std::abs(value) <= kMaxCheckpointMagnitude) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("field ", Sv(what), " is ", value,
                                                 " (magnitude over ", kMaxCheckpointMagnitude, ")"));
}

}  // namespace

absl::Status ReadJsonNumber(const nlohmann::json& in, std::string_view key, double& out) {
  const nlohmann::json* f = Field(in, key);
  if (f == nullptr || !f->is_number()) return Missing(key, "a number");
  out = f->get<double>();
  if (!std::isfinite(out)) {
    return absl::InvalidArgumentError(absl::StrCat("field '", Sv(key), "' is not finite"));
  }
  return CheckMagnitude(out, absl::StrCat("'", Sv(key), "'"));
}

absl::Status ReadJsonInt(const nlohmann::json& in, std::string_view key, long long& out) {
  const nlohmann::json* f = Field(in, key);
  if (f == nullptr || !f->is_number_integer()) return Missing(key, "an integer");
  out = f->get<long long>();
  return absl::OkStatus();
}

absl::Status ReadJsonBool(const nlohmann::json& in, std::string_view key, bool& out) {
  const nlohmann::json* f = Field(in, key);
  if (f == nullptr || !f->is_boolean()) return Missing(key, "a boolean");
  out = f->get<bool>();
  return absl::OkStatus();
}

absl::Status ReadJsonString(const nlohmann::json& in, std::string_view key, std::string& out) {
  const nlohmann::json* f = Field(in, key);
  if (f == nullptr || !f->is_string()) return Missing(key, "a string");
  out = f->get<std::string>();
  return absl::OkStatus();
}

absl::Status ReadJsonDoubles(const nlohmann::json& in, std::string_view key,
                             std::vector<double>& out, bool allow_nan) {
  const nlohmann::json* f = Field(in, key);
  if (f == nullptr || !f->is_array()) return Missing(key, "an array");
  std::vector<double> values;
  values.reserve(f->size());
  for (std::size_t i = 0; i < f->size(); ++i) {
    const nlohmann::json& v = (*f)[i];
    if (v.is_null() && allow_nan) {
      values.push_back(std::numeric_limits<double>::quiet_NaN());
    } else if (v.is_number() && std::isfinite(v.get<double>())) {
      FORESIGHT_RETURN_IF_ERROR(
          CheckMagnitude(v.get<double>(), absl::StrCat("'", Sv(key), "'[", i, "]")));
      values.push_back(v.get<double>());
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("field '", Sv(key), "'[", i, "] is not a finite number"));
    }
  }
  out = std::move(values);
  return absl::OkStatus();
}

absl::Status ReadJsonInts(const nlohmann::json& in, std::string_view key, std::vector<int>& out) {
  const nlohmann::json* f = Field(in, key);
  if (f == nullptr || !f->is_array()) return Missing(key, "an array");
  std::vector<int> values;
  values.reserve(f->size());
  for (std::size_t i = 0; i < f->size(); ++i) {
    const nlohmann::json& v = (*f)[i];
    if (!v.is_number_integer() || v.get<long long>() < std::numeric_limits<int>::min() ||
        v.get<long long>() > std::numeric_limits<int>::max()) {
      return absl::InvalidArgumentError(
          absl::StrCat("field '", Sv(key), "'[", i, "] is not an int"));
    }
    values.push_back(v.get<int>());
  }
  out = std::move(values);
  return absl::OkStatus();
}

nlohmann::json DoublesToJson(std::span<const double> values) {
  nlohmann::json out = nlohmann::json::array();
  for (double v : values) {
    if (std::isnan(v)) {
      out.push_back(nullptr);
    } else {
      out.push_back(v);
    }
  }
  return out;
}

absl::Status CheckSameShape(const nlohmann::json& want, const nlohmann::json& got,
                            std::string_view where) {
  const bool want_number = want.is_number() || want.is_null();
  const bool got_number = got.is_number() || got.is_null();
  if (want_number && got_number) return absl::OkStatus();
  if (want.type() != got.type() && !(want.is_number() && got.is_number())) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(where), " is a ", got.type_name(), ", expected a ", want.type_name()));
  }
  if (want.is_array()) {
    if (want.size() != got.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          Sv(where), " has ", got.size(), " elements, this forecaster uses ", want.size()));
    }
    for (std::size_t i = 0; i < want.size(); ++i) {
      FORESIGHT_RETURN_IF_ERROR(
          CheckSameShape(want[i], got[i], absl::StrCat(Sv(where), "[", i, "]")));
    }
  } else if (want.is_object()) {
    for (const auto& [key, value] : want.items()) {
      const nlohmann::json* g = Field(got, key);
      if (g == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(Sv(where), ".", key, " is missing"));
      }
      FORESIGHT_RETURN_IF_ERROR(CheckSameShape(value, *g, absl::StrCat(Sv(where), ".", key)));
    }
    if (got.size() != want.size()) {
      return absl::InvalidArgumentError(absl::StrCat(Sv(where), " has unknown fields"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckFiniteJson(const nlohmann::json& j, std::string_view where) {
  if (j.is_number_float() && !std::isfinite(j.get<double>())) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(where), " holds a non-finite value"));
  }
  if (j.is_structured()) {
    for (const auto& v : j) FORESIGHT_RETURN_IF_ERROR(CheckFiniteJson(v, where));
  }
  return absl::OkStatus();
}

}  // namespace internal

absl::Status WriteFileAtomically(const std::string& path, std::string_view content) {
  const std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return internal::ErrnoStatus(errno, absl::StrCat("create ", tmp));
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return internal::ErrnoStatus(e, absl::StrCat("write ", tmp));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return internal::ErrnoStatus(e, absl::StrCat("sync ", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return internal::ErrnoStatus(e, absl::StrCat("rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  return internal::PosixCgroupFs().Read(path);
}

}  // namespace foresight
