#!/usr/bin/env bash
# Fuzzes foresight's input parsers with libFuzzer (docs/fuzzing.md).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Builds the fuzz targets with clang, ASan and UBSan in build/fuzz, then runs
# each TARGET (default: all of trace_loader checkpoint m4_csv quantities
# policy_list cgroup_parse) for
# SECONDS (default 60) on one core, starting from fuzz/corpus/<target>. Inputs
# libFuzzer finds interesting go to build/fuzz/corpus/<target>; a crash or a
# broken invariant stops the run and leaves the input in build/fuzz/artifacts/.
# Reproduce one with build/fuzz/fuzz/fuzz_<target> <file> (or, without clang,
# build/release/fuzz/fuzz_<target>_replay <file>). Not part of scripts/test.sh:
# the ordinary suite replays the committed corpus instead (label fuzz-corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(trace_loader checkpoint m4_csv quantities policy_list cgroup_parse)

scripts/install-deps.sh
need=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFORESIGHT_BUILD_FUZZERS=ON -DFORESIGHT_BUILD_TESTS=OFF -DFORESIGHT_BUILD_CLI=OFF \
  -DFORESIGHT_BUILD_PYTHON=OFF -DFORESIGHT_BUILD_BENCHMARKS=OFF -DFORESIGHT_INSTALL=OFF >/dev/null
cmake --build build/fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

status=0
for t in "${targets[@]}"; do
  mkdir -p "build/fuzz/corpus/$t" build/fuzz/artifacts
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  echo "== fuzz_$t for ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "build/fuzz/fuzz/fuzz_$t" "build/fuzz/corpus/$t" "fuzz/corpus/$t" \
      "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -artifact_prefix="build/fuzz/artifacts/$t-" -print_final_stats=1 2>"build/fuzz/$t.log"; then
    status=1
    echo "fuzz_$t FAILED: see build/fuzz/$t.log and build/fuzz/artifacts/" >&2
    tail -n 40 "build/fuzz/$t.log" >&2
  else
    grep -E "^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE" "build/fuzz/$t.log" || true
  fi
done
exit $status
