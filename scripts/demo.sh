#!/usr/bin/env bash
# Builds foresight (Release) and runs the demo: `foresight simulate` on the
# built-in workload, writing out/simulate.json and out/simulate.html.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target foresight_cli
mkdir -p out
build/release/src/cli/foresight simulate --json out/simulate.json --report out/simulate.html "$@"
