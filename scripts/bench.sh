#!/usr/bin/env bash
# Builds in Release and runs the simulator benchmark (default: AlexNet pruned-40, 4 frames).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/build.sh" --target sim_bench
cd "$root"
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 exec "${BUILD_DIR:-$root/build}/sim_bench" "$@"
