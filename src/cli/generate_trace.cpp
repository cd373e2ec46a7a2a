// `foresight generate-trace`: writes a seeded synthetic VM trace (see
// sim/vm_trace.hpp) as a long CSV that `foresight evaluate --format long`
// reads, for evaluating policies where no real trace is at hand.
#include <iostream>
#include <string>

#include "absl/strings/str_format.h"
#include "cli/command.hpp"
#include "foresight/sim/vm_trace.hpp"
#include "foresight/trace/long_csv.hpp"

namespace foresight::cli {
namespace {

struct GenerateTraceFlags {
  int vms = 200;
  int days = 28;
  std::uint64_t seed = 1;
  double deploys_per_week = 1.0;
  std::string out;
};

void RunGenerateTrace(const GenerateTraceFlags& f) {
  VmTraceOptions o;
  o.vms = f.vms;
  o.days = f.days;
  o.seed = f.seed;
  o.deploys_per_week = f.deploys_per_week;
  absl::StatusOr<Workload> w = GenerateVmTrace(o);
  absl::Status s = w.ok() ? WriteLongCsv(*w, f.out) : w.status();
  if (!s.ok()) {
    std::cerr << "foresight generate-trace: " << s.message() << "\n";
    throw CLI::RuntimeError(1);
  }
  std::cout << absl::StrFormat("wrote %d VMs x %d days (%d steps of 5 min) to %s\n", f.vms,
                               f.days, w->num_steps(), f.out);
}

void SetupGenerateTrace(CLI::App& app) {
  auto f = std::make_shared<GenerateTraceFlags>();
  app.add_option("--vms", f->vms, "number of VMs")->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--days", f->days, "days of demand")->check(CLI::Range(1, 3650))
      ->capture_default_str();
  app.add_option("--seed", f->seed, "random seed")->capture_default_str();
  app.add_option("--deploys-per-week", f->deploys_per_week,
                 "memory level steps (deployments) per VM-week; 0: quiet VMs never jump")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  app.add_option("--out", f->out, "long CSV file to write")->required();
  app.callback([f] { RunGenerateTrace(*f); });
}

CommandRegistrar kGenerateTrace(
    "generate-trace",
    "write a synthetic VM trace (long CSV) imitating published VM trace characteristics",
    &SetupGenerateTrace);

}  // namespace
}  // namespace foresight::cli
