#!/usr/bin/env bash
# Builds foresight and runs the whole test suite: the Release build with every
# test (unit, conformance, compile-fail, examples, CLI, Python), then the
# AddressSanitizer + UndefinedBehaviorSanitizer build of the unit tests.
# Set FORESIGHT_SKIP_ASAN=1 to skip the second pass.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release
if [ "${FORESIGHT_SKIP_ASAN:-0}" != "1" ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan
fi
