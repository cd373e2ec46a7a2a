// Evaluate a trace: write a small synthetic VM trace in the long CSV layout
// (stand-in for your own Bitbrains, Azure, Alibaba, Google or PlanetLab
// files), replay it under vpa, a VM-trace policy and the oracle, and print
// the Pareto comparison with vpa that `foresight evaluate` prints.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_format.h"
#include "foresight/sim/vm_trace.hpp"
#include "foresight/trace/evaluate.hpp"
#include "foresight/trace/long_csv.hpp"

int main() {
  using namespace foresight;
  absl::StatusOr<Workload> vms = GenerateVmTrace({.vms = 12, .days = 4, .seed = 7});
  if (!vms.ok()) return 1;
  const std::string path =
      (std::filesystem::temp_directory_path() / "foresight_example_trace.csv").string();
  if (absl::Status s = WriteLongCsv(*vms, path); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }

  EvaluateOptions options;
  options.policies = "vpa,track+smooth+damped,oracle";
  options.warmup = absl::Hours(24);
  options.threads = 1;
  absl::StatusOr<TraceEvaluation> e = EvaluateTrace(path, TraceFormat::kLong, options);
  std::remove(path.c_str());
  if (!e.ok()) {
    std::cerr << e.status() << "\n";
    return 1;
  }
  for (std::size_t i = 0; i < e->metrics.size(); ++i) {
    const VsVpa& v = e->vs_vpa[i];
    std::cout << absl::StrFormat(
        "%-20s memory %.2fx vpa's at %.3f OOM-free days (vpa %.3f); cpu %.2fx, throttled %.2fx\n",
        e->metrics[i].name, v.memory_ratio, v.oom_free, v.vpa_oom_free, v.cpu_ratio,
        v.throttled_ratio);
  }
  // The JSON `foresight evaluate --json` writes.
  const std::string json = EvaluationJson(*e, options);
  std::cout << json.substr(0, json.find('\n', 200)) << "\n  ...\n";
  for (const PolicyMetrics& m : e->metrics) {
    if (m.capacity_violations != 0) return 1;
  }
  return e->vs_vpa.back().oom_free == 1.0 ? 0 : 1;
}
