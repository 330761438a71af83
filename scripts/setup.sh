#!/usr/bin/env bash
# Installs the Debian packages the simulator needs, only when one is missing.
# Safe to run repeatedly; needs root (or sudo) only when something must be installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libsystemc-dev libyaml-cpp-dev
  libboost-dev libboost-program-options-dev
  libgtest-dev libbenchmark-dev nlohmann-json3-dev
  python3 python3-numpy
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: need root to install: ${missing[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}"
