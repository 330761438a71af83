#!/usr/bin/env bash
# The reuse / PE study of docs/sweeps.md in one command: builds sim if needed, sweeps
# configs/studies/alexnet_pruned40_reuse.yaml in the analytical tier (every point) and a seeded
# sample of it in the simulation tier, writes results.csv / results.json / pareto.csv and the
# plots into study/alexnet_pruned40_reuse/{analytical,simulation}/, and copies the front and
# the plots shown in docs/sweeps.md into docs/study/.
#   bash scripts/study_alexnet_reuse.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ -x "$root/build/sim" ] || bash "$root/scripts/build.sh" --target sim
bash "$root/scripts/ensure_packages.sh" gnuplot-nox
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
spec="$root/configs/studies/alexnet_pruned40_reuse.yaml"
out="$root/study/alexnet_pruned40_reuse"
rm -rf "$out"
"$root/build/sim" sweep --spec "$spec" --plot --out "$out/analytical"
"$root/build/sim" sweep --spec "$spec" --random 40 --seed 4 --tier simulation --frames 2 --plot --out "$out/simulation"
mkdir -p "$root/docs/study"
cp "$out/analytical/pareto.csv" "$root/docs/study/alexnet_pruned40_reuse_pareto.csv"
cp "$out/analytical/pareto_lut.png" "$root/docs/study/alexnet_pruned40_reuse_pareto_lut.png"
cp "$out/analytical/pareto_bram18.png" "$root/docs/study/alexnet_pruned40_reuse_pareto_bram18.png"
cp "$out/analytical/balance.png" "$root/docs/study/alexnet_pruned40_reuse_balance.png"
echo "study: $out/{analytical,simulation}; docs/study/ updated"
