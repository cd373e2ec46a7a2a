#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/seed-*).

Seeds come from the test fixtures, each in the byte layout its target expects
(docs/fuzzing.md):

  trace_loader  byte 0 = format index, byte 1 = flags, then the file(s) of
                tests/data/trace/<fixture>, a second file after "\\n--file--\\n"
  m4_csv        tests/cli/forecast_eval_data/*.csv as they are
  quantities    flag values, good and bad
  policy_list   --policies values, good and bad
  cgroup_parse  the kernel's cgroup files and `foresight run --user` values
  checkpoint    checkpoints of fitted states, written by fuzz_checkpoint_seeds

Run from the repository root after a build:
  /usr/bin/python3 fuzz/seed_corpus.py build/release/fuzz/fuzz_checkpoint_seeds
Inputs that once found a bug live beside the seeds as regress-* and are kept.
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
TRACE = ROOT / "tests" / "data" / "trace"
FORMATS = ["long", "bitbrains", "azure", "alibaba-machine", "alibaba-container",
           "google2011", "google2019", "planetlab"]
SEPARATOR = b"\n--file--\n"

# fixture folder -> (format, flags, files in order; the second one after the separator)
TRACE_SEEDS = {
    "long-usage": ("long", 0, ["long/usage.csv"]),
    "long-usage-max": ("long", 1, ["long/usage.csv"]),
    "long-negative": ("long", 0, ["long/negative.csv"]),
    "long-bad-time": ("long", 0, ["long/bad_time.csv"]),
    "bitbrains": ("bitbrains", 0, ["bitbrains/fastStorage/2013-8/1.csv",
                                   "bitbrains/fastStorage/2013-8/2.csv"]),
    "bitbrains-retired": ("bitbrains", 0, ["bitbrains_retired/fastStorage/2013-8/1.csv"]),
    "bitbrains-bad": ("bitbrains", 0, ["bitbrains_bad/1.csv"]),
    "azure": ("azure", 0, ["azure/vm_cpu_readings-file-1-of-1.csv", "azure/vmtable.csv"]),
    "azure-max": ("azure", 1, ["azure/vm_cpu_readings-file-1-of-1.csv"]),
    "alibaba-machine": ("alibaba-machine", 0, ["alibaba/machine_usage.csv"]),
    "alibaba-machine-invalid": ("alibaba-machine", 0, ["alibaba_invalid/machine_usage.csv"]),
    "alibaba-container": ("alibaba-container", 0, ["alibaba_container/container_usage.csv",
                                                   "alibaba_container/container_meta.csv"]),
    "google2011": ("google2011", 1, ["google2011/part-00000-of-00500.csv"]),
    "google2019-json": ("google2019", 2, ["google2019/instance_usage-000000000000.json"]),
    "google2019-csv": ("google2019", 0, ["google2019_csv/instance_usage.csv"]),
    "planetlab": ("planetlab", 0, ["planetlab/20110303/planetlab1_fct_ualg_pt_root",
                                   "planetlab/20110303/146-179_surfsnel_dsl_internl_net_colostate_557"]),
}

QUANTITIES = ["500m", "2Gi", "1.5G", "cpu=32,memory=128Gi", "cpu=4,io=200Mi,net=1G", "300s",
              "1.5h", "1d", "2w", "-5m", "inf", "1e300Ei", "memory=", "mem", "long", "planetlab"]


POLICY_LISTS = ["vpa", "all", "default", "vpa,track+peak,oracle", "max(proactive,vpa)",
                "track+fleet+damped[fleet_level=0.95,cpu_level=0.85]",
                "vpa[memory_percentile=0.7,cpu_percentile=0.7,margin=0.25]", "vpa[margin=-1]",
                "gpu", "vpa[]", " vpa , hpa ", "track+fleet+damped[", "vpa[margin]"]

# The kernel's formats (as read on Debian 12 hosts, v1 and v2) and --user values.
CGROUP_TEXTS = [
    "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "26 22 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
    "27 26 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 "
    "cgroup2 rw,nsdelegate\n"
    "30 26 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup "
    "cgroup rw,cpu,cpuacct\n"
    "31 26 0:28 / /sys/fs/cgroup/memory rw,nosuid shared:15 - cgroup cgroup rw,memory\n"
    "32 26 0:29 / /sys/fs/cgroup/blkio rw,nosuid shared:16 - cgroup cgroup rw,blkio\n",
    "35 24 0:30 / /mnt/with\\040space rw - cgroup2 cgroup2 rw\n",
    "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\nnr_periods 40\n"
    "nr_throttled 3\nthrottled_usec 81234\n",
    "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\n",
    "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n",
    "8:0 rbps=1048576 wbps=max riops=max wiops=max\n",
    "8:16 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
    "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n",
    "8:0 Read 3\n8:0 Write 4\n8:0 Sync 7\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 7\nTotal 7\n",
    "8:0 1048576\n",
    "max\n", "50000 100000\n", "-1\n", "9223372036854771712\n", "4096\n",
    "MemTotal:       24578960 kB\nMemFree:        20000000 kB\n",
    "web", "web:1234", "db:4194304", "batch:0", "a:b:1", "..", "cpu.max", "web:+5",
]


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"seed-{name}").write_bytes(data)


def main():
    targets = ["trace_loader", "m4_csv", "quantities", "policy_list", "cgroup_parse"]
    if len(sys.argv) > 1:
        targets.append("checkpoint")
    for target in targets:
        for old in (CORPUS / target).glob("seed-*"):
            old.unlink()
    for name, (fmt, flags, files) in TRACE_SEEDS.items():
        parts = [(TRACE / f).read_bytes() for f in files]
        body = parts[0] if len(parts) == 1 else parts[0].rstrip(b"\n") + SEPARATOR + parts[1]
        write("trace_loader", name, bytes([FORMATS.index(fmt), flags]) + body)
    for csv in sorted((ROOT / "tests" / "cli" / "forecast_eval_data").glob("*.csv")):
        data = csv.read_bytes()
        if len(data) <= 4096:
            write("m4_csv", csv.stem, data)
    for i, q in enumerate(QUANTITIES):
        write("quantities", f"{i:02d}", q.encode())
    for i, q in enumerate(POLICY_LISTS):
        write("policy_list", f"{i:02d}", q.encode())
    for i, q in enumerate(CGROUP_TEXTS):
        write("cgroup_parse", f"{i:02d}", q.encode())
    if len(sys.argv) > 1:
        out = CORPUS / "checkpoint"
        out.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.argv[1], str(out)], check=True)
        for f in list(out.glob("*.json")):
            f.rename(out / f"seed-{f.stem}")
    else:
        print("no fuzz_checkpoint_seeds given: checkpoint seeds left as they are", file=sys.stderr)


if __name__ == "__main__":
    main()
