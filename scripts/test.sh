#!/usr/bin/env bash
# Builds foresight and runs the whole test suite: the Release build with every
# test (unit, conformance, compile-fail, examples, fuzz-corpus replay, CLI,
# Python). This is the README's test command and what CI runs (.ci/run).
#
# Usage: scripts/test.sh [PRESET]: release (default) or asan, the presets with
# a configure, build and test preset in CMakePresets.json. The AddressSanitizer
# + UndefinedBehaviorSanitizer pass is a second full build with its own
# command, like fuzzing: scripts/sanitize.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
scripts/install-deps.sh
jobs=$(nproc)
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
ctest --preset "$preset"
