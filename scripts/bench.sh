#!/usr/bin/env bash
# Builds in Release and runs the simulator benchmark (default: AlexNet pruned-40, 4 frames).
#   bash scripts/bench.sh [--config FILE] [--frames N] [--min-seconds S] [--repeats R] [--bound]
#   bash scripts/bench.sh --bound [--frames N] [--min-seconds S] [--repeats R]   every shipped
#     config (configs/*.yaml but devices.yaml), one line each: the steady-state bit-true s/frame
#     ((T(N) - T(1)) / (N - 1), T(N) the fastest of R runs, default 3; sim_bench --help), the
#     compute-only bound, their ratio, the whole-run s/frame T(N) / N, the frames simulated,
#     MACs by operand kind. At least N frames (default 2), and more where the steady part of a
#     run would last under S seconds (default 0.2: a small design's frame takes microseconds).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/build.sh" --target sim_bench
cd "$root"
bench="${BUILD_DIR:-$root/build}/sim_bench"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
bound=0 config=0 frames=2 min_seconds=0.2 repeats=3
for a in "$@"; do
  case "$a" in --bound) bound=1 ;; --config|--config=*) config=1 ;; esac
done
prev=""
for a in "$@"; do
  [ "$prev" = "--frames" ] && frames="$a"
  [ "$prev" = "--min-seconds" ] && min_seconds="$a"
  [ "$prev" = "--repeats" ] && repeats="$a"
  prev="$a"
done
if [ "$bound" = 0 ] || [ "$config" = 1 ]; then exec "$bench" "$@"; fi
printf '%-30s %11s %10s %6s %10s %6s  %s\n' config "steady s/fr" "bound s/fr" ratio "run s/fr" frames \
  "MACs per frame by operand kind"
for c in configs/*.yaml; do
  [ "$(basename "$c")" = devices.yaml ] && continue
  line="$("$bench" --config "$c" --frames "$frames" --min-seconds "$min_seconds" --repeats "$repeats" \
    --bound 2>&1 | grep '^BOUND ' || true)"
  if [ -z "$line" ]; then printf '%-30s %s\n' "$(basename "$c")" "(failed)"; continue; fi
  read -r _ _ _ wall _ bnd _ ratio _ macs _ run _ nfr rest <<<"$line"
  printf '%-30s %11s %10s %6s %10s %6s  %s %s\n' "$(basename "$c" .yaml)" "$wall" "$bnd" "$ratio" "$run" "$nfr" \
    "$macs" "$rest"
done
