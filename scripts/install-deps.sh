#!/usr/bin/env bash
# Installs foresight's build and test dependencies from Debian 12 packages.
# Idempotent: installs only what is missing; does nothing when all are present.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev xtensor-dev libabsl-dev libbenchmark-dev doctest-dev
  nlohmann-json3-dev libcli11-dev libcsv-dev zlib1g-dev libvirt-dev libvirt-daemon
  pybind11-dev python3-dev python3-numpy python3-pytest
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
