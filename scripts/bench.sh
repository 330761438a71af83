#!/usr/bin/env bash
# Builds in Release and runs the simulator benchmark (default: AlexNet pruned-40, 4 frames).
#   bash scripts/bench.sh [--config FILE] [--frames N] [--bound]
#   bash scripts/bench.sh --bound [--frames N]   every shipped config (configs/*.yaml but devices.yaml):
#     bit-true s/frame, MACs by operand kind, the compute-only bound and wall / bound, one line each
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/build.sh" --target sim_bench
cd "$root"
bench="${BUILD_DIR:-$root/build}/sim_bench"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
bound=0 config=0 frames=2
for a in "$@"; do
  case "$a" in --bound) bound=1 ;; --config|--config=*) config=1 ;; esac
done
prev=""
for a in "$@"; do [ "$prev" = "--frames" ] && frames="$a"; prev="$a"; done
if [ "$bound" = 0 ] || [ "$config" = 1 ]; then exec "$bench" "$@"; fi
printf '%-34s %10s %10s %8s  %s\n' config "wall s/fr" "bound s/fr" "ratio" "MACs per frame by operand kind"
for c in configs/*.yaml; do
  [ "$(basename "$c")" = devices.yaml ] && continue
  line="$("$bench" --config "$c" --frames "$frames" --bound 2>&1 | grep '^BOUND ' || true)"
  if [ -z "$line" ]; then printf '%-34s %s\n' "$(basename "$c")" "(failed)"; continue; fi
  read -r _ _ _ wall _ bnd _ ratio _ macs rest <<<"$line"
  printf '%-34s %10s %10s %8s  %s %s\n' "$(basename "$c")" "$wall" "$bnd" "$ratio" "$macs" "$rest"
done
