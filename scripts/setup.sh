#!/usr/bin/env bash
# Installs the Debian packages the simulator needs, only when one is missing.
# Safe to run repeatedly; needs root (or sudo) only when something must be installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libsystemc-dev libyaml-cpp-dev
  libboost-dev libboost-program-options-dev
  libgtest-dev libbenchmark-dev nlohmann-json3-dev zlib1g-dev
  python3 python3-numpy python3-onnx   # python3-onnx: qnn-import (docs/import.md)
  dataset-fashion-mnist   # the test images the trained models of configs/trained/ are checked on
  verilator yosys         # RTL co-simulation (rtl/, testbenches/cosim/) and its Yosys LUT study (docs/cosim.md)
  gnuplot-nox             # sim sweep --plot (docs/sweeps.md)
  librsvg2-bin            # sim timeline --out FILE.png (docs/timelines.md)
)

exec bash "$(dirname "$0")/ensure_packages.sh" "${PACKAGES[@]}"
