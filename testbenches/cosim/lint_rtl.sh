#!/usr/bin/env bash
# lint_rtl.sh [VERILATOR]: `verilator --lint-only -Wall` on every RTL top of rtl/ with the
# parameter sets the co-simulation and the LUT study use; fails on any warning.
set -euo pipefail
verilator="${1:-verilator}"
rtl="$(cd "$(dirname "$0")/../../rtl" && pwd)"
status=0
lint() {  # lint TOP FILES... -- PARAMS...
  local top="$1"; shift
  local files=() params=()
  while [ "$1" != "--" ]; do files+=("$rtl/$1"); shift; done
  shift
  params=("$@")
  if "$verilator" --lint-only -Wall -I"$rtl" --top-module "$top" "${params[@]}" "${files[@]}"; then
    echo "lint ok: $top ${params[*]}"
  else
    echo "lint FAILED: $top ${params[*]}"; status=1
  fi
}
lint rccm_topology_a rccm_topology_a.sv --
lint rccm_topology_b rccm_topology_b.sv --
for d in 0 1 3; do lint pipe_ctrl pipe_ctrl.sv -- -GDEPTH=$d; done
for n in 2 3 4; do
  for w in 4 8 12 16; do
    for s in 0 1; do
      for p in 0 1; do
        lint "rccm_${n}add" rccm_topology_a.sv rccm_topology_b.sv pipe_ctrl.sv "rccm_${n}add.sv" -- -GIW=$w -GIN_SIGNED=$s -GPIPELINED=$p
      done
    done
  done
done
lint xnor_popcount_pe xnor_popcount_pe.sv --
lint xnor_pe_array xnor_popcount_pe.sv xnor_pe_array.sv -- -GPE=4 -GSIMD=32 -GNT=3 -GACC_W=16
lint xnor_pe_array xnor_popcount_pe.sv xnor_pe_array.sv -- -GPE=2 -GSIMD=8 -GNT=1 -GACC_W=12
lint xnor_pe_array xnor_popcount_pe.sv xnor_pe_array.sv -- -GPE=8 -GSIMD=64 -GNT=15 -GACC_W=20
exit $status
