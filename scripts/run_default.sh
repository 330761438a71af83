#!/usr/bin/env bash
# Builds the simulator and runs the shipped default design (deterministic embedded weights).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/build.sh" --target sim
cd "$root"
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 exec "${BUILD_DIR:-$root/build}/sim" --config configs/alexnet_pruned40.yaml "$@"
