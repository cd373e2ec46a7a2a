// `foresight generate-trace`: writes a seeded synthetic VM trace (see
// sim/vm_trace.hpp), or with `--fleet` a fleet of one demand shape (see
// sim/shape_fleet.hpp), as a long CSV that `foresight evaluate --format long`
// reads, for evaluating policies where no real trace is at hand.
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/command.hpp"
#include "foresight/sim/shape_fleet.hpp"
#include "foresight/sim/vm_trace.hpp"
#include "foresight/trace/evaluate.hpp"
#include "foresight/trace/long_csv.hpp"

namespace foresight::cli {
namespace {

struct GenerateTraceFlags {
  int vms = 200;
  int days = 28;
  std::uint64_t seed = 1;
  double deploys_per_week = 1.0;
  std::string fleet = "vm";
  std::string dwell = "8h";
  std::string mean_lifetime = "0";
  std::string out;
  // Whether the flags that apply to one kind of fleet only were given.
  bool deploys_given = false;
  bool dwell_given = false;
  bool lifetime_given = false;
};

void Fail(const absl::Status& s) {
  std::cerr << "foresight generate-trace: " << s.message() << "\n";
  throw CLI::RuntimeError(1);
}

absl::StatusOr<Workload> Generate(const GenerateTraceFlags& f) {
  if (f.dwell_given && f.fleet != "switching") {
    return absl::InvalidArgumentError(
        absl::StrCat("--dwell applies to --fleet switching only, not --fleet ", f.fleet));
  }
  if (f.fleet == "vm") {
    VmTraceOptions o;
    o.vms = f.vms;
    o.days = f.days;
    o.seed = f.seed;
    o.deploys_per_week = f.deploys_per_week;
    absl::StatusOr<absl::Duration> life = ParseSpan(f.mean_lifetime, "--mean-lifetime");
    if (!life.ok()) return life.status();
    o.mean_lifetime = *life;
    return GenerateVmTrace(o);
  }
  absl::StatusOr<ShapeFleetKind> kind = ParseShapeFleet(f.fleet);
  if (!kind.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--fleet: ", kind.status().message(),
                                                   "; or vm, the synthetic VM trace"));
  }
  if (f.deploys_given || f.lifetime_given) {
    return absl::InvalidArgumentError(absl::StrCat(
        f.deploys_given ? "--deploys-per-week" : "--mean-lifetime",
        " applies to --fleet vm only, not --fleet ", f.fleet));
  }
  absl::StatusOr<absl::Duration> dwell = ParseSpan(f.dwell, "--dwell");
  if (!dwell.ok()) return dwell.status();
  ShapeFleetOptions o;
  o.kind = *kind;
  o.vms = f.vms;
  o.days = f.days;
  o.seed = f.seed;
  o.dwell = *dwell;
  return GenerateShapeFleet(o);
}

void RunGenerateTrace(const GenerateTraceFlags& f) {
  absl::StatusOr<Workload> w = Generate(f);
  if (!w.ok()) Fail(w.status());
  if (absl::Status s = WriteLongCsv(*w, f.out); !s.ok()) Fail(s);
  std::cout << absl::StrFormat("wrote %d VMs x %d days (%d steps of 5 min, %s fleet) to %s\n",
                               f.vms, f.days, w->num_steps(), f.fleet, f.out);
}

void SetupGenerateTrace(CLI::App& app) {
  auto f = std::make_shared<GenerateTraceFlags>();
  app.add_option("--vms", f->vms, "number of VMs")->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--days", f->days, "days of demand")->check(CLI::Range(1, 3650))
      ->capture_default_str();
  app.add_option("--seed", f->seed, "random seed")->capture_default_str();
  CLI::Option* deploys = app.add_option("--deploys-per-week", f->deploys_per_week,
                 "memory level steps (deployments) per VM-week; 0: quiet VMs never jump")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  app.add_option("--fleet", f->fleet,
                 "vm: the synthetic VM trace; or a fleet of one shape the VM trace lacks: "
                 "flat, working-days, switching, noisy-cpu (sim/shape_fleet.hpp; "
                 "--deploys-per-week and --mean-lifetime apply to vm only)")
      ->capture_default_str();
  CLI::Option* dwell = app.add_option("--dwell", f->dwell,
                 "switching fleet: mean time a VM stays idle or on its job (e.g. 8h, 2h)")
      ->capture_default_str();
  CLI::Option* lifetime = app.add_option(
      "--mean-lifetime", f->mean_lifetime,
      "vm trace: mean VM lifetime (e.g. 2d, 12h); VMs then arrive and are deleted through the "
      "trace, with no samples outside their lives (lognormal, log-sd 1.5); 0: every VM lives "
      "the whole trace")
      ->capture_default_str();
  app.add_option("--out", f->out, "long CSV file to write")->required();
  app.callback([f, deploys, dwell, lifetime] {
    f->deploys_given = deploys->count() > 0;
    f->dwell_given = dwell->count() > 0;
    f->lifetime_given = lifetime->count() > 0;
    RunGenerateTrace(*f);
  });
}

CommandRegistrar kGenerateTrace(
    "generate-trace",
    "write a synthetic VM trace (long CSV) imitating published VM trace characteristics",
    &SetupGenerateTrace);

}  // namespace
}  // namespace foresight::cli
